/**
 * Group commit: appends queue up and are committed in groups, so concurrent appends share one
 * write and one fsync. Groups are committed one at a time, in queue order, each holding at most
 * `maxBytes` (but always at least one append). So at any moment at most one group's bytes are
 * written but not yet durable — the bound crash recovery relies on to tell a torn tail from damage.
 *
 * When to commit: the first append into an idle queue starts a `delayMs` timer (0: a microtask,
 * which still gathers every append made in the same synchronous run); a queue reaching `maxBytes`
 * commits at once; appends that arrive while a group commits form the next group, committed as
 * soon as that one is done (they already waited an fsync). Nothing runs while the queue is empty.
 */
import type { Clock, TimerHandle } from '../../clock.js';

/** One queued append. `commit` settles it; a failed commit rejects what it left unsettled. */
export interface PendingAppend {
  /** Bytes it adds to a group (0 for an append of no records). */
  readonly bytes: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** What {@link GroupCommit} needs. */
export interface GroupCommitOptions<TAppend extends PendingAppend> {
  readonly delayMs: number;
  readonly maxBytes: number;
  readonly clock: Clock;
  /** Makes `group` durable, resolving each member as it becomes durable, in order. */
  readonly commit: (group: readonly TAppend[]) => Promise<void>;
  /** The error for appends queued or made after a commit failed. */
  readonly failedError: (cause: unknown) => unknown;
}

/** The queue and schedule of a journal's commits. */
export class GroupCommit<TAppend extends PendingAppend> {
  readonly #options: GroupCommitOptions<TAppend>;
  #queue: TAppend[] = [];
  #queuedBytes = 0;
  #state: 'idle' | 'scheduled' | 'running' = 'idle';
  #timer: TimerHandle | undefined;
  #failure: { readonly cause: unknown } | undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(options: GroupCommitOptions<TAppend>) {
    this.#options = options;
  }

  /** Queues `append` to be committed after every append queued before it. */
  enqueue(append: TAppend): void {
    if (this.#failure !== undefined) {
      append.reject(this.#options.failedError(this.#failure.cause));
      return;
    }
    this.#queue.push(append);
    this.#queuedBytes += append.bytes;
    this.#schedule();
  }

  /** Commits what is queued without waiting for the timer; resolves once nothing is queued or running. */
  flush(): Promise<void> {
    if (this.#state === 'idle' && this.#queue.length === 0) return Promise.resolve();
    const idle = new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    if (this.#state !== 'running') void this.#run();
    return idle;
  }

  #schedule(): void {
    if (this.#state === 'running') return; // the running loop takes it next
    const full = this.#queuedBytes >= this.#options.maxBytes;
    if (this.#state === 'scheduled') {
      if (full && this.#timer !== undefined) void this.#run();
      return;
    }
    this.#state = 'scheduled';
    if (full || this.#options.delayMs === 0) queueMicrotask(() => void this.#run());
    // Kept alive (the clock's default): appends wait on this commit.
    else this.#timer = this.#options.clock.setTimeout(() => void this.#run(), this.#options.delayMs);
  }

  async #run(): Promise<void> {
    if (this.#state === 'running') return; // a timer, a microtask and a flush may all ask
    this.#state = 'running';
    if (this.#timer !== undefined) {
      this.#options.clock.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    while (this.#queue.length > 0) {
      const group = this.#take();
      try {
        await this.#options.commit(group);
      } catch (error) {
        for (const append of group) append.reject(error); // no effect on those already resolved
        this.#fail(error);
      }
    }
    this.#state = 'idle';
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /** The longest prefix of the queue within `maxBytes`, and at least one append. */
  #take(): TAppend[] {
    let bytes = 0;
    let n = 0;
    for (const append of this.#queue) {
      if (n > 0 && bytes + append.bytes > this.#options.maxBytes) break;
      bytes += append.bytes;
      n++;
    }
    const group = n === this.#queue.length ? this.#queue : this.#queue.slice(0, n);
    this.#queue = n === this.#queue.length ? [] : this.#queue.slice(n);
    this.#queuedBytes -= bytes;
    return group;
  }

  #fail(cause: unknown): void {
    this.#failure = { cause };
    const error = this.#options.failedError(cause);
    for (const append of this.#queue) append.reject(error);
    this.#queue = [];
    this.#queuedBytes = 0;
  }
}
