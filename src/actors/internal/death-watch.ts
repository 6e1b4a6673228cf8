/**
 * Death watch, one side per actor: whom this actor watches, and who watches it with which mapping.
 * When the actor stops, it stops watching everybody and each of its watchers hears of it once,
 * through the notify function its own side was made with. Both collections are made on first
 * use: most actors watch nobody and nobody watches them.
 */
import type { Terminated } from '../terminated.js';
import type { WatchMapper } from './cell-context.js';

export class DeathWatch {
  #watchers: Map<DeathWatch, WatchMapper> | undefined;
  #watching: Set<DeathWatch> | undefined;
  readonly #notify: (terminated: Terminated, toMessage: WatchMapper) => void;

  /** `notify` delivers a Terminated notification to this side's actor. */
  constructor(notify: (terminated: Terminated, toMessage: WatchMapper) => void) {
    this.#notify = notify;
  }

  /** Watches `target`'s actor (again: the newest mapping counts). */
  watch(target: DeathWatch, toMessage: WatchMapper): void {
    (target.#watchers ??= new Map()).set(this, toMessage);
    (this.#watching ??= new Set()).add(target);
  }

  unwatch(target: DeathWatch): void {
    target.#watchers?.delete(this);
    this.#watching?.delete(target);
  }

  /** This side's actor stopped with `terminated`: it watches nobody now, and every watcher is told once. */
  ended(terminated: Terminated): void {
    const watching = this.#watching;
    this.#watching = undefined;
    if (watching !== undefined) for (const target of watching) target.#watchers?.delete(this);
    const watchers = this.#watchers;
    this.#watchers = undefined;
    if (watchers !== undefined) for (const [watcher, toMessage] of watchers) watcher.#notify(terminated, toMessage);
  }
}
