/**
 * Keyed event-time windows in a partition: each key's windows are one entry of the partition
 * state (so a restart rolls them back), due times a heap derived from it. A window fires when the
 * input watermark reaches its last millisecond and its result goes out stamped with that time; a
 * record too late for every window goes to the late output.
 */
import type { WindowOperator } from '../../internal/logical-plan.js';
import { WindowEngine, type SlotFiring, type SlotStore, type WindowSlot } from '../../time/window-engine.js';
import { FAILED, attempt, attempt4, lastFailure } from '../chain.js';
import { keyOfState, type StateKey } from '../state-key.js';
import { operatorEntries, type OperatorOutput, type OperatorRuntime, type PartitionState, type RuntimeContext } from './operator-runtime.js';

/** What a window operator emits each time a window fires. */
export interface WindowResultRecord {
  readonly key: unknown;
  readonly window: { readonly start: number; readonly end: number };
  readonly value: unknown;
  readonly late: boolean;
}

function slotStore(state: PartitionState): SlotStore<StateKey, unknown> {
  return {
    get: (key) => state.get(key) as readonly WindowSlot<unknown>[] | undefined,
    set: (key, slots) => void state.set(key, slots),
    delete: (key) => void state.delete(key),
    entries: () => operatorEntries(state) as Iterable<[StateKey, readonly WindowSlot<unknown>[]]>,
  };
}

function addRecord(engine: WindowEngine<StateKey, unknown, unknown>, record: unknown, key: StateKey, at: { timestamp: number; watermark: number }) {
  return engine.add(key, record, at.timestamp, at.watermark);
}

function fired(operator: WindowOperator, firing: SlotFiring<StateKey, unknown>): WindowResultRecord {
  const key = keyOfState(firing.key);
  return { key, window: firing.window, value: operator.result(firing.accumulator, key, firing.window), late: firing.late };
}

export function windowRuntime(operator: WindowOperator, context: RuntimeContext): OperatorRuntime {
  const { retries, name } = context;
  const userAggregate = {
    create: (key: StateKey) => operator.create(keyOfState(key)),
    add: (accumulator: unknown, record: unknown, key: StateKey) => operator.add(accumulator, record, keyOfState(key)),
    merge: (a: unknown, b: unknown, key: StateKey) => (operator.merge as NonNullable<typeof operator.merge>)(a, b, keyOfState(key)),
  };
  const engine = new WindowEngine(operator.assigner, userAggregate, operator.allowedLatenessMs, slotStore(context.state));
  engine.rebuild();
  const at = { timestamp: 0, watermark: context.watermark };
  const fire = (firing: SlotFiring<StateKey, unknown>, out: OperatorOutput): void => {
    const result = attempt(retries, fired, operator, firing, undefined);
    if (result === FAILED) {
      out.deadLetter({ reason: 'operator-failed', stage: name, record: { key: keyOfState(firing.key), window: firing.window }, error: lastFailure() });
      return;
    }
    out.emit(result, firing.window.end - 1);
  };
  return {
    nextTick: Infinity,
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
