/**
 * Sliding windows cut into panes of gcd(size, slide) ms, so that every window is a run of whole
 * panes: a record updates one pane's accumulator instead of one per window it falls in
 * (size / slide of them), and a window's result is its panes' accumulators merged, earliest
 * first, when it fires. Each key's panes are one immutable entry in the store. What falls due
 * when is two indexes by time, derived from the store when the engine is made: for each window
 * end, the keys with a record in that window, in the order their first one arrived; for each
 * expiry time, the keys with a pane whose last window can take no more records then.
 *
 * For watermarks that never go back it fires the same (key, window) pairs, in the same calls and
 * the same order, as one accumulator per window (`WindowEngine`) does; only the grouping of
 * records before the merge differs, which is why panes need a `merge`. Whether a window fired is
 * not a flag per window but the watermark each key's entry was last written under: a key fires
 * its windows in order of end, so those that ended by then are the ones that fired. That survives
 * a restore from a checkpoint, whose input watermark starts again from nothing: the key acts
 * under the larger of the two.
 */
import { TimeBuckets } from '../../internal/time-buckets.js';
import { NO_FIRINGS } from './no-firings.js';
import type { KeyedWindowAggregate, KeyedWindows, SlotAddOutcome, SlotFiring, SlotStore } from './window-engine.js';
import { windowStart, type TimeWindow, type WindowAssigner } from './windows.js';

/**
 * One key's panes, sorted by start, as parallel arrays, so that a record in an existing pane
 * replaces only `accumulators`. Never mutated.
 */
export interface KeyPanes<TAcc> {
  readonly starts: readonly number[];
  /**
   * Each pane's place in the order panes were made: a key entered a window when its first pane
   * there was made, so the firing order can be derived again from the store after a restart.
   */
  readonly seqs: readonly number[];
  readonly accumulators: readonly TAcc[];
  /** The watermark the entry was last written under: the key's windows ending by then fired. */
  readonly watermark: number;
}

type SlidingAssigner = Extract<WindowAssigner, { readonly kind: 'sliding' }>;

const NO_NUMBERS: readonly number[] = Object.freeze([]);
const REFUSED: SlotAddOutcome<never, never> = Object.freeze({ late: true, firings: Object.freeze([]) });
const TAKEN: SlotAddOutcome<never, never> = Object.freeze({ late: false, firings: Object.freeze([]) });

export class PaneEngine<TKey, TIn, TAcc> implements KeyedWindows<TKey, TIn, TAcc> {
  readonly #size: number;
  readonly #slide: number;
  readonly #offset: number;
  readonly #pane: number;
  readonly #paneOffset: number;
  readonly #lateness: number;
  readonly #aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>;
  readonly #store: SlotStore<TKey, KeyPanes<TAcc>>;
  /** Window end − 1 → the keys with a record in that window, in the order they entered it. */
  readonly #due = new TimeBuckets<TKey>();
  /** Expiry time → keys with a pane that expires then (a key may be filed more than once). */
  readonly #expiring = new TimeBuckets<TKey>();
  #seq = 0;

  /** Indexes the panes `store` already holds. */
  constructor(assigner: SlidingAssigner, aggregate: KeyedWindowAggregate<TKey, TIn, TAcc>, latenessMs: number, store: SlotStore<TKey, KeyPanes<TAcc>>) {
    this.#size = assigner.sizeMs;
    this.#slide = assigner.slideMs;
    this.#offset = assigner.offsetMs;
    this.#pane = gcd(assigner.sizeMs, assigner.slideMs);
    // Window starts and ends are all the offset plus a multiple of the pane size.
    this.#paneOffset = assigner.offsetMs % this.#pane;
    this.#lateness = latenessMs;
    this.#aggregate = aggregate;
    this.#store = store;
    this.#indexStore();
  }

