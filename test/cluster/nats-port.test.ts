import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nanoid } from 'nanoid';
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats } from '../../src/nats/connect-nats.js';
import { NatsPorts, natsChannelAddresses } from '../../src/cluster/nats-port.js';
import { LinkReceiver } from '../../src/threads/link-receiver.js';
import { LinkSender } from '../../src/threads/link-sender.js';
import { checkNats } from '../helpers/services.js';

const nats = await checkNats();

describe.skipIf(nats.url === undefined)('a channel between processes over NATS', () => {
  let a: NatsConnection;
  let b: NatsConnection;
  beforeAll(async () => {
    a = await connectNats({ servers: nats.url as string });
    b = await connectNats({ servers: nats.url as string });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
  });

  const channel = (): { left: NatsPorts; right: NatsPorts; addresses: ReturnType<typeof natsChannelAddresses> } => ({
    left: new NatsPorts(a),
    right: new NatsPorts(b),
    addresses: natsChannelAddresses(`test.port.${nanoid(8).replace(/[^A-Za-z0-9]/g, 'x')}`),
  });

  it('carries a link in order with credits, whichever end opens first, and values larger than the payload limit in parts', async () => {
    const { left, right, addresses } = channel();
    const sender = new LinkSender<{ n: number; text: string }>(left.open(addresses.port1));
    const sent = Array.from({ length: 200 }, (_, n) => ({ n, text: n % 50 === 0 ? 'x'.repeat(3 * 1024 * 1024) : `value ${n}` }));
    const sending = Promise.all(sent.map((value) => sender.send(value)));
    const received: { n: number; text: string }[] = [];
    const all = new Promise<void>((resolve) => {
      new LinkReceiver<{ n: number; text: string }>(right.open(addresses.port2), {
        room: 4,
        deliver: (value) => {
          received.push(value);
          if (received.length === sent.length) resolve();
        },
        failed: (error) => {
          throw error;
        },
      });
    });
    await sending;
    await all;
    expect(received).toEqual(sent);
    left.breakAll();
    right.breakAll();
  });

  it('tells both ends when one is broken, and a gap in the numbers breaks the channel', async () => {
    const { left, right, addresses } = channel();
    const one = left.open(addresses.port1);
    const other = right.open(addresses.port2);
    const values: unknown[] = [];
    other.on('message', (value: unknown) => values.push(value));
    const otherClosed = new Promise<void>((resolve) => other.on('close', resolve));
    one.postMessage('first');
    await new Promise<void>((resolve) => other.on('message', () => resolve()));
    // A value published past the port, numbered as if one before it went missing.
    const { Packr } = await import('msgpackr');
    a.publish(addresses.port1.out, new Packr({ useRecords: false }).pack([2, 3, new Packr({ useRecords: false }).pack('third')]));
    await otherClosed;
    expect(values).toEqual(['first']);
    left.breakAll();
  });
});
