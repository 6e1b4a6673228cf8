/**
 * A replayable Sluice source of Nexmark events whose offsets are event numbers: reading from
 * offset n starts at event n, and the record of event n carries n + 1 as where to resume. Since
 * every event is a function of its number, a replay is exact.
 */
import { fromGenerator, InvalidOptionError, type Source } from '../../src/index.js';
import type { NexmarkOptions } from './config.js';
import type { NexmarkEvent } from './events.js';
import { NexmarkGenerator } from './generator.js';

/** Options of {@link nexmarkSource}: the stream's, and how much of it to read. */
export interface NexmarkSourceOptions extends NexmarkOptions {
  /**
   * How many events the stream holds (event numbers 0 to events − 1); Infinity for no end.
   * @defaultValue Infinity
   */
  events?: number | undefined;
  /**
   * A name for metrics and errors.
   * @defaultValue 'nexmark'
   */
  name?: string | undefined;
}

/**
 * A source of the first `events` Nexmark events.
 * @throws InvalidOptionError for an invalid option; `read(from)` throws for an offset that is not
 *   an event number.
 * @example
 * ```ts
 * const out = toArray<NexmarkEvent>();
 * await pipeline(nexmarkSource({ events: 1000 })).to(out).run().done;
 * ```
 */
export function nexmarkSource(options: NexmarkSourceOptions = {}): Source<NexmarkEvent, number> {
  const { events = Infinity, name = 'nexmark', ...streamOptions } = options;
  if (!(events === Infinity || (Number.isSafeInteger(events) && events >= 0))) {
    throw new InvalidOptionError('events', 'an integer ≥ 0 or Infinity', events);
  }
  const generator = new NexmarkGenerator(streamOptions);
  // A resume point past the end reads nothing rather than failing: the stream is simply over.
  return fromGenerator((from) => generator.events(from, Math.max(0, events - from)), name);
}
