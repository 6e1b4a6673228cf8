/**
 * A ref to one entity that outlives its actors: every message goes through the entity table, which
 * activates the entity or queues the message behind a passivation, so a ref handed out once keeps
 * working however often the entity is passivated.
 */
import type { MailboxMetrics } from '../../../mailbox/mailbox.js';
import type { ActorRef, ActorStatus, AskOptions } from '../../actor-ref.js';
import { entityName } from '../entity-id.js';
import type { EntityTable } from './entity-table.js';

export class EntityRef<TState, TMessage> implements ActorRef<TMessage> {
  readonly name: string;
  readonly #table: EntityTable<TState, TMessage>;
  readonly #id: string;

  /** @throws InvalidOptionError naming `id` unless it is a non-empty, well-formed string. */
  constructor(table: EntityTable<TState, TMessage>, id: string) {
    this.name = entityName(id);
    this.#table = table;
    this.#id = id;
  }

  /** The same for every ref to this entity: the entities' id and the entity's name. */
  get id(): string {
    return `${this.#table.head.id}/${this.name}`;
  }

  get path(): string {
    return `${this.#table.head.path}/${this.name}`;
  }

  get status(): ActorStatus {
    return this.#table.live(this.#id)?.status ?? (this.#table.closed ? 'stopped' : 'running');
  }

  tell(message: TMessage): boolean {
    return this.#table.tell(this.#id, message);
  }

  send(message: TMessage): Promise<void> {
    return this.#table.send(this.#id, message);
  }

  ask<TReply = unknown>(message: TMessage, options?: AskOptions): Promise<TReply> {
    return this.#table.ask(this.#id, message, options) as Promise<TReply>;
  }

  /** Passivates the entity: a later message activates it again. */
  stop(): Promise<void> {
    return this.#table.passivate(this.#id);
  }

  metrics(): MailboxMetrics {
    return this.#table.live(this.#id)?.metrics() ?? { capacity: this.#table.capacity, depth: 0, highWaterMark: 0, dropped: 0, processed: 0, waitingSenders: 0 };
  }
}
