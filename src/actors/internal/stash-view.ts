/**
 * `ctx.stash` as a handler sees it: the cell's stash buffer, with `add` taking the message being
 * handled. A class, not an object literal with a `size` getter: a literal's getter is kept in its
 * hidden class (an old-generation object), so a view made per actor would keep the getter's closure,
 * and the actor it reaches, alive through every scavenge after the actor is gone.
 */
import type { ActorStash } from '../stash.js';

/** What the view reads and asks of its cell. */
export interface StashViewHost {
  /** The stash's buffer: how many it holds, how many it may hold, and putting them all back. */
  readonly buffer: { readonly size: number; readonly capacity: number; unstashAll(): number };
  /** Stashes the message being handled; false when the stash was full. */
  add(): boolean;
  /** Notes that the stash has been used: from then on the cell marks where each handler starts. */
  use(): void;
}

export class StashView implements ActorStash {
  readonly capacity: number;
  readonly #host: StashViewHost;

  constructor(host: StashViewHost) {
    this.#host = host;
    this.capacity = host.buffer.capacity;
  }

  get size(): number {
    return this.#host.buffer.size;
  }

  add(): boolean {
    return this.#host.add();
  }

  unstashAll(): number {
    this.#host.use();
    return this.#host.buffer.unstashAll();
  }
}
