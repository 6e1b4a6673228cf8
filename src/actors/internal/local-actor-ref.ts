/**
 * The ref handed out for actors of a local system: a thin, stable facade over the actor's cell, so
 * user code can hold and compare refs without reaching the cell's internals.
 */
import { InvalidOptionError } from '../../errors.js';
import type { MailboxMetrics } from '../../mailbox/mailbox.js';
import type { ActorRef, ActorStatus, AnyActorRef, AskOptions } from '../actor-ref.js';

/**
 * What a ref needs from its cell: the ref's own members, except that `ask` is untyped in its reply
 * (the ref narrows it) and stopping goes by another name (a cell also stops for other reasons).
 */
export interface RefTarget<TMessage> extends Pick<ActorRef<TMessage>, 'id' | 'name' | 'path' | 'status' | 'tell' | 'send' | 'metrics'> {
  ask(message: TMessage, options: AskOptions | undefined): Promise<unknown>;
  stopRequested(): Promise<void>;
}

export class LocalActorRef<TMessage> implements ActorRef<TMessage> {
  readonly #target: RefTarget<TMessage>;

  constructor(target: RefTarget<TMessage>) {
    this.#target = target;
  }

  /**
   * The cell behind `ref` when it is a ref of this runtime, else undefined. A brand check on the
   * private field, not a side table: a weak map entry per actor would cost memory and collector
   * time for every ref ever made.
   */
  static targetOf(ref: unknown): RefTarget<never> | undefined {
    return typeof ref === 'object' && ref !== null && #target in ref ? ((ref as LocalActorRef<unknown>).#target as RefTarget<never>) : undefined;
  }

  get id(): string {
    return this.#target.id;
  }

  get name(): string {
    return this.#target.name;
  }

  get path(): string {
    return this.#target.path;
  }

  get status(): ActorStatus {
    return this.#target.status;
  }

  tell(message: TMessage): boolean {
    return this.#target.tell(message);
  }

  send(message: TMessage): Promise<void> {
    return this.#target.send(message);
  }

  ask<TReply = unknown>(message: TMessage, options?: AskOptions): Promise<TReply> {
    return this.#target.ask(message, options) as Promise<TReply>;
  }

  stop(): Promise<void> {
    return this.#target.stopRequested();
  }

  metrics(): MailboxMetrics {
    return this.#target.metrics();
  }

  toString(): string {
    return `ActorRef(${this.path})`;
  }

  toJSON(): { id: string; path: string } {
    return { id: this.id, path: this.path };
  }
}

/**
 * The cell behind a ref of this runtime.
 * @throws InvalidOptionError for anything else (a hand-made object shaped like a ref).
 */
export function targetOf(ref: AnyActorRef, option = 'ref'): RefTarget<never> {
  const target = LocalActorRef.targetOf(ref);
  if (target === undefined) throw new InvalidOptionError(option, 'an ActorRef from a Sluice actor system', ref);
  return target;
}
