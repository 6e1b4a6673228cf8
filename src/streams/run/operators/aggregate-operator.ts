/**
 * `reduce` and `aggregate`: each key's accumulator is one entry of the partition state. With
 * `emit: 'every'` a key's new value goes out after each record, stamped with the record's event
 * time; with `emit: 'final'`, each key's value once the input has ended, stamped at the end of
 * event time.
 */
import type { AggregateOperator } from '../../internal/logical-plan.js';
import type { PartitionKey } from '../../partitioning/canonical-key.js';
import { FAILED, attempt, attempt4, failedWith, lastFailure } from '../chain.js';
import { keyOfState, type StateKey } from '../state-key.js';
import { noProcessingTimers, type OperatorOutput, type PartitionOperator, type PartitionState, type OperatorSetup } from './partition-operator.js';

/** The event time of values emitted once the input has ended. */
export const FINAL_TIMESTAMP = Number.MAX_SAFE_INTEGER;

/** A key's accumulator after one more record, written in place: one lookup for a key seen before. */
function addRecord(current: unknown, present: boolean, key: StateKey | symbol, operator: AggregateOperator, record: unknown): unknown {
  const userKey = keyOfState(key as StateKey);
  return operator.add(present ? current : operator.create(userKey), record, userKey);
}

/** The first try of a record: its key's new accumulator, the state written in place. */
function added(operator: AggregateOperator, state: PartitionState, record: unknown, key: StateKey): unknown {
  return state.compute(key, addRecord, operator, record);
}

function resultOf(operator: AggregateOperator, accumulator: unknown, key: PartitionKey): unknown {
  return { key, value: operator.result(accumulator, key) };
}

export function aggregateOperator(operator: AggregateOperator, context: OperatorSetup): PartitionOperator {
  const { state, retries, name, timed } = context;
  const emitValue = (key: StateKey, accumulator: unknown, timestamp: number | undefined, out: OperatorOutput): void => {
    const userKey = keyOfState(key);
    const value = attempt(retries, resultOf, operator, accumulator, userKey);
    if (value === FAILED) out.deadLetter({ reason: 'operator-failed', stage: name, record: { key: userKey }, error: lastFailure() });
    else out.emit(value, timestamp);
  };
  return {
    nextTick: noProcessingTimers,
    record(record, key, timestamp, out) {
      let accumulator: unknown;
      // The first try is written out here rather than through `attempt4`, whose call of its function
      // sees every operator's: V8 inlines this one; only a record that throws pays for retries (and
      // for the comparison with FAILED).
      try {
        accumulator = added(operator, state, record, key);
      } catch (error) {
        accumulator = retries === 0 ? failedWith(error) : attempt4(retries - 1, added, operator, state, record, key);
        if (accumulator === FAILED) {
          out.deadLetter({ reason: 'operator-failed', stage: name, record, error: lastFailure() });
          return;
        }
      }
      if (operator.emit === 'every') emitValue(key, accumulator, timestamp, out);
    },
    advance() {},
    tick() {},
    end(out) {
      if (operator.emit !== 'final') return;
      const timestamp = timed ? FINAL_TIMESTAMP : undefined;
      state.forEach((accumulator, key) => {
        if (typeof key !== 'symbol') emitValue(key, accumulator, timestamp, out);
      });
    },
  };
}
