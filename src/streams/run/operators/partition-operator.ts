/**
 * What a keyed (or rebalanced) stage does inside each of its partition actors. The actor owns the
 * mailbox, the input watermark and the routing; the operator owns the operator's per-key state in
 * the partition's KeyedState, and any in-memory index over it (timer heaps), which it derives
 * afresh whenever the actor starts or restarts, because a restart rolls the state back under it.
 */
import type { KeyedState } from '../../../state/keyed-state.js';
import type { PipelineDeadLetter } from '../messages.js';
import type { StateKey } from '../state-key.js';

/** A partition's state: the operator's entries under user keys, the actor's own under symbols. */
export type PartitionState = KeyedState<StateKey | symbol, unknown>;

/** Where an operator's results go. */
export interface OperatorOutput {
  /** Sends a record on, through the stage's stateless tail, with its event time. */
  emit(record: unknown, timestamp: number | undefined): void;
  deadLetter(letter: PipelineDeadLetter): void;
  /** A record too late for every window it belongs to. */
  late(record: unknown, timestamp: number): void;
}

export interface PartitionOperator {
  /**
   * Processes one input record at the current watermark. A user function that throws is retried,
   * then the record is dead-lettered; nothing of a failed try is kept or emitted.
   */
  record(record: unknown, key: StateKey, timestamp: number | undefined, out: OperatorOutput): void;
  /** The input watermark moved forward to `watermark`: fire what became due. */
  advance(watermark: number, out: OperatorOutput): void;
  /** Processing time reached `now`: fire due processing-time timers. */
  tick(now: number, out: OperatorOutput): void;
  /** Every input has ended (after the watermark reached the end of time). */
  end(out: OperatorOutput): void;
  /**
   * The earliest pending processing-time timer, or Infinity. A method, not a getter of an object
   * literal: V8 keeps such a getter in the literal's hidden class, in the old generation, where it
   * kept the partition's state alive through scavenges after the run (see job/run-handle.ts).
   */
  nextTick(): number;
}

/** `nextTick` of an operator with no processing-time timers. */
export const noProcessingTimers = (): number => Infinity;

/** What an operator is made from each time its actor starts or restarts. */
export interface OperatorSetup {
  readonly state: PartitionState;
  /** The input watermark the state was left at. */
  readonly watermark: number;
  readonly retries: number;
  /** The operator's name, for dead letters. */
  readonly name: string;
  /** Whether input records carry event times. */
  readonly timed: boolean;
}

/** Entries of the state that belong to the operator (user keys), not to the actor. */
export function* operatorEntries(state: Iterable<[StateKey | symbol, unknown]>): Generator<[StateKey, unknown]> {
  for (const [key, value] of state) if (typeof key !== 'symbol') yield [key, value];
}
