/**
 * Reads a source that hands over its items by callback (`Source.readFeed`), with no promise per
 * item: an item is taken in the feed's call, and a promise is made only when something is due
 * after it (room downstream, a watermark, a barrier) or a wake comes while the source is slow.
 * As the driver reads an async iterator, the next item is asked for before the last one is taken,
 * and one that comes while the drain is paused waits until the pause is over.
 */
import type { FeedReader, ItemFeed, SourceItem } from '../sources/source.js';

/** What the source driver lends the drain: how an item is taken, and what to await between items. */
export interface FeedDrainHooks {
  /** Takes one item; false when the run should stop reading. */
  take(item: SourceItem<unknown, unknown>): boolean;
  /** Whether something must be awaited after the item just taken. */
  pauseDue(): boolean;
  /** What is due after an item, awaited. */
  afterItem(): Promise<void>;
  /**
   * Whether a barrier is due: looked at again before each wait, as a wake that came while the
   * drain was busy was not acted on.
   */
  barrierDue(): boolean;
  /** What is due when a wake comes while the source is slow (a barrier), or before a wait, awaited. */
  afterWake(): Promise<void>;
  /** After every item and its pause: the driver's linger and idle timers. */
  armTimers(): void;
  /** Whether reading should stop (the run was stopped or has failed). */
  stopping(): boolean;
  /** Resolves when a barrier or a stop is wanted; the same promise until it resolves. */
  wake(): Promise<void>;
}

/**
 * Where the drain is. `waiting`: a request is out and nothing else is under way (a wake is acted
 * on only then); `taking`: an item is being taken; `pausing`: something due is awaited; `over`:
 * the read ended, or was cancelled.
 */
type DrainPhase = 'waiting' | 'taking' | 'pausing' | 'over';

/** An answer that came while the drain was busy with the last. */
type Held = { readonly kind: 'item'; readonly item: SourceItem<unknown, unknown> } | { readonly kind: 'end' } | { readonly kind: 'none' };

const NONE: Held = { kind: 'none' };
const END: Held = { kind: 'end' };

/**
 * Reads the feed `open` starts (`source.readFeed(from, reader)`) until its end or a stop; resolves
 * then, and rejects when the feed fails or taking an item throws.
 */
export function drainFeed(open: (reader: FeedReader<unknown, unknown>) => ItemFeed, hooks: FeedDrainHooks): Promise<void> {
  return new Promise((resolve, reject) => new FeedDrain(hooks, resolve, reject).start(open));
}

class FeedDrain implements FeedReader<unknown, unknown> {
  readonly #hooks: FeedDrainHooks;
  readonly #resolve: () => void;
  readonly #reject: (error: unknown) => void;
  #feed: ItemFeed | undefined;
  #phase: DrainPhase = 'taking';
  #held: Held = NONE;
  /** The wake promise reacted to last: each is reacted to once, however many items it stays pending over. */
  #wakes: Promise<void> | undefined;
  /** Goes on once an item's pause is over. */
  readonly #afterItem = (): void => {
    if (this.#phase === 'over') return;
    this.#hooks.armTimers();
    this.#guarded(null);
  };
  /** Goes on once a wake's pause is over. */
  readonly #afterWake = (): void => {
    if (this.#phase !== 'over') this.#guarded(null);
  };
  readonly #onWake = (): void => {
    if (this.#phase !== 'waiting') return;
    if (this.#hooks.stopping()) return this.#finish(true);
    this.#pauseForWake();
  };
  readonly #onFailure = (error: unknown): void => {
    if (this.#phase === 'over') return;
    this.#phase = 'over';
    this.#cancel();
    this.#reject(error);
  };

  constructor(hooks: FeedDrainHooks, resolve: () => void, reject: (error: unknown) => void) {
    this.#hooks = hooks;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(open: (reader: FeedReader<unknown, unknown>) => ItemFeed): void {
    try {
      this.#feed = open(this);
    } catch (error) {
      return this.#onFailure(error);
    }
    this.#request();
    if (this.#phase === 'taking') this.#guarded(null);
  }

  item(item: SourceItem<unknown, unknown>): void {
    if (this.#phase === 'waiting') this.#guarded(item);
    else if (this.#phase !== 'over') this.#held = { kind: 'item', item };
  }

  end(): void {
    if (this.#phase === 'waiting') this.#finish(false);
    else if (this.#phase !== 'over') this.#held = END;
  }

  fail(error: unknown): void {
    this.#onFailure(error);
  }

  /**
   * Takes `item` (null: whatever came meanwhile, or waits for the next); a failure in taking it
   * fails the read, never the feed that called.
   */
  #guarded(item: SourceItem<unknown, unknown> | null): void {
    try {
      if (item === null) this.#goOn();
      else this.#take(item);
    } catch (error) {
      this.#onFailure(error);
    }
  }

  /** Takes items for as long as each was answered already and nothing is due after it. */
  #take(first: SourceItem<unknown, unknown>): void {
    const hooks = this.#hooks;
    let item = first;
    for (;;) {
      this.#phase = 'taking';
      this.#request();
      if (!hooks.take(item)) return this.#finish(true);
      if (hooks.pauseDue()) {
        this.#phase = 'pausing';
        hooks.afterItem().then(this.#afterItem, this.#onFailure);
        return;
      }
      hooks.armTimers();
      const held = this.#held;
      if (held.kind !== 'item') break;
      this.#held = NONE;
      item = held.item;
    }
    this.#goOn();
  }

  /** After an item or a pause: takes an answer that came meanwhile, or waits for the next. */
  #goOn(): void {
    const held = this.#held;
    this.#held = NONE;
    if (held.kind === 'item') return this.#take(held.item);
    if (held.kind === 'end') return this.#finish(false);
    if (this.#hooks.stopping()) return this.#finish(true);
    if (this.#hooks.barrierDue()) return this.#pauseForWake();
    this.#phase = 'waiting';
    const wake = this.#hooks.wake();
    if (wake !== this.#wakes) {
      this.#wakes = wake;
      void wake.then(this.#onWake);
    }
  }

  #pauseForWake(): void {
    this.#phase = 'pausing';
    this.#hooks.afterWake().then(this.#afterWake, this.#onFailure);
  }

  /** Asks the feed for the next item; an answer that comes at once is held for `#goOn`. */
  #request(): void {
    try {
      (this.#feed as ItemFeed).request();
    } catch (error) {
      this.#onFailure(error);
    }
  }

  #finish(stopped: boolean): void {
    if (this.#phase === 'over') return;
    this.#phase = 'over';
    if (stopped) this.#cancel();
    this.#resolve();
  }

  /** Cancels the read; a feed whose `cancel` throws has nothing left to stop. */
  #cancel(): void {
    try {
      this.#feed?.cancel();
    } catch {
      // Nothing was read that the error could belong to.
    }
  }
}
