/**
 * Event time. Event n is due at `baseTime + ⌊n × 1000 / eventsPerSecond⌋` (its "on-time" time,
 * non-decreasing in n); a delayed event carries an earlier time, by at most `maxDelayMs`, as if it
 * had been held up on its way. Since every event's time is at most its own on-time time, no event
 * is more than `maxDelayMs` behind the newest time seen before it: the bound a watermark needs.
 */
import type { NexmarkConfig } from '../config.js';
import type { SeededRandom } from './seeded-random.js';

/** When event `n` is due (epoch ms), before any delay. */
export function onTime(n: number, config: NexmarkConfig): number {
  return config.baseTime + Math.floor((n * 1000) / config.eventsPerSecond);
}

/**
 * Event `n`'s event time: on time, or, for a `delayedFraction` of events, 1 to `maxDelayMs` ms
 * earlier, but never before `baseTime`. It always takes exactly two draws, so the delay settings
 * change an event's time and nothing else about it.
 */
export function eventTime(n: number, random: SeededRandom, config: NexmarkConfig): number {
  const due = onTime(n, config);
  const delayed = random.next() < config.delayedFraction;
  const delay = 1 + random.int(config.maxDelayMs);
  if (!delayed || config.maxDelayMs === 0) return due;
  return Math.max(config.baseTime, due - delay);
}
