/**
 * A partition (or the sink) that runs on another thread, as the actors of this thread see it: a
 * ref like any other, whose sends go over a link. A sequenced send (`ctx.send` from a partition)
 * carries its sender's path and number across, so the receiving cell drops what a restarted sender
 * sends again exactly as it would from a neighbour; a plain send (the source's) carries neither.
 * Records are checked before they go: one that cannot cross fails the run with a message naming
 * the stage that made it.
 */
import { nanoid } from 'nanoid';
import { ignore } from '../internal/ignore.js';
import type { ActorRef, AskOptions } from '../actors/actor-ref.js';
import { LocalActorRef, type RefTarget } from '../actors/internal/local-actor-ref.js';
import { SEQUENCED, type SequencedTarget } from '../actors/internal/sequenced-target.js';
import { UncrossableRecordError } from '../errors.js';
import type { MailboxMetrics } from '../mailbox/mailbox.js';
import type { RecordCodec } from '../streams/internal/logical-plan.js';
import type { StageMessage } from '../streams/run/messages.js';
import type { FrameSender } from './durable-links.js';
import { firstUncrossable } from './uncrossable.js';

/** A message on a link to a partition: the stage message, with its sender and number when sequenced. */
export type PartitionFrame = StageMessage<unknown> & { readonly $sender?: string; readonly $seq?: number };

/** What a remote partition needs from the thread it is seen from. */
export interface RemotePartitionSetup {
  /** The partition's path on its own thread, and its name. */
  readonly path: string;
  readonly name: string;
  /** The link to it; undefined when only asks go to it (the main thread's view of a partition it never sends to). */
  readonly link: FrameSender<PartitionFrame> | undefined;
  /** The step or stage whose records go there, for an error about a record that cannot cross. */
  readonly producer: string;
  /** The receiving stage's codec, which makes plain data of its records before they cross. */
  readonly codec?: RecordCodec | undefined;
  /** The run fails with this (a record that cannot cross). */
  readonly failed: (error: unknown) => void;
  /** Asks the thread that runs it (a query); undefined where nothing asks. */
  readonly ask?: ((message: StageMessage<unknown>, options: AskOptions | undefined) => Promise<unknown>) | undefined;
  /** Its mailbox counters as last reported by its thread. */
  readonly metrics: () => MailboxMetrics;
}

const NO_LINK = 'no link leads there from this thread';

class RemotePartition implements RefTarget<StageMessage<unknown>>, SequencedTarget<StageMessage<unknown>> {
  readonly [SEQUENCED] = true as const;
  readonly id = nanoid();
  readonly name: string;
  readonly path: string;
  readonly #setup: RemotePartitionSetup;
  /** Whether the run was told of a record that cannot cross (once is enough: it fails). */
  #failed = false;

  constructor(setup: RemotePartitionSetup) {
    this.#setup = setup;
    this.name = setup.name;
    this.path = setup.path;
  }

  get status(): 'running' {
    return 'running';
  }

  /** Sends without waiting: the link queues what it has no room for yet (nothing in Sluice tells a partition on another thread). */
  tell(message: StageMessage<unknown>): boolean {
    this.send(message).catch(ignore);
    return true;
  }

  send(message: StageMessage<unknown>): Promise<void> {
    return this.#post(message);
  }

  deliverSequenced(message: StageMessage<unknown>, sender: string, seq: number, wait: boolean): boolean | Promise<void> {
    const sent = this.#post({ ...message, $sender: sender, $seq: seq });
    if (wait) return sent;
    sent.catch(ignore);
    return true;
  }

  ask(message: StageMessage<unknown>, options: AskOptions | undefined): Promise<unknown> {
    const ask = this.#setup.ask;
    return ask === undefined ? Promise.reject(new Error(`cannot ask ${this.path} from this thread`)) : ask(message, options);
  }

  stopRequested(): Promise<void> {
    return Promise.resolve();
  }

  metrics(): MailboxMetrics {
    return this.#setup.metrics();
  }

  #post(frame: PartitionFrame): Promise<void> {
    const link = this.#setup.link;
    if (link === undefined) return Promise.reject(new Error(`cannot send to ${this.path}: ${NO_LINK}`));
    if (frame.type === 'batch') {
      const codec = this.#setup.codec;
      if (codec !== undefined) frame = { ...frame, entries: frame.entries.map((record) => codec.encode(record)) };
      const found = firstUncrossable(frame.entries);
      if (found !== undefined) {
        const error = new UncrossableRecordError(this.#setup.producer, found.what);
        if (!this.#failed) this.#setup.failed(error);
        this.#failed = true;
        return Promise.reject(error);
      }
    }
    return link.send(frame);
  }
}

/** The counters of a mailbox of `capacity` that nothing has reported on yet. */
export function emptyMailbox(capacity: number): MailboxMetrics {
  return { capacity, depth: 0, highWaterMark: 0, dropped: 0, processed: 0, waitingSenders: 0 };
}

/** A ref to a partition on another thread. */
export function remotePartition(setup: RemotePartitionSetup): ActorRef<StageMessage<unknown>> {
  return new LocalActorRef(new RemotePartition(setup));
}

/**
 * A frame's stage message (its records decoded with `codec`, the receiving stage's, when it has
 * one), and its sender and number when it was sent on a sequenced link.
 */
export function openFrame(
  frame: PartitionFrame,
  codec: RecordCodec | undefined,
): { readonly message: StageMessage<unknown>; readonly sender: string | undefined; readonly seq: number } {
  const { $sender, $seq, ...rest } = frame;
  const message = decodeRecords(rest as StageMessage<unknown>, codec);
  return { message, sender: $sender, seq: $seq ?? 0 };
}

/** `message` with its records decoded by `codec`, when it is a batch and there is one. */
export function decodeRecords(message: StageMessage<unknown>, codec: RecordCodec | undefined): StageMessage<unknown> {
  if (codec === undefined || message.type !== 'batch') return message;
  return { ...message, entries: message.entries.map((data) => codec.decode(data)) };
}
