/**
 * Links that outlive the threads at their ends: a cluster's durable links (`src/cluster/`), whose
 * frames are stored before they are read. A host that makes them runs every record of a run
 * through them, between partitions of one thread too, so a thread restarted elsewhere from a
 * checkpoint reads its input again in the order it was first taken, and sends what it sent then.
 */
import type { LinkEnd } from './thread-protocol.js';

/** The sending end of a link: what a thread's `LinkSender` is, and a durable link's sender too. */
export interface FrameSender<TMessage> {
  /** Resolves once the receiver has room for `message`; rejects when the link is closed. */
  send(message: TMessage): Promise<void>;
  close(): void;
}

/** Everything sent to one partition (or the sink), read in the order it was stored. */
export interface LinkInbox {
  /** Stops reading. */
  close(): void;
}

/** What a thread (0 the main thread) sends and reads on when its run's links are durable. */
export interface DurableLinks {
  /** A sender from thread `from` to `to`, its first message in `epoch` (the checkpoint the sender starts from). */
  sender<TMessage>(to: LinkEnd, from: number, epoch: number): FrameSender<TMessage>;
  /**
   * Reads what threads `senders` send to `to`, from checkpoint `fromEpoch` on, handing each message
   * to `deliver` once the one before it was taken; each sender may have `room` in flight.
   */
  inbox<TMessage>(
    to: LinkEnd,
    senders: readonly number[],
    fromEpoch: number,
    room: number,
    deliver: (from: number, message: TMessage) => void | Promise<void>,
    failed: (error: unknown) => void,
  ): LinkInbox;
}
