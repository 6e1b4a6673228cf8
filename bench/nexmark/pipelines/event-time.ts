/**
 * What the windowed query pipelines (q5, q7, q8) share: their options and the event-time set-up.
 * Their watermark trails the newest event time by the generator's `maxDelayMs`, the largest delay
 * an event can carry, so no event is ever late and the pipelines compute the complete-input answer
 * the models do.
 */
import type { Stream } from '../../../src/index.js';
import { DEFAULT_NEXMARK_CONFIG } from '../config.js';
import type { NexmarkEvent } from '../events.js';

/** Options of every windowed query pipeline. */
export interface WindowedQueryOptions {
  /**
   * Partitions of each keyed stage.
   * @defaultValue 4
   */
  partitions?: number | undefined;
  /**
   * How far an event's time may be behind the newest seen: the `maxDelayMs` the events were
   * generated with. Smaller, and delayed events are late (dead-lettered) and the answer is wrong.
   * @defaultValue 3000 (the generator's default `maxDelayMs`)
   */
  maxOutOfOrdernessMs?: number | undefined;
}

/** Options with their defaults filled in. */
export interface ResolvedWindowedOptions {
  readonly partitions: number;
  readonly maxOutOfOrdernessMs: number;
}

/** Fills in the defaults of {@link WindowedQueryOptions}. */
export function resolveWindowed(options: WindowedQueryOptions): ResolvedWindowedOptions {
  return {
    partitions: options.partitions ?? 4,
    maxOutOfOrdernessMs: options.maxOutOfOrdernessMs ?? DEFAULT_NEXMARK_CONFIG.maxDelayMs,
  };
}

/**
 * `stream` timed by each event's `dateTime`, with a watermark `maxOutOfOrdernessMs` behind the
 * newest. Filtering before this is fine: a subsequence of the events keeps the delay bound.
 */
export function byEventTime<TEvent extends NexmarkEvent>(stream: Stream<TEvent>, { maxOutOfOrdernessMs }: ResolvedWindowedOptions): Stream<TEvent> {
  return stream.withTimestamps((event) => event.dateTime, { maxOutOfOrdernessMs, name: 'event-time' });
}
