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

/**
 * A partition's `reduce` or `aggregate`. A class, not an object literal of closures: every
 * partition of every run shares its methods, so the calls into them (a batch's loop, the end's
 * walk over the state) see one target from the first record on, and V8 never throws their
 * optimized code away because another partition's copy of a method came by.
 */
class AggregatePartition implements PartitionOperator {
  readonly #operator: AggregateOperator;
  readonly #state: PartitionState;
  readonly #retries: number;
  readonly #name: string;
  readonly #timed: boolean;

  constructor(operator: AggregateOperator, { state, retries, name, timed }: OperatorSetup) {
    this.#operator = operator;
    this.#state = state;
    this.#retries = retries;
    this.#name = name;
    this.#timed = timed;
  }

  nextTick(): number {
    return noProcessingTimers();
  }

  record(record: unknown, key: StateKey, timestamp: number | undefined, out: OperatorOutput): void {
    const operator = this.#operator;
    let accumulator: unknown;
    // The first try is written out here rather than through `attempt4`, whose call of its function
    // sees every operator's: V8 inlines this one; only a record that throws pays for retries (and
    // for the comparison with FAILED).
    try {
      accumulator = added(operator, this.#state, record, key);
    } catch (error) {
      const retries = this.#retries;
      accumulator = retries === 0 ? failedWith(error) : attempt4(retries - 1, added, operator, this.#state, record, key);
      if (accumulator === FAILED) {
        out.deadLetter({ reason: 'operator-failed', stage: this.#name, record, error: lastFailure() });
        return;
      }
    }
    if (operator.emit === 'every') this.emitValue(key, accumulator, timestamp, out);
  }

  advance(): void {}

  tick(): void {}

  end(out: OperatorOutput): void {
    if (this.#operator.emit !== 'final') return;
    this.#state.forEach(emitFinal, { partition: this, timestamp: this.#timed ? FINAL_TIMESTAMP : undefined, out });
  }

  /** Emits `key`'s result from its accumulator, or dead-letters the key when `result` keeps throwing. */
  emitValue(key: StateKey, accumulator: unknown, timestamp: number | undefined, out: OperatorOutput): void {
    const userKey = keyOfState(key);
    const value = attempt(this.#retries, resultOf, this.#operator, accumulator, userKey);
    if (value === FAILED) out.deadLetter({ reason: 'operator-failed', stage: this.#name, record: { key: userKey }, error: lastFailure() });
    else out.emit(value, timestamp);
  }
}

/** What the end's walk over the state emits with. */
interface FinalEmit {
  readonly partition: AggregatePartition;
  readonly timestamp: number | undefined;
  readonly out: OperatorOutput;
}

/** Emits one entry's result at the end: the operator's entries only, not the actor's own (under symbols). */
function emitFinal(this: FinalEmit, accumulator: unknown, key: StateKey | symbol): void {
  if (typeof key !== 'symbol') this.partition.emitValue(key, accumulator, this.timestamp, this.out);
}

export function aggregateOperator(operator: AggregateOperator, context: OperatorSetup): PartitionOperator {
  return new AggregatePartition(operator, context);
}
