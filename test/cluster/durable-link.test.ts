/**
 * Durable links on the local NATS server: a sender's messages stored in the job's link stream and
 * read by the receiver's inbox in order, within the room it grants; a receiver restarted from a
 * checkpoint reading them again from there; a sender restarted elsewhere replacing its zombie.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from '../../src/nats/connect-nats.js';
import { DurableInbox } from '../../src/cluster/durable-inbox.js';
import { DurableSender } from '../../src/cluster/durable-sender.js';
import { jobNames } from '../../src/cluster/job-names.js';
import { LinkStream } from '../../src/cluster/link-stream.js';
import { checkNats } from '../helpers/services.js';
import { freshJobId } from './cluster-fixtures.js';

const nats = await checkNats();

type Message = { readonly type: 'value'; readonly n: number; readonly text?: string } | { readonly type: 'barrier'; readonly id: number };

const barrierOf = (message: Message): number | undefined => (message.type === 'barrier' ? message.id : undefined);

/** Resolves once `count` deliveries happened. */
class Deliveries {
  readonly taken: { from: string; message: Message }[] = [];
  readonly #waiters: { count: number; resolve: () => void }[] = [];

  readonly deliver = (from: string, message: Message): void => {
    this.taken.push({ from, message });
    for (const waiter of this.#waiters.filter((w) => this.taken.length >= w.count)) waiter.resolve();
  };

  reached(count: number): Promise<void> {
    if (this.taken.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }
}

describe.skipIf(nats.url === undefined)('durable links', () => {
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let stream: LinkStream;
  const names = jobNames(freshJobId('links'));
  const prefix = names.links('r1');

  beforeAll(async () => {
    nc = await connectNats({ servers: nats.url as string });
    js = jetstream(nc);
    jsm = await jetstreamManager(nc);
    stream = await LinkStream.open(jsm, names, 1);
  });
  afterAll(async () => {
    await stream.delete();
    await nc.close();
  });

  const inbox = (to: string, deliver: (from: string, message: Message) => void | Promise<void>, fromEpoch = 0, room = 4): DurableInbox<Message> =>
    new DurableInbox<Message>({
      nc,
      js,
      stream: stream.name,
      prefix,
      to,
      fromEpoch,
      room,
      senders: ['a'],
      deliver,
      failed: (error) => expect.fail(String(error)),
    });
  const sender = (to: string, from = 'a', incarnation = 0, epoch = 0): DurableSender<Message> =>
    new DurableSender<Message>({ nc, js, address: { prefix, to, from }, incarnation, epoch, barrierOf });

  it('carries every message in order within the room the receiver grants, a message over the payload limit in parts', async () => {
    const deliveries = new Deliveries();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const receiver = inbox('p1', (from, message) => {
      deliveries.deliver(from, message);
      // The first message is taken only once the test lets it: the sender must stop at its room.
      return deliveries.taken.length === 1 ? held : undefined;
    });
    await receiver.start();
    const out = sender('p1');
    const sent: Message[] = Array.from({ length: 60 }, (_, n) => ({ type: 'value', n, ...(n === 30 ? { text: 'x'.repeat(3 * 1024 * 1024) } : {}) }));
    const accepted: number[] = [];
    const sending = sent.map((message, n) => out.send(message).then(() => accepted.push(n)));
    await deliveries.reached(1);
    // Room 4: the held message and three more, however long the test waits for the grants to come.
    await out.drained();
    expect(accepted.length).toBeLessThanOrEqual(4);
    expect(out.waiting).toBeGreaterThan(0);
    release();
    await Promise.all(sending);
    await deliveries.reached(sent.length);
    expect(deliveries.taken.map(({ message }) => message)).toEqual(sent);
    out.close();
    await receiver.close();
  });

  it('reads again, in a receiver restarted from a checkpoint, exactly what followed its barrier, and the sender goes on with it', async () => {
    const first = new Deliveries();
    const receiver = inbox('p2', first.deliver, 0, 8);
    await receiver.start();
    const out = sender('p2');
    const before: Message[] = [
      { type: 'value', n: 1 },
      { type: 'value', n: 2 },
      { type: 'barrier', id: 5 },
      { type: 'value', n: 3 },
      { type: 'value', n: 4 },
    ];
    for (const message of before) await out.send(message);
    await first.reached(before.length);
    await receiver.close();
    const second = new Deliveries();
    const restarted = inbox('p2', second.deliver, 5, 8);
    await restarted.start();
    const after: Message[] = Array.from({ length: 20 }, (_, i) => ({ type: 'value', n: 5 + i }));
    for (const message of after) await out.send(message);
    await second.reached(2 + after.length);
    expect(second.taken.map(({ message }) => message)).toEqual([...before.slice(3), ...after]);
    out.close();
    await restarted.close();
  });

  it('takes a restarted sender’s messages, ignores its zombie from then on, and the zombie closes at the successor’s grant', async () => {
    const deliveries = new Deliveries();
    const receiver = inbox('p3', deliveries.deliver, 0, 8);
    await receiver.start();
    const zombie = sender('p3', 'a', 0);
    await zombie.send({ type: 'value', n: 1 });
    await deliveries.reached(1);
    const successor = sender('p3', 'a', 1);
    await successor.send({ type: 'value', n: 101 });
    await deliveries.reached(2);
    // The zombie hears the successor's grant and stops; anything it stored meanwhile is ignored.
    await zombie.send({ type: 'value', n: 2 }).catch(() => undefined);
    await zombie.drained();
    await successor.send({ type: 'value', n: 102 });
    await deliveries.reached(3);
    expect(deliveries.taken.map(({ message }) => (message.type === 'value' ? message.n : -1))).toEqual([1, 101, 102]);
    await expect(zombie.send({ type: 'value', n: 3 })).rejects.toThrow(/later incarnation/);
    successor.close();
    await receiver.close();
  });
});