  add(key: TKey, value: TIn, timestamp: number, inputWatermark: number): SlotAddOutcome<TKey, TAcc> {
    const before = this.#store.get(key);
    const watermark = before === undefined ? inputWatermark : Math.max(inputWatermark, before.watermark);
    const start = windowStart(timestamp, this.#pane, this.#paneOffset);
    const lastEnd = this.#lastEnd(start);
    if (lastEnd - 1 + this.#lateness <= watermark) return REFUSED;
    const starts = before?.starts ?? NO_NUMBERS;
    // Records come roughly in time order, so the pane is at or near the end.
    let at = starts.length;
    while (at > 0 && (starts[at - 1] as number) > start) at--;
    const found = at > 0 && starts[at - 1] === start;
    const aggregate = this.#aggregate;
    const accumulator = aggregate.add(found ? ((before as KeyPanes<TAcc>).accumulators[at - 1] as TAcc) : aggregate.create(key), value, key);
    let entry: KeyPanes<TAcc>;
    if (found) {
      const accumulators = (before as KeyPanes<TAcc>).accumulators.slice();
      accumulators[at - 1] = accumulator;
      entry = { starts, seqs: (before as KeyPanes<TAcc>).seqs, accumulators, watermark };
    } else {
      entry = {
        starts: inserted(starts, at, start),
        seqs: inserted(before?.seqs ?? NO_NUMBERS, at, this.#seq++),
        accumulators: inserted(before?.accumulators ?? [], at, accumulator),
        watermark,
      };
    }
    this.#store.set(key, entry);
    if (!found) this.#indexPane(key, entry, at, lastEnd, watermark);
    const firstEnd = this.#firstEnd(start, lastEnd);
    if (firstEnd - 1 > watermark) return TAKEN;
    // The watermark passed some of the pane's windows: those still within the lateness fire again.
    const firings: SlotFiring<TKey, TAcc>[] = [];
    for (let end = firstEnd; end <= lastEnd && end - 1 <= watermark; end += this.#slide) {
      if (end - 1 + this.#lateness <= watermark) continue;
      const window = { start: end - this.#size, end };
      firings.push({ key, window, accumulators: accumulatorsIn(entry, window), late: true });
    }
    return { late: false, firings };
  }

  advance(watermark: number): readonly SlotFiring<TKey, TAcc>[] {
    if (this.#due.nextDue(watermark) === undefined && this.#expiring.nextDue(watermark) === undefined) return NO_FIRINGS;
    const firings: SlotFiring<TKey, TAcc>[] = [];
    const store = this.#store;
    // Every firing before any expiry: a pane expires no earlier than the last window it is in fires.
    for (let last = this.#due.nextDue(watermark); last !== undefined; last = this.#due.nextDue(watermark)) {
      const window = { start: last + 1 - this.#size, end: last + 1 };
      for (const key of this.#due.takeEarliest()) {
        const entry = store.get(key);
        if (entry === undefined || entry.watermark >= last) continue;
        const accumulators = accumulatorsIn(entry, window);
        if (accumulators.length === 0) continue;
        firings.push({ key, window, accumulators, late: false });
        // Marks the window fired, and no later one: more of the key's windows may be due in this call.
        store.set(key, { starts: entry.starts, seqs: entry.seqs, accumulators: entry.accumulators, watermark: last });
      }
    }
    while (this.#expiring.nextDue(watermark) !== undefined) {
      for (const key of this.#expiring.takeEarliest()) this.#expire(key, watermark);
    }
    return firings;
  }

  count(): number {
    let count = 0;
    for (const [, entry] of this.#store.entries()) count += entry.starts.length;
    return count;
  }

  /** The end of the last window that holds the pane starting at `start`. */
  #lastEnd(start: number): number {
    return windowStart(start, this.#slide, this.#offset) + this.#size;
  }

  /** The end of the first window that holds the pane starting at `start`. */
  #firstEnd(start: number, lastEnd: number): number {
    return lastEnd - Math.floor((lastEnd - start - this.#pane) / this.#slide) * this.#slide;
  }

  /**
   * Files a new pane (number `at`) under the windows it makes the key enter — those where no other
   * pane of the key is yet, which would be a neighbour in start order — and under its expiry.
   */
  #indexPane(key: TKey, entry: KeyPanes<TAcc>, at: number, lastEnd: number, watermark: number): void {
    const { starts } = entry;
    const previous = at > 0 ? (starts[at - 1] as number) : -Infinity;
    const next = at + 1 < starts.length ? (starts[at + 1] as number) : Infinity;
    for (let end = this.#firstEnd(starts[at] as number, lastEnd); end <= lastEnd; end += this.#slide) {
      if (end - 1 > watermark && previous < end - this.#size && next >= end) this.#due.add(end - 1, key);
    }
    this.#expiring.add(lastEnd - 1 + this.#lateness, key);
  }

  /** Drops the key's panes whose every window is past the allowed lateness. */
  #expire(key: TKey, watermark: number): void {
    const entry = this.#store.get(key);
    if (entry === undefined) return;
    const { starts, seqs, accumulators } = entry;
    // Expiry times grow with the start, so the expired panes come first.
    let expired = 0;
    while (expired < starts.length && this.#lastEnd(starts[expired] as number) - 1 + this.#lateness <= watermark) expired++;
    if (expired === 0) return;
    if (expired === starts.length) this.#store.delete(key);
    else this.#store.set(key, { starts: starts.slice(expired), seqs: seqs.slice(expired), accumulators: accumulators.slice(expired), watermark });
  }

  /** Derives both indexes from the store: each key enters a window with its earliest-made pane there. */
  #indexStore(): void {
    const entered = new Map<number, { key: TKey; seq: number }[]>();
    for (const [key, { starts, seqs, watermark }] of this.#store.entries()) {
      const firstSeq = new Map<number, number>();
      starts.forEach((start, i) => {
        const seq = seqs[i] as number;
        this.#seq = Math.max(this.#seq, seq + 1);
        const lastEnd = this.#lastEnd(start);
        this.#expiring.add(lastEnd - 1 + this.#lateness, key);
        for (let end = this.#firstEnd(start, lastEnd); end <= lastEnd; end += this.#slide) {
          if (end - 1 > watermark) firstSeq.set(end - 1, Math.min(firstSeq.get(end - 1) ?? Infinity, seq));
        }
      });
      for (const [last, seq] of firstSeq) {
        const keys = entered.get(last);
        if (keys === undefined) entered.set(last, [{ key, seq }]);
        else keys.push({ key, seq });
      }
    }
    for (const [last, keys] of entered) {
      keys.sort((a, b) => a.seq - b.seq);
      for (const { key } of keys) this.#due.add(last, key);
    }
  }
}

/** The accumulators of the panes inside `window`, earliest first: a run of the sorted panes. */
function accumulatorsIn<TAcc>({ starts, accumulators }: KeyPanes<TAcc>, window: TimeWindow): TAcc[] {
  let from = 0;
  while (from < starts.length && (starts[from] as number) < window.start) from++;
  let to = from;
  while (to < starts.length && (starts[to] as number) < window.end) to++;
  return accumulators.slice(from, to);
}

function inserted<T>(values: readonly T[], at: number, value: T): T[] {
  const next = values.slice();
  next.splice(at, 0, value);
  return next;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
