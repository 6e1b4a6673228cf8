/**
 * The routing of a pool or a group: behind its ref, it picks a routee for each message and hands
 * the message over in the caller's call. When no routee may take it, the membership says whether
 * one will come back (a pool replacing a routee): `tell` then returns false and `send`/`ask` wait;
 * otherwise the message is refused into dead letters.
 *
 * Invariant: while a `send` or `ask` waits for a routee, nothing overtakes it — a `tell` returns
 * false and another `send` waits behind it — so messages of one sender keep their order wherever
 * they are routed to one routee (one key, under consistent hashing).
 */
import { ActorStoppedError } from '../../../errors.js';
import type { ActorRef, ActorStatus, AskOptions } from '../../actor-ref.js';
import type { RefTarget } from '../../internal/local-actor-ref.js';
import { SEQUENCED, type SequencedTarget } from '../../internal/sequenced-target.js';
import type { RoutingMetrics, RoutingStrategy } from '../routing-ref.js';
import type { Membership } from './membership.js';
import { Routee } from './routee.js';
import type { RoutingLogic } from './routing-logic.js';

export class RoutingCore<TMessage> implements RefTarget<TMessage>, SequencedTarget<TMessage> {
  readonly [SEQUENCED] = true as const;
  readonly #members: Membership<TMessage>;
  readonly #logic: RoutingLogic<TMessage>;
  #routed = 0;
  #broadcasts = 0;
  /** Sends and asks waiting for a routee to come back. */
  #waiting = 0;

  constructor(members: Membership<TMessage>, logic: RoutingLogic<TMessage>) {
    this.#members = members;
    this.#logic = logic;
  }

  get id(): string {
    return this.#members.id;
  }

  get name(): string {
    return this.#members.name;
  }

  get path(): string {
    return this.#members.path;
  }

  get status(): ActorStatus {
    return this.#members.status;
  }

  get strategy(): RoutingStrategy {
    return this.#logic.strategy;
  }

  tell(message: TMessage): boolean {
    return this.#offer(message, undefined, 0);
  }

  send(message: TMessage): Promise<void> {
    return this.#deliver(message, (routee) => routee.send(message));
  }

  ask(message: TMessage, options: AskOptions | undefined): Promise<unknown> {
    return this.#deliver(message, (routee) => routee.ask(message, options));
  }

  deliverSequenced(message: TMessage, sender: string, seq: number, wait: boolean): boolean | Promise<void> {
    if (wait) return this.#deliver(message, (routee) => routee.sequenced(message, sender, seq, true) as Promise<void>);
    return this.#offer(message, sender, seq);
  }

  async broadcast(message: TMessage): Promise<number> {
    const status = this.#members.status;
    if (status === 'stopping' || status === 'stopped') throw this.#refused(message);
    this.#broadcasts++;
    this.#members.prune();
    const sends = this.#members.routees.filter((routee) => routee.accepting).map((routee) => routee.send(message));
    const outcomes = await Promise.allSettled(sends);
    return outcomes.filter((outcome) => outcome.status === 'fulfilled').length;
  }

  routees(): ActorRef<TMessage>[] {
    this.#members.prune();
    return this.#members.routees.map((routee) => routee.ref);
  }

  stopRequested(): Promise<void> {
    return this.#members.stopRequested();
  }

  metrics(): RoutingMetrics {
    this.#members.prune();
    const routees = this.#members.routees.map((routee) => routee.stats());
    const { processed, dropped } = this.#members.retired;
    const totals = { capacity: 0, depth: 0, highWaterMark: 0, dropped, processed, waitingSenders: 0 };
    for (const routee of routees) {
      totals.capacity += routee.capacity;
      totals.depth += routee.depth;
      totals.highWaterMark = Math.max(totals.highWaterMark, routee.highWaterMark);
      totals.dropped += routee.dropped;
      totals.processed += routee.processed;
      totals.waitingSenders += routee.waitingSenders;
    }
    return { ...totals, routing: this.#logic.strategy, routees, routed: this.#routed, broadcasts: this.#broadcasts };
  }

  /** Hands `message` to a routee without waiting (as number `seq` from `sender`, when there is one). */
  #offer(message: TMessage, sender: string | undefined, seq: number): boolean {
    if (this.#waiting > 0) return false;
    const choice = this.#choose(message);
    if (choice instanceof Routee) {
      const accepted = sender === undefined ? choice.tell(message) : (choice.sequenced(message, sender, seq, false) as boolean);
      if (accepted) this.#routed++;
      return accepted;
    }
    if (choice === undefined) this.#members.refuse(message);
    // Otherwise a routee will be back: the caller keeps the message, as with a full mailbox.
    return false;
  }

  /** The routee for `message`; else a promise of the next change of routees, or undefined when none will come. */
  #choose(message: TMessage): Routee<TMessage> | Promise<void> | undefined {
    const members = this.#members;
    for (;;) {
      const routee = this.#logic.pick(message, members.routees, members.version);
      if (routee !== undefined) return routee;
      if (!members.prune()) return members.nextChange();
    }
  }

  /** Hands `message` to a routee with `handOver`, waiting for one to come back when none may take it. */
  #deliver<TResult>(message: TMessage, handOver: (routee: Routee<TMessage>) => Promise<TResult>): Promise<TResult> {
    let choice: Routee<TMessage> | Promise<void> | undefined;
    try {
      choice = this.#waiting > 0 ? this.#members.nextChange() : this.#choose(message);
    } catch (error) {
      return Promise.reject(error);
    }
    if (choice instanceof Routee) {
      this.#routed++;
      return handOver(choice);
    }
    if (choice === undefined) return Promise.reject(this.#refused(message));
    return this.#deliverLater(message, choice, handOver);
  }

  async #deliverLater<TResult>(message: TMessage, change: Promise<void>, handOver: (routee: Routee<TMessage>) => Promise<TResult>): Promise<TResult> {
    this.#waiting++;
    let routee: Routee<TMessage>;
    try {
      for (;;) {
        await change;
        const choice = this.#choose(message);
        if (choice instanceof Routee) {
          routee = choice;
          break;
        }
        if (choice === undefined) throw this.#refused(message);
        change = choice;
      }
    } finally {
      this.#waiting--;
    }
    // In the same microtask as the wait ended, so nothing sent after this message gets in first.
    this.#routed++;
    return handOver(routee);
  }

  #refused(message: TMessage): ActorStoppedError<TMessage> {
    this.#members.refuse(message);
    return new ActorStoppedError(this.#members.path, message);
  }
}
