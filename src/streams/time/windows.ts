/**
 * Window assignment, per record: which event-time windows a timestamp belongs to. Windows are
 * half-open, [start, end), and a window is complete once the watermark reaches `end - 1`. Pure.
 */
import { InvalidOptionError } from '../../errors.js';
import { nonNegativeNumber, positiveNumberOrInfinity } from '../../internal/validate.js';

/** An event-time window, [start, end) in milliseconds. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

/** How records are grouped into windows. */
export type WindowAssigner =
  | { readonly kind: 'tumbling'; readonly sizeMs: number; readonly offsetMs: number }
  | { readonly kind: 'sliding'; readonly sizeMs: number; readonly slideMs: number; readonly offsetMs: number }
  | { readonly kind: 'session'; readonly gapMs: number };

/**
 * Fixed, non-overlapping windows of `sizeMs`, aligned to the epoch (plus `offsetMs`).
 *
 * @example
 * ```ts
 * assignWindows(tumbling(60_000), 90_000); // [{ start: 60_000, end: 120_000 }]
 * ```
 */
export function tumbling(sizeMs: number, offsetMs = 0): WindowAssigner {
  return { kind: 'tumbling', sizeMs: checkSize('sizeMs', sizeMs), offsetMs: checkOffset(offsetMs, sizeMs) };
}

/** Windows of `sizeMs` starting every `slideMs`; a record belongs to each one that covers it. */
export function sliding(sizeMs: number, slideMs: number, offsetMs = 0): WindowAssigner {
  const size = checkSize('sizeMs', sizeMs);
  const slide = checkSize('slideMs', slideMs);
  if (slide > size) throw new InvalidOptionError('slideMs', `at most sizeMs (${size})`, slideMs);
  return { kind: 'sliding', sizeMs: size, slideMs: slide, offsetMs: checkOffset(offsetMs, slide) };
}

/**
 * Per-key sessions: a record less than `gapMs` after the one before it (in event time) joins its
 * session; a record exactly `gapMs` or more after it starts a new one. A session is `[first record,
 * last record + gapMs)`, complete once the watermark reaches its last millisecond.
 */
export function session(gapMs: number): WindowAssigner {
  return { kind: 'session', gapMs: checkSize('gapMs', gapMs) };
}

/**
 * The windows `timestamp` belongs to, earliest start first. A session record gets its own
 * proto-window `[timestamp, timestamp + gap)`, merged with its neighbours by `mergeWindows`.
 */
export function assignWindows(assigner: WindowAssigner, timestamp: number): TimeWindow[] {
  switch (assigner.kind) {
    case 'tumbling': {
      const start = windowStart(timestamp, assigner.sizeMs, assigner.offsetMs);
      return [{ start, end: start + assigner.sizeMs }];
    }
    case 'sliding': {
      const windows: TimeWindow[] = [];
      const last = windowStart(timestamp, assigner.slideMs, assigner.offsetMs);
      for (let start = last; start > timestamp - assigner.sizeMs; start -= assigner.slideMs) {
        windows.push({ start, end: start + assigner.sizeMs });
      }
      return windows.reverse();
    }
    case 'session':
      return [{ start: timestamp, end: timestamp + assigner.gapMs }];
  }
}

/**
 * Merges overlapping windows (sessions), earliest first; windows that only touch (one ends where
 * the next starts) stay apart. Returns the merged windows and, for each, which of the inputs it
 * absorbed.
 */
export function mergeWindows(windows: readonly TimeWindow[]): { window: TimeWindow; parts: TimeWindow[] }[] {
  const sorted = [...windows].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: { window: TimeWindow; parts: TimeWindow[] }[] = [];
  for (const window of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && window.start < last.window.end) {
      last.window = { start: last.window.start, end: Math.max(last.window.end, window.end) };
      last.parts.push(window);
    } else {
      merged.push({ window, parts: [window] });
    }
  }
  return merged;
}

/** The last event time a window covers: it is complete once the watermark reaches this. */
export function maxTimestamp(window: TimeWindow): number {
  return window.end - 1;
}

/**
 * The start of the period of `size` ms (aligned to the epoch plus `offset`) that holds `timestamp`.
 * @internal Shared with the window engines; not part of the public API.
 */
export function windowStart(timestamp: number, size: number, offset: number): number {
  // A remainder that is never negative, so windows before the epoch align like the rest.
  const remainder = (((timestamp - offset) % size) + size) % size;
  return timestamp - remainder;
}

function checkSize(option: string, value: number): number {
  const size = positiveNumberOrInfinity(option, value);
  if (!Number.isSafeInteger(size)) throw new InvalidOptionError(option, 'a whole number of milliseconds > 0', value);
  return size;
}

function checkOffset(offset: number, period: number): number {
  const value = nonNegativeNumber('offsetMs', offset);
  if (!Number.isSafeInteger(value) || value >= period) {
    throw new InvalidOptionError('offsetMs', `a whole number of milliseconds below ${period}`, offset);
  }
  return value;
}
