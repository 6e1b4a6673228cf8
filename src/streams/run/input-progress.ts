/**
 * How far a partition's inputs have come in event time, and what it last told downstream. Kept
 * as one immutable value in the partition's state, so a restart rolls it back with everything
 * else and a replayed message sends exactly what it sent the first time.
 */
import { END_OF_TIME, NO_WATERMARK, combineWatermarks } from '../time/watermarks.js';

export interface InputProgress {
  /** Each upstream sender's latest watermark (END_OF_TIME once it ended). */
  readonly watermarks: readonly number[];
  /** Whether each upstream sender said it is idle. */
  readonly idle: readonly boolean[];
  /** How many upstream senders have ended. */
  readonly ended: number;
  /** The input watermark: the smallest of the active senders'; it never goes back. */
  readonly watermark: number;
  /** The largest event time this partition's own `withTimestamps` has seen. */
  readonly maxTimestamp: number;
  /** Whether a record was taken since the last idle check. */
  readonly active: boolean;
  /** Whether this partition's own `withTimestamps` has gone a whole idle check without a record. */
  readonly ownIdle: boolean;
  /** The watermark and idleness this partition last sent downstream. */
  readonly sent: number;
  readonly sentIdle: boolean;
}

/**
 * Where a partition was in event time when a checkpoint took its state: what a resumed run starts
 * from, so that what was late before the stop is late after it.
 */
export interface EventTimeProgress {
  /** The partition's input watermark. */
  readonly watermark: number;
  /** The largest event time its own `withTimestamps` had seen. */
  readonly maxTimestamp: number;
}

/**
 * A partition's progress at its start: nothing heard from its `upstreams` senders yet, and its
 * watermark where a checkpoint left it (`from`), which it never goes back behind.
 */
export function startProgress(upstreams: number, from?: EventTimeProgress): InputProgress {
  return {
    watermarks: new Array<number>(upstreams).fill(NO_WATERMARK),
    idle: new Array<boolean>(upstreams).fill(false),
    ended: 0,
    watermark: from?.watermark ?? NO_WATERMARK,
    maxTimestamp: from?.maxTimestamp ?? Number.NEGATIVE_INFINITY,
    active: false,
    ownIdle: false,
    sent: NO_WATERMARK,
    sentIdle: false,
  };
}

/** Sender `from` reports `watermark`, idle or not. */
export function withWatermark(progress: InputProgress, from: number, watermark: number, idle: boolean): InputProgress {
  const watermarks = replaced(progress.watermarks, from, Math.max(progress.watermarks[from] ?? NO_WATERMARK, watermark));
  const idles = replaced(progress.idle, from, idle);
  return { ...progress, watermarks, idle: idles, watermark: combined(watermarks, idles, progress.watermark) };
}

/** Sender `from` has ended: it holds nothing back any more. */
export function withEnd(progress: InputProgress, from: number): InputProgress {
  const watermarks = replaced(progress.watermarks, from, END_OF_TIME);
  const idles = replaced(progress.idle, from, false);
  return { ...progress, watermarks, idle: idles, ended: progress.ended + 1, watermark: combined(watermarks, idles, progress.watermark) };
}

/** Whether every sender that has not ended is idle (so this partition is idle too). */
export function allIdle(progress: InputProgress): boolean {
  let waiting = 0;
  for (let i = 0; i < progress.watermarks.length; i++) {
    if (progress.watermarks[i] === END_OF_TIME) continue;
    if (!progress.idle[i]) return false;
    waiting++;
  }
  return waiting > 0;
}

function combined(watermarks: readonly number[], idle: readonly boolean[], previous: number): number {
  return combineWatermarks(
    watermarks.map((watermark, i) => ({ watermark, idle: idle[i] === true })),
    previous,
  );
}

/** A copy of `values` with `values[at] = value` (Array.prototype.with is ES2023). */
function replaced<T>(values: readonly T[], at: number, value: T): T[] {
  const copy = values.slice();
  copy[at] = value;
  return copy;
}
