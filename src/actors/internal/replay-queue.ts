/**
 * What a restart hands back to be processed again, before anything new from the mailbox: the
 * entries taken since the restart point (and any left from an earlier replay), in the order they
 * were first taken. A replay is in progress from the restart until its last entry is handled.
 */
import type { Logged } from './restart-point.js';

/** The queue of every actor not replaying: shared, as the entries are replaced, never written in place. */
const NO_ENTRIES: readonly Logged<never>[] = [];

export class ReplayQueue<TEntry> {
  #entries: readonly Logged<TEntry>[] = NO_ENTRIES;
  #index = 0;
  #active = false;
  #untilStop = false;

  /** A replay is in progress: entries were handed back and the last is not handled yet. */
  get inProgress(): boolean {
    return this.#entries.length > 0;
  }

  /** Entries are being processed again now (an ask answered the first time is not answered twice). */
  get active(): boolean {
    return this.#active;
  }

  /**
   * A stop came while the actor waited to restart: the replay is finished before the actor stops,
   * though it takes nothing new from its mailbox.
   */
  get untilStop(): boolean {
    return this.#untilStop;
  }

  /** Every entry handed back has been taken again. */
  get exhausted(): boolean {
    return this.#index >= this.#entries.length;
  }

  /** Processing begins (or goes on). */
  begin(): void {
    this.#active = true;
  }

  /** The next entry to process again; undefined when none is left. */
  next(): Logged<TEntry> | undefined {
    return this.#index < this.#entries.length ? this.#entries[this.#index++] : undefined;
  }

  /** The entries not taken again yet. */
  remaining(): Logged<TEntry>[] {
    return this.#entries.slice(this.#index);
  }

  /** A rollback: `entries` are what is to be processed again now, from the first. */
  replace(entries: Logged<TEntry>[]): void {
    this.#entries = entries;
    this.#index = 0;
  }

  /** Gives up the entry taken under `ordinal`, wherever it is in the queue. */
  remove(ordinal: number): void {
    this.#entries = this.#entries.filter((logged) => logged.ordinal !== ordinal);
  }

  /** The actor was stopped while waiting to restart: finish this replay before stopping. */
  finishBeforeStop(): void {
    this.#untilStop = true;
  }

  /** The replay is over (or abandoned by a fresh start). */
  finish(): void {
    this.#entries = NO_ENTRIES;
    this.#index = 0;
    this.#active = false;
    this.#untilStop = false;
  }

  /** The actor stops: hands over what was never taken again, and ends the replay. */
  takeLeftover(): readonly Logged<TEntry>[] {
    const leftover = this.#index >= this.#entries.length ? NO_ENTRIES : this.remaining();
    this.finish();
    return leftover;
  }
}
