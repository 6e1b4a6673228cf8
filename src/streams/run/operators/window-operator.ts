/**
 * Keyed event-time windows in a partition: each key's windows (or panes) are one entry of the
 * partition state (so a restart rolls them back), due times an index derived from it. A window
 * fires when the input watermark reaches its last millisecond and its result goes out stamped with
 * that time; a record too late for every window goes to the late output.
 */
import type { WindowOperator } from '../../internal/logical-plan.js';
import {
  createWindowEngine,
  windowAccumulator,
  type KeyedWindowAggregate,
  type KeyedWindows,
  type SlotFiring,
  type SlotStore,
} from '../../time/window-engine.js';
import { FAILED, attempt, attempt4, lastFailure } from '../chain.js';
import { keyOfState, type StateKey } from '../state-key.js';
import {
  noProcessingTimers,
  operatorEntries,
  type OperatorOutput,
  type PartitionOperator,
  type PartitionState,
  type OperatorSetup,
} from './partition-operator.js';

/** What a window operator emits each time a window fires. */
export interface WindowResultRecord {
  readonly key: unknown;
  readonly window: { readonly start: number; readonly end: number };
  readonly value: unknown;
  readonly late: boolean;
}

type UserAggregate = KeyedWindowAggregate<StateKey, unknown, unknown>;

function slotStore(state: PartitionState): SlotStore<StateKey, object> {
  return {
    get: (key) => state.get(key) as object | undefined,
    set: (key, slots) => void state.set(key, slots),
    delete: (key) => void state.delete(key),
    entries: () => operatorEntries(state) as Iterable<[StateKey, object]>,
  };
}

/** The operator's functions over state keys; `merge` only when the user gave one (it picks panes). */
function userAggregate(operator: WindowOperator): UserAggregate {
  const aggregate: UserAggregate = {
    create: (key) => operator.create(keyOfState(key)),
    add: (accumulator, record, key) => operator.add(accumulator, record, keyOfState(key)),
  };
  const merge = operator.merge;
  return merge === undefined ? aggregate : { ...aggregate, merge: (a, b, key) => merge(a, b, keyOfState(key)) };
}

function addRecord(engine: KeyedWindows<StateKey, unknown, unknown>, record: unknown, key: StateKey, at: { timestamp: number; watermark: number }) {
  return engine.add(key, record, at.timestamp, at.watermark);
}

function fired(operator: WindowOperator, firing: SlotFiring<StateKey, unknown>, aggregate: UserAggregate): WindowResultRecord {
  const key = keyOfState(firing.key);
  return { key, window: firing.window, value: operator.result(windowAccumulator(firing, aggregate), key, firing.window), late: firing.late };
}

export function windowOperator(operator: WindowOperator, context: OperatorSetup): PartitionOperator {
  const { retries, name } = context;
  const aggregate = userAggregate(operator);
  const engine = createWindowEngine(operator.assigner, aggregate, operator.allowedLatenessMs, slotStore(context.state));
  const at = { timestamp: 0, watermark: context.watermark };
  const fire = (firing: SlotFiring<StateKey, unknown>, out: OperatorOutput): void => {
    const result = attempt(retries, fired, operator, firing, aggregate);
    if (result === FAILED) {
      out.deadLetter({ reason: 'operator-failed', stage: name, record: { key: keyOfState(firing.key), window: firing.window }, error: lastFailure() });
      return;
    }
    out.emit(result, firing.window.end - 1);
  };
  return {
    nextTick: noProcessingTimers,
    record(record, key, timestamp, out) {
      at.timestamp = timestamp as number;
      const outcome = attempt4(retries, addRecord, engine, record, key, at);
      if (outcome === FAILED) {
        out.deadLetter({ reason: 'operator-failed', stage: name, record, error: lastFailure(), timestamp });
        return;
      }
      if (outcome.late) out.late(record, at.timestamp);
      for (const firing of outcome.firings) fire(firing, out);
    },
    advance(watermark, out) {
      at.watermark = watermark;
      for (const firing of engine.advance(watermark)) fire(firing, out);
    },
    tick() {},
    end() {},
  };
}
