/**
 * A routing ref: one ref in front of several actors (its routees), handing each message to one of
 * them by a routing strategy. Types only; pools (`pool.ts`) and groups (`group.ts`) make them, and
 * the routing itself is in `internal/`. A routing ref routes in the caller's own call — there is
 * no router actor in between — so a message costs one routing decision more than a plain send, and
 * backpressure is the chosen routee's own.
 */
import type { ActorMetrics } from '../actor-metrics.js';
import type { ActorRef } from '../actor-ref.js';
import type { MailboxMetrics } from '../../mailbox/mailbox.js';
import type { PartitionKey } from '../../streams/partitioning/canonical-key.js';

/**
 * How a routing ref picks the routee of a message:
 * - `'round-robin'`: each routee in turn, so n messages spread over n routees one each.
 * - `'least-mailbox'`: the routee with the fewest messages queued, counting one it is handling
 *   (an async handler awaiting, say) as one more; ties go to each in turn.
 * - `'consistent-hash'`: by the message's key (`keyOf`), so messages with one key go to one
 *   routee, the same in every process; a change of routees moves few keys (see `keyGroups`).
 */
export type RoutingStrategy = 'round-robin' | 'least-mailbox' | 'consistent-hash';

/** Every routing strategy, for validation and documentation. */
export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['round-robin', 'least-mailbox', 'consistent-hash'];

/** How a pool or a group routes. */
export interface RoutingOptions<TMessage> {
  /**
   * How each message's routee is picked.
   * @defaultValue 'round-robin'
   */
  routing?: RoutingStrategy | undefined;
  /**
   * The key of a message, for `'consistent-hash'` (required there, refused with any other
   * strategy). Hashed by its canonical bytes, so equal keys go to the same routee in every run.
   */
  keyOf?: ((message: TMessage) => PartitionKey) | undefined;
  /**
   * For `'consistent-hash'`: how many key groups keys hash into (as in a pipeline's keyed stage);
   * each group belongs to one routee, chosen by rendezvous hashing on the routee's slot, so a routee
   * that joins takes about 1/(n+1) of the groups and one that leaves gives up only its own. More
   * groups spread keys more evenly and cost a table of that many entries.
   * @defaultValue 1024
   */
  keyGroups?: number | undefined;
}

/** One routee's counters, with the slot that identifies it to the routing. */
export interface RouteeMetrics extends ActorMetrics {
  /**
   * The routee's slot: `routee-<n>` in a pool, where a replacement takes the slot of the routee it
   * replaces; the ref's path in a group.
   */
  readonly slot: string;
}

/**
 * What `metrics()` returns for a routing ref: its routees' mailbox counters added up (capacity,
 * depth, waiting senders; processed and dropped also count routees that have left, so they never
 * go down; the high-water mark is the highest of one routee), each routee's own counters, and the
 * ref's own.
 */
export interface RoutingMetrics extends MailboxMetrics {
  readonly routing: RoutingStrategy;
  /** The routees now, in slot order. */
  readonly routees: readonly RouteeMetrics[];
  /** Messages handed to a routee (`tell`s it accepted, `send`s and `ask`s given to it). */
  readonly routed: number;
  /** Calls of `broadcast`. */
  readonly broadcasts: number;
}

/**
 * A ref in front of several routees. `tell`, `send` and `ask` pick one routee by the routing
 * strategy and hand it the message there and then; each behaves as that routee's own would (a full
 * mailbox makes `tell` return false and `send` wait for room in that routee). Actors can also
 * `ctx.tell` and `ctx.send` to it: the message reaches the routee on the sender's sequenced link.
 *
 * @example
 * ```ts
 * const workers = spawnPool(system, worker, { size: 4 });
 * workers.tell({ type: 'resize-image', url });
 * await workers.broadcast({ type: 'flush' });
 * ```
 */
export interface RoutingRef<TMessage> extends ActorRef<TMessage> {
  /** The strategy it routes by. */
  readonly routing: RoutingStrategy;
  /**
   * The routees now, in slot order. A pool lists a routee that stopped until its replacement takes
   * its slot; a group no longer lists a member that stopped.
   */
  routees(): ActorRef<TMessage>[];
  /**
   * Sends `message` to every routee that takes messages now, waiting for room in each, and
   * resolves with how many took it (a routee that stops meanwhile does not count).
   * @throws (rejects) ActorStoppedError when the routing ref is stopped.
   */
  broadcast(message: TMessage): Promise<number>;
  /** Its counters and its routees'. */
  metrics(): RoutingMetrics;
}
