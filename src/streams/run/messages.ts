/**
 * What pipeline actors send each other: batches of records (never one message per record), and
 * an end-of-input marker that each receiver counts until every upstream sender has ended.
 */
import type { PartitionKey } from '../partitioning/canonical-key.js';

/** A record bound for a keyed stage, with its key computed once, upstream, for routing. */
export interface KeyedEntry {
  readonly key: PartitionKey;
  readonly record: unknown;
}

export type StageMessage<TEntry> = { readonly type: 'batch'; readonly entries: readonly TEntry[] } | { readonly type: 'end' };

/** Why a record left the pipeline for the dead-letter output. */
export type PipelineDeadLetterReason = 'malformed' | 'operator-failed' | 'invalid-key';

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
}
