/**
 * What an actor cell tells the world: dead letters (with the ask of an undeliverable entry
 * rejected) and system events, each stamped with the actor's path and the clock's time. Events are
 * built only when somebody listens.
 */
import { ActorStoppedError, MailboxOverflowError } from '../../errors.js';
import type { DeadLetterReason } from '../../mailbox/dead-letters.js';
import type { DropReason } from '../../mailbox/mailbox.js';
import type { HookFailedEvent, SystemEvent } from '../events.js';
import { Ask } from './ask.js';
import { unwrap, type Entry } from './envelope.js';
import type { SystemServices } from './system-services.js';

/** An event about one actor, as the cell states it: the reporter adds its path, id and time. */
export type ActorEventBody = DistributiveOmit<ActorEvent, 'path' | 'id' | 'at'>;

type ActorEvent = Exclude<SystemEvent, { type: 'system-terminated' }>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export class CellReporter {
  readonly #services: SystemServices;
  readonly #path: string;
  readonly #id: string;

  constructor(services: SystemServices, path: string, id: string) {
    this.#services = services;
    this.#path = path;
    this.#id = id;
  }

  deadLetter(reason: DeadLetterReason, message: unknown, error?: unknown): void {
    const at = this.#services.clock.now();
    const letter = error === undefined ? { reason, recipient: this.#path, message, at } : { reason, recipient: this.#path, message, error, at };
    this.#services.deadLetters.post(letter);
  }

  /** An entry sent to an actor that no longer accepts any. */
  refused(entry: Entry<unknown>): false {
    this.deadLetter('recipient-stopped', unwrap(entry));
    return false;
  }

  /** An entry the mailbox dropped (overflow policy); an ask among them fails with the overflow. */
  dropped(entry: Entry<unknown>, reason: DropReason, capacity: () => number): void {
    this.deadLetter(reason, unwrap(entry));
    if (entry instanceof Ask) entry.fail(new MailboxOverflowError(this.#path, capacity(), entry.message));
  }

  /** An entry that will never be processed; an ask among them fails as sent to a stopped actor. */
  undeliverable(entry: Entry<unknown>, reason: DeadLetterReason): void {
    this.deadLetter(reason, unwrap(entry));
    if (entry instanceof Ask) entry.fail(new ActorStoppedError(this.#path, entry.message));
  }

  emit(event: ActorEventBody): void {
    const { events, clock } = this.#services;
    if (!events.hasSubscribers) return;
    events.publish({ ...event, path: this.#path, id: this.#id, at: clock.now() } as ActorEvent);
  }

  hookFailed(hook: HookFailedEvent['hook'], error: unknown): void {
    this.emit({ type: 'hook-failed', hook, error });
  }
}
