/**
 * What a mailbox holds: a bare user message (the common, allocation-free case), or an envelope —
 * an `Ask` carrying its reply channel, a `Sequenced` message from another actor's `ctx.tell`
 * carrying the sender's sequence number, by which a receiver drops what a restarted sender sends
 * again, or a message the runtime sent the actor itself (`self-messages.ts`: a timer's, a piped
 * result). One base class keeps the hot path to a single `instanceof` per message.
 */
import type { Ask } from './ask.js';
import type { SelfMessage } from './self-messages.js';

/** A user message wrapped with what the runtime needs to deliver it. */
export abstract class Envelope<TMessage> {
  readonly message: TMessage;

  constructor(message: TMessage) {
    this.message = message;
  }
}

/** A message sent on a sequenced link: `seq` increases with every such send from `sender`. */
export class Sequenced<TMessage> extends Envelope<TMessage> {
  /** The sender's path: stable across restarts and runs, unlike its id. */
  readonly sender: string;
  readonly seq: number;

  constructor(message: TMessage, sender: string, seq: number) {
    super(message);
    this.sender = sender;
    this.seq = seq;
  }
}

/** One mailbox entry. */
export type Entry<TMessage> = TMessage | Ask<TMessage> | Sequenced<TMessage> | SelfMessage<TMessage>;

/** The user's message inside an entry. */
export function unwrap<TMessage>(entry: Entry<TMessage>): TMessage {
  return entry instanceof Envelope ? (entry.message as TMessage) : (entry as TMessage);
}
