/**
 * Watermarks: a stream's claim that no record with an event time at or below the watermark will
 * arrive any more. With bounded out-of-orderness, the watermark trails the largest timestamp seen
 * by the bound; an input that has been silent too long is idle and stops holding the others back.
 * Pure: time is passed in (processing time from the system clock), nothing is scheduled.
 */
import { nonNegativeNumber, positiveNumberOrInfinity, withDefault } from '../../internal/validate.js';

/** The watermark before any record: nothing is known yet. */
export const NO_WATERMARK = Number.NEGATIVE_INFINITY;

/** The watermark at the end of a bounded input: every window may fire. */
export const END_OF_TIME = Number.POSITIVE_INFINITY;

/**
 * The watermark after records up to `maxTimestamp` with out-of-orderness `bound`: one below the
 * earliest time a record may still have, so a record exactly `bound` behind is on time.
 */
export function boundedWatermark(maxTimestamp: number, bound: number): number {
  return maxTimestamp === Number.NEGATIVE_INFINITY ? NO_WATERMARK : maxTimestamp - bound - 1;
}

/** Options of {@link WatermarkTracker}. */
export interface WatermarkOptions {
  /**
   * How far, in event-time milliseconds, a record may arrive behind the largest timestamp seen.
   * @defaultValue 0 (timestamps arrive in order)
   */
  maxOutOfOrdernessMs?: number | undefined;
  /**
   * Processing-time milliseconds without a record after which the input counts as idle.
   * @defaultValue Infinity (never idle)
   */
  idleTimeoutMs?: number | undefined;
}

/**
 * Tracks the watermark of one input.
 *
 * @example
 * ```ts
 * const tracker = new WatermarkTracker({ maxOutOfOrdernessMs: 5_000 });
 * tracker.observe(60_000, clock.now());
 * tracker.watermark; // 54_999: records at or before it are late
 * ```
 */
export class WatermarkTracker {
  readonly #bound: number;
  readonly #idleTimeoutMs: number;
  #maxTimestamp = Number.NEGATIVE_INFINITY;
  #lastSeenAt = Number.NEGATIVE_INFINITY;
  #ended = false;

  /** @throws InvalidOptionError naming `maxOutOfOrdernessMs` or `idleTimeoutMs` when invalid. */
  constructor(options: WatermarkOptions = {}) {
    this.#bound = withDefault(options.maxOutOfOrdernessMs, 0, (v) => nonNegativeNumber('maxOutOfOrdernessMs', v));
    this.#idleTimeoutMs = withDefault(options.idleTimeoutMs, Infinity, (v) => positiveNumberOrInfinity('idleTimeoutMs', v));
  }

  /** Notes a record with event time `timestamp`, seen at processing time `now`. */
  observe(timestamp: number, now: number): void {
    if (timestamp > this.#maxTimestamp) this.#maxTimestamp = timestamp;
    this.#lastSeenAt = now;
  }

  /** Marks the input as ended: its watermark jumps to the end of time. */
  end(): void {
    this.#ended = true;
  }

  /** The largest timestamp minus the bound, minus 1 (a record exactly at the bound is still on time). */
  get watermark(): number {
    if (this.#ended) return END_OF_TIME;
    return boundedWatermark(this.#maxTimestamp, this.#bound);
  }

  /** Whether the input has been silent for `idleTimeoutMs` at processing time `now`. */
  isIdle(now: number): boolean {
    return !this.#ended && now - this.#lastSeenAt >= this.#idleTimeoutMs;
  }
}

/**
 * The watermark of several inputs: the smallest of the active ones. Idle inputs do not hold it back;
 * when every input is idle it stays at `previous` (nothing new is known), and it never goes back.
 */
export function combineWatermarks(inputs: readonly { readonly watermark: number; readonly idle: boolean }[], previous: number = NO_WATERMARK): number {
  let lowest = Number.POSITIVE_INFINITY;
  let active = 0;
  for (const input of inputs) {
    if (input.idle) continue;
    active++;
    if (input.watermark < lowest) lowest = input.watermark;
  }
  if (active === 0) return previous;
  return Math.max(previous, lowest);
}
