/**
 * A run's durable links as the threads see them (`DurableLinks`): each link end is named by what
 * it delivers to (`s<stage>p<partition>`, or `sink`) and the thread that sends on it (`t<n>`, `t0`
 * the leader's source), and every sender of one process part carries that part's incarnation.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import type { JetStreamClient } from '@nats-io/jetstream';
import { ignore } from '../internal/ignore.js';
import type { DurableLinks, FrameSender, LinkInbox } from '../threads/durable-links.js';
import type { LinkEnd } from '../threads/thread-protocol.js';
import type { PartitionFrame } from '../threads/remote-partition.js';
import { DurableInbox } from './durable-inbox.js';
import { DurableSender } from './durable-sender.js';

/** Where a run's durable links are, and the incarnation of the part that uses them: plain data, to travel in a request. */
export interface ClusterLinksAddress {
  /** The job's link stream. */
  readonly stream: string;
  /** The run's link prefix. */
  readonly prefix: string;
  /** The incarnation of the part (a thread restarted elsewhere is a later one; the leader's is 0). */
  readonly incarnation: number;
}

function endName(to: LinkEnd): string {
  return to.stage === 'sink' ? 'sink' : `s${to.stage}p${to.partition}`;
}

function threadName(thread: number): string {
  return `t${thread}`;
}

/** The checkpoint whose barrier a frame is: what its sender sends after it is in that epoch. */
function barrierOf(frame: PartitionFrame): number | undefined {
  return frame.type === 'barrier' ? frame.id : undefined;
}

export class ClusterLinks implements DurableLinks {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #address: ClusterLinksAddress;

  constructor(nc: NatsConnection, js: JetStreamClient, address: ClusterLinksAddress) {
    this.#nc = nc;
    this.#js = js;
    this.#address = address;
  }

  sender<TMessage>(to: LinkEnd, from: number, epoch: number): FrameSender<TMessage> {
    const { prefix, incarnation } = this.#address;
    return new DurableSender<PartitionFrame>({
      nc: this.#nc,
      js: this.#js,
      address: { prefix, to: endName(to), from: threadName(from) },
      incarnation,
      epoch,
      barrierOf,
    }) as unknown as FrameSender<TMessage>;
  }

  inbox<TMessage>(
    to: LinkEnd,
    senders: readonly number[],
    fromEpoch: number,
    room: number,
    deliver: (from: number, message: TMessage) => void | Promise<void>,
    failed: (error: unknown) => void,
  ): LinkInbox {
    const inbox = new DurableInbox<TMessage>({
      nc: this.#nc,
      js: this.#js,
      stream: this.#address.stream,
      prefix: this.#address.prefix,
      to: endName(to),
      fromEpoch,
      room,
      senders: senders.map(threadName),
      deliver: (from, message) => deliver(Number(from.slice(1)), message),
      failed,
    });
    inbox.start().catch(failed);
    return { close: () => void inbox.close().catch(ignore) };
  }
}
