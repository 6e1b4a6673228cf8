/**
 * Helpers for supervision and snapshot tests: a worker whose messages fail a chosen number of
 * times, a parent that spawns children on request, a way to await how an actor's incarnation ended,
 * and a snapshot store a test can hold, fail and watch.
 */
import {
  MemorySnapshotStore,
  defineActor,
  type ActorDefinition,
  type ActorRef,
  type ActorSystem,
  type LoadResult,
  type Snapshot,
  type SnapshotStore,
  type SpawnOptions,
} from '../../src/index.js';
import { counter, deferred, type CounterMsg, type Deferred, type EventOf } from '../actors/helpers.js';
import type { SupervisionStrategy } from '../../src/index.js';

/** Three sibling workers, started in this order, for the strategy tests. */
export const CHILDREN = ['a', 'b', 'c'] as const;
export type ChildName = (typeof CHILDREN)[number];

/** Which children restart when `failing` does, in the order OTP restarts them (start order). */
export const RESTART_GROUPS: Record<SupervisionStrategy, Record<ChildName, readonly ChildName[]>> = {
  'one-for-one': { a: ['a'], b: ['b'], c: ['c'] },
  'one-for-all': { a: ['a', 'b', 'c'], b: ['a', 'b', 'c'], c: ['a', 'b', 'c'] },
  'rest-for-one': { a: ['a', 'b', 'c'], b: ['b', 'c'], c: ['c'] },
};

/** Fails its first `failures` attempts with `error`, then adds `by`. */
export interface FlakyMsg {
  readonly type: 'flaky';
  readonly by: number;
  readonly failures: number;
  readonly error: unknown;
  /** Attempts so far: the handler counts here, so the count survives the actor's restarts. */
  readonly attempts: { n: number };
}

export type WorkerMsg =
  | CounterMsg
  | FlakyMsg
  /** `ctx.stop()` from inside the handler. */
  | { type: 'stop-self' }
  /** Replies `{ taken }`: the promise `ctx.snapshot()` returned (wrapped, so the ask does not adopt it). */
  | { type: 'snapshot' };

/** A message that fails `failures` times (once by default) and then adds `by` (0 by default). */
export function flaky(error: unknown, options: { by?: number; failures?: number } = {}): FlakyMsg {
  return { type: 'flaky', by: options.by ?? 0, failures: options.failures ?? 1, error, attempts: { n: 0 } };
}

/** The reply to `{ type: 'snapshot' }`. */
export interface SnapshotReply {
  readonly taken: Promise<void>;
}

/** A counter (see `counter` in the actor helpers) that also takes flaky, stop-self and snapshot messages. */
export const worker = defineActor<number, WorkerMsg>({
  initialState: () => 0,
  receive(state, msg, ctx) {
    switch (msg.type) {
      case 'inc':
      case 'get':
      case 'fail':
        return counter.receive(state, msg, ctx as never);
      case 'flaky':
        msg.attempts.n++;
        if (msg.attempts.n <= msg.failures) throw msg.error;
        return state + msg.by;
      case 'stop-self':
        ctx.stop();
        return state;
      case 'snapshot': {
        const reply: SnapshotReply = { taken: ctx.snapshot() };
        ctx.reply(reply);
        return state;
      }
    }
  },
});

export type ParentMsg = {
  readonly type: 'spawn';
  readonly name: string;
  /** Spawn a `worker` (default) or another `parent`. */
  readonly kind?: 'worker' | 'parent';
  readonly options?: SpawnOptions;
};

/** Spawns children on request and replies with their refs; it has no state of its own. */
export const parent: ActorDefinition<null, ParentMsg> = defineActor<null, ParentMsg>({
  initialState: () => null,
  receive(state, msg, ctx) {
    const options = { ...msg.options, name: msg.name };
    ctx.reply(msg.kind === 'parent' ? ctx.spawn(parent, options) : ctx.spawn(worker, options));
    return state;
  },
});

/** Has `supervisor` spawn a worker child named `name`. */
export function spawnWorker(supervisor: ActorRef<ParentMsg>, name: string, options?: SpawnOptions): Promise<ActorRef<WorkerMsg>> {
  return supervisor.ask<ActorRef<WorkerMsg>>(options === undefined ? { type: 'spawn', name } : { type: 'spawn', name, options });
}

/** Has `supervisor` spawn a parent child named `name`. */
export function spawnParent(supervisor: ActorRef<ParentMsg>, name: string, options?: SpawnOptions): Promise<ActorRef<ParentMsg>> {
  const msg: ParentMsg = options === undefined ? { type: 'spawn', name, kind: 'parent' } : { type: 'spawn', name, kind: 'parent', options };
  return supervisor.ask<ActorRef<ParentMsg>>(msg);
}

/** How an actor's current incarnation ended: the first restart or stop event of `path`. */
export type Outcome = EventOf<'actor-restarted'> | EventOf<'actor-stopped'>;

/** The first `actor-restarted` or `actor-stopped` event of the actor at `path` from now on. */
export function nextOutcome(system: ActorSystem, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const unsubscribe = system.events.subscribe((event) => {
      if (event.type !== 'actor-restarted' && event.type !== 'actor-stopped') return;
      if (event.path !== path) return;
      unsubscribe();
      resolve(event);
    });
  });
}

/** What a rejected promise rejected with (undefined when it resolved). */
export function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

/**
 * A store a test controls, wrapping another (a memory store by default): it can hold saves until
 * released, fail them, and it records how many saves ran at once and which sequences it was asked
 * to save.
 */
export class ControlledStore implements SnapshotStore {
  readonly inner: SnapshotStore;
  /** Sequences passed to `save`, in call order. */
  readonly requested: number[] = [];
  active = 0;
  maxActive = 0;
  /** When set, saves reject with it (after any hold). */
  failWith: unknown;
  #held: Deferred<void> | undefined;
  #saveStarted: Deferred<number> | undefined;

  constructor(inner: SnapshotStore = new MemorySnapshotStore()) {
    this.inner = inner;
  }

  /** Makes saves from now on wait until `release()`. */
  hold(): void {
    this.#held ??= deferred();
  }

  release(): void {
    this.#held?.resolve();
    this.#held = undefined;
  }

  /** Resolves with the sequence of the next save that starts. */
  nextSave(): Promise<number> {
    this.#saveStarted ??= deferred<number>();
    return this.#saveStarted.promise;
  }

  async save(key: string, snapshot: Snapshot): Promise<void> {
    this.requested.push(snapshot.sequence);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    const started = this.#saveStarted;
    this.#saveStarted = undefined;
    started?.resolve(snapshot.sequence);
    try {
      if (this.#held !== undefined) await this.#held.promise;
      if (this.failWith !== undefined) throw this.failWith;
      await this.inner.save(key, snapshot);
    } finally {
      this.active--;
    }
  }

  load(key: string): Promise<LoadResult> {
    return this.inner.load(key);
  }

  delete(key: string): Promise<void> {
    return this.inner.delete(key);
  }
}
