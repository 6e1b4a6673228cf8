/**
 * What pipeline actors send each other: batches of records (never one message per record), with
 * their event times on a timed stream; watermarks, which every sender broadcasts to each receiver
 * after the records they cover; an end-of-input marker that each receiver counts until every
 * upstream sender has ended; checkpoint barriers, which every sender broadcasts too; and ticks,
 * which a partition sends itself when a processing-time timer or an idle timeout is due; and
 * queries, which `handle.query` asks a partition for one key's state with.
 */
import type { StateKey } from './state-key.js';

export type StageMessage<TEntry> =
  | {
      readonly type: 'batch';
      /** The sending partition's index in its stage (0 for the source). */
      readonly from: number;
      readonly entries: readonly TEntry[];
      /**
       * Into a keyed stage, each entry's state key, computed once upstream for routing: parallel
       * arrays rather than a key-and-record object per record. When every record of the batch is its
       * own state key (a stage keyed by the record itself), this is `entries` itself.
       */
      readonly keys?: readonly StateKey[] | undefined;
      /** Each entry's event time, on a timed stream. */
      readonly timestamps?: readonly number[] | undefined;
      /**
       * From the source, on a stream it assigns event times to: each entry's watermark, that of the
       * records before it in source order. The receiver moves its watermark there before it takes
       * the entry, so what is late and what fires first depend on the input alone, never on how
       * records were batched or spread over partitions.
       */
      readonly watermarks?: readonly number[] | undefined;
    }
  | {
      readonly type: 'watermark';
      /** The sending partition's index in its stage (0 for the source). */
      readonly from: number;
      readonly watermark: number;
      /** The sender has seen no input for its idle timeout: do not wait for it. */
      readonly idle: boolean;
    }
  | {
      readonly type: 'end';
      readonly from: number;
      /** The checkpoint that completes the job once everything has ended, when checkpoints are on. */
      readonly checkpoint?: number | undefined;
    }
  /** Checkpoint `id` starts here: what the sender sent before belongs in it, what follows does not. */
  | { readonly type: 'barrier'; readonly from: number; readonly id: number }
  /** To the sink: a checkpoint completed, make what it pre-committed visible. */
  | { readonly type: 'commit'; readonly token: unknown; readonly completed: boolean }
  /** A partition's own wake-up for processing-time timers and idleness. */
  | { readonly type: 'tick' }
  /** An ask for the state of `key`, answered from the partition's live state; it changes nothing. */
  | { readonly type: 'query'; readonly key: StateKey };

/**
 * Why a record left the pipeline for the dead-letter output: `malformed` input the source could not
 * parse; `operator-failed`, a user function that threw on it every time it was tried (1 + `retries`
 * times); `invalid-key`, a key that cannot be partitioned; `invalid-timestamp`, an event time that
 * is not a finite number (neither of these two is tried again); `late`, too late for every window;
 * `rejected`, refused by the sink's destination (a database constraint), reported by the sink.
 */
export type PipelineDeadLetterReason = 'malformed' | 'operator-failed' | 'invalid-key' | 'invalid-timestamp' | 'late' | 'rejected';

/** A record the pipeline could not process; it went here instead of vanishing. */
export interface PipelineDeadLetter {
  readonly reason: PipelineDeadLetterReason;
  /** The operator (or source) where it happened. */
  readonly stage: string;
  /** The record (or, for malformed input, the raw text). */
  readonly record: unknown;
  readonly error: unknown;
  /** The 1-based input line, for line-oriented sources. */
  readonly line?: number | undefined;
  /** The record's event time, on a timed stream. */
  readonly timestamp?: number | undefined;
}
