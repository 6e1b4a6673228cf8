/**
 * Entities: one actor per id (a user, a device, an order), spawned when a message comes for it,
 * passivated — stopped with its state saved to its snapshot store — when it has been idle for
 * `idleMs` or when `maxActive` are live, and activated again from that snapshot by the next
 * message, transparently to senders. The options are in `entities-options.ts`, id escaping in
 * `entity-id.ts`; the phases of an entity in `internal/entity-table.ts`; the actor above the
 * entities in `internal/entities-head.ts`.
 */
import type { ActorRef, ActorStatus, AnyActorRef, AskOptions } from '../actor-ref.js';
import type { ActorDefinition } from '../behavior.js';
import { validateDefinition } from '../behavior.js';
import type { ActorContext } from '../context.js';
import { resolveEntitiesOptions, type EntitiesOptions } from './entities-options.js';
import { EntityRef } from './internal/entity-ref.js';
import { EntityTable } from './internal/entity-table.js';

/** Where the entities' actor is spawned: the system, or an actor's context. */
export type EntitiesParent = { spawn: ActorContext<unknown>['spawn'] };

/** What `entities.metrics()` returns. */
export interface EntitiesMetrics {
  /** Entities whose actor is live and taking messages. */
  readonly active: number;
  /** Entities being passivated now: their actor finishes its queue and saves its state. */
  readonly passivating: number;
  /** Passivations completed so far. */
  readonly passivated: number;
  /** Actors spawned for entities so far (first activations and re-activations). */
  readonly activations: number;
}

/**
 * The entities of one definition, addressed by id. Its `id`, `name`, `path` and `status` are those
 * of the actor above them (`supervisor`); stopping the entities stops it, and with it every live
 * entity, each saving its state.
 */
export interface Entities<TMessage> {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly status: ActorStatus;
  /** The actor the entities are children of, at the entities' path. Watch it to learn when they stop. */
  readonly supervisor: AnyActorRef;

  /**
   * Tells entity `id` `message`, activating it first when it is not live. Returns what the entity's
   * `ref.tell` returns; while the entity is being passivated, true when the message was queued to
   * go to its next actor, false when as many messages as its mailbox holds wait already (the caller
   * keeps the message); false, with the message in dead letters, once the entities have stopped.
   * @throws InvalidOptionError naming `id` unless it is a non-empty, well-formed string; what the
   * entity's spawn throws (its `initialState`); MailboxOverflowError under the `'fail'` policy.
   */
  tell(id: string, message: TMessage): boolean;

  /**
   * Sends entity `id` `message` as `ref.send` does, activating it first when it is not live; while
   * it is being passivated, the message waits and the promise resolves once the next actor took it.
   * @throws (rejects) what `tell` throws; MailboxOverflowError when as many messages as the entity's
   * mailbox holds wait for its passivation already; ActorStoppedError once the entities have stopped.
   */
  send(id: string, message: TMessage): Promise<void>;

  /**
   * Asks entity `id` as `ref.ask` does, activating it first when it is not live. An ask that waits
   * for a passivation is asked of the next actor once it has started; its time-out counts from then.
   * @throws (rejects) what `send` rejects with, and what `ref.ask` rejects with.
   */
  ask<TReply = unknown>(id: string, message: TMessage, options?: AskOptions): Promise<TReply>;

  /**
   * A ref to entity `id` that stays valid across passivations: it sends through the entities. Its
   * `name` is the escaped id (letters, digits and `-_.:@` kept, every other UTF-8 byte written
   * `+HH`), its `path` the entities' path and that name; its `status` and `metrics()` are those of
   * the entity's live actor, or, while it has none, `'running'` and an empty mailbox (`'stopped'`
   * once the entities have stopped); its `stop()` passivates the entity.
   * @throws InvalidOptionError naming `id` unless it is a non-empty, well-formed string.
   */
  ref(id: string): ActorRef<TMessage>;

  /**
   * Passivates entity `id` now, if it is active. Resolves once its actor has stopped (its state
   * saved), or at once when it has none; also when its mailbox refused to be closed (full under
   * `'drop-newest'` or `'fail'`), and it stays active.
   */
  passivate(id: string): Promise<void>;

  metrics(): EntitiesMetrics;

  /**
   * Stops the actor above the entities, and with it every live entity (each handles the message in
   * progress, saves its final snapshot, and dead-letters its queue, as `ref.stop()` does); messages
   * waiting for a passivation are refused (sends and asks reject with ActorStoppedError).
   */
  stop(): Promise<void>;
}

class EntitiesHandle<TState, TMessage> implements Entities<TMessage> {
  readonly #table: EntityTable<TState, TMessage>;

  constructor(table: EntityTable<TState, TMessage>) {
    this.#table = table;
  }

  get id(): string {
    return this.#table.head.id;
  }

  get name(): string {
    return this.#table.head.name;
  }

  get path(): string {
    return this.#table.head.path;
  }

  get status(): ActorStatus {
    return this.#table.head.status;
  }

  get supervisor(): AnyActorRef {
    return this.#table.head;
  }

  tell(id: string, message: TMessage): boolean {
    return this.#table.tell(id, message);
  }

  send(id: string, message: TMessage): Promise<void> {
    return this.#table.send(id, message);
  }

  ask<TReply = unknown>(id: string, message: TMessage, options?: AskOptions): Promise<TReply> {
    return this.#table.ask(id, message, options) as Promise<TReply>;
  }

  ref(id: string): ActorRef<TMessage> {
    return new EntityRef(this.#table, id);
  }

  passivate(id: string): Promise<void> {
    return this.#table.passivate(id);
  }

  metrics(): EntitiesMetrics {
    return this.#table.metrics();
  }

  async stop(): Promise<void> {
    await this.#table.head.stop();
    // The head's `stopping` hook closed the table, unless it was stopped before it ever started.
    this.#table.stopping();
  }
}

/**
 * Spawns the actor above the entities of `definition` under `parent` — the system, or a handler's
 * `ctx` — and returns the handle that addresses them by id. No entity is spawned until a message
 * comes for it.
 *
 * @throws InvalidOptionError naming the first bad option (`snapshot.store` when there is no store),
 * or `definition`; SystemStoppedError or ActorStoppedError when `parent` can take no more children.
 * @example
 * ```ts
 * const orders = spawnEntities(system, order, { name: 'orders', idleMs: 60_000, snapshot: { store } });
 * orders.tell('order-17', { type: 'add', sku: 'tea', quantity: 2 });
 * const total = await orders.ask<number>('order-17', { type: 'total' });
 * ```
 */
export function spawnEntities<TState, TMessage>(
  parent: EntitiesParent,
  definition: ActorDefinition<TState, TMessage>,
  options: EntitiesOptions,
): Entities<TMessage> {
  validateDefinition(definition);
  return new EntitiesHandle(new EntityTable(parent, definition, resolveEntitiesOptions(options)));
}
