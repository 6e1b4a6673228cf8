/**
 * Death watch, one side per actor: whom this actor watches, and who watches it with which mapping.
 * When the actor stops, it stops watching everybody and each of its watchers hears of it once,
 * through the notify function its own side was made with.
 */
import type { Terminated } from '../terminated.js';
import type { WatchMapper } from './cell-context.js';

export class DeathWatch {
  readonly #watchers = new Map<DeathWatch, WatchMapper>();
  readonly #watching = new Set<DeathWatch>();
  readonly #notify: (terminated: Terminated, toMessage: WatchMapper) => void;

  /** `notify` delivers a Terminated notification to this side's actor. */
  constructor(notify: (terminated: Terminated, toMessage: WatchMapper) => void) {
    this.#notify = notify;
  }

  /** Watches `target`'s actor (again: the newest mapping counts). */
  watch(target: DeathWatch, toMessage: WatchMapper): void {
    target.#watchers.set(this, toMessage);
    this.#watching.add(target);
  }

  unwatch(target: DeathWatch): void {
    target.#watchers.delete(this);
    this.#watching.delete(target);
  }

  /** This side's actor stopped with `terminated`: it watches nobody now, and every watcher is told once. */
  ended(terminated: Terminated): void {
    for (const target of this.#watching) target.#watchers.delete(this);
    this.#watching.clear();
    for (const [watcher, toMessage] of this.#watchers) watcher.#notify(terminated, toMessage);
    this.#watchers.clear();
  }
}
