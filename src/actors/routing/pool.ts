/**
 * Pools: N routees of one definition behind one routing ref, spawned, supervised, replaced and
 * resized by the pool. The options are in `pool-options.ts`; the routees' lifecycle in
 * `internal/pool-members.ts`; the actor that supervises them in `internal/pool-head.ts`; the
 * routing in `internal/routing-core.ts` and one file per strategy.
 */
import type { AnyActorRef } from '../actor-ref.js';
import type { ActorDefinition } from '../behavior.js';
import { validateDefinition } from '../behavior.js';
import { PoolMembers, type PoolParent } from './internal/pool-members.js';
import { RoutingActorRef } from './internal/routing-actor-ref.js';
import { RoutingCore } from './internal/routing-core.js';
import { checkPoolSize, resolvePoolOptions, type PoolOptions } from './pool-options.js';
import type { ResolvedResizer } from './resizer.js';
import type { RoutingMetrics, RoutingRef } from './routing-ref.js';

export type { PoolParent };

/** What `pool.metrics()` returns: the routing counters, plus the pool's own. */
export interface PoolMetrics extends RoutingMetrics {
  /** Routees replaced after they stopped for good. */
  readonly replaced: number;
  /** Changes of size, by `resize` or by the resizer. */
  readonly resizes: number;
}

/**
 * A pool of routees of one definition. Its `id`, `name`, `path` and `status` are those of the actor
 * that supervises the routees (`supervisor`); stopping the pool stops it, and with it every routee.
 */
export interface Pool<TMessage> extends RoutingRef<TMessage> {
  /**
   * The actor that supervises the routees, at the pool's path. Watch it to learn when the pool
   * stops (`ctx.watch` takes actors, not routing refs).
   */
  readonly supervisor: AnyActorRef;
  /**
   * Grows the pool to `size` routees (new slots get fresh routees at once) or shrinks it (the
   * highest slots leave: each handles what it has queued, then stops). Under consistent hashing,
   * only the keys of the slots that come or go move.
   * @throws InvalidOptionError naming `size` unless it is a positive integer (within the
   * resizer's bounds, when there is one); ActorStoppedError when the pool is stopping or stopped.
   */
  resize(size: number): void;
  metrics(): PoolMetrics;
}

class RoutingPool<TState, TMessage> extends RoutingActorRef<TMessage> implements Pool<TMessage> {
  readonly #members: PoolMembers<TState, TMessage>;
  readonly #resizer: ResolvedResizer | undefined;

  constructor(members: PoolMembers<TState, TMessage>, core: RoutingCore<TMessage>, resizer: ResolvedResizer | undefined) {
    super(core);
    this.#members = members;
    this.#resizer = resizer;
  }

  get supervisor(): AnyActorRef {
    return this.#members.head;
  }

  resize(size: number): void {
    this.#members.resize(checkPoolSize(size, this.#resizer));
  }

  override metrics(): PoolMetrics {
    return { ...super.metrics(), replaced: this.#members.replaced, resizes: this.#members.resizes };
  }
}

/**
 * Spawns a pool of `options.size` routees of `definition` under `parent` — the system, or a
 * handler's `ctx` — and returns the routing ref in front of them.
 *
 * @throws InvalidOptionError naming the first bad option (or `definition`); SystemStoppedError or
 * ActorStoppedError when `parent` can take no more children; what a routee's `initialState` throws.
 * @example
 * ```ts
 * const resizers = spawnPool(system, imageResizer, { name: 'resizers', size: 4, routing: 'least-mailbox' });
 * await resizers.send({ url: 'https://example.com/cat.png', width: 320 });
 * ```
 */
export function spawnPool<TState, TMessage>(parent: PoolParent, definition: ActorDefinition<TState, TMessage>, options: PoolOptions<TMessage>): Pool<TMessage> {
  validateDefinition(definition);
  const resolved = resolvePoolOptions(options);
  const members = new PoolMembers(parent, definition, resolved);
  return new RoutingPool(members, new RoutingCore<TMessage>(members, resolved.logic), resolved.resizer);
}
