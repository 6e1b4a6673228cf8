/**
 * The link between threads: in order, never more in flight than the receiver has room for,
 * everything cloned or encoded (nothing shared), closing on either side refusing what waits and
 * leaving no port open. Ports of one `MessageChannel` behave as between threads (messages are
 * delivered by the event loop, asynchronously); a real worker thread is in link-worker.test.ts.
 */
import { MessageChannel } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LinkClosedError } from '../../src/threads/link-protocol.js';
import { LinkReceiver } from '../../src/threads/link-receiver.js';
import { LinkSender } from '../../src/threads/link-sender.js';

/** A batch as a stage sends one: primitives only (cloned), or records of any shape (encoded). */
const record = fc.record({
  word: fc.string({ maxLength: 6 }),
  n: fc.integer(),
  at: fc.date({ noInvalidDate: true }),
  tags: fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }).map((tags) => new Set(tags)),
  seen: fc.array(fc.tuple(fc.string({ maxLength: 3 }), fc.integer()), { maxLength: 3 }).map((pairs) => new Map(pairs)),
});
const batch = fc.oneof(
  fc.record({ type: fc.constant('batch'), from: fc.nat(3), entries: fc.array(fc.string({ maxLength: 8 }), { maxLength: 20 }) }),
  fc.record({ type: fc.constant('batch'), from: fc.nat(3), entries: fc.array(record, { maxLength: 8 }) }),
  fc.record({ type: fc.constant('watermark'), from: fc.nat(3), watermark: fc.integer() }),
);

/** Resolves after `hops` turns of the event loop: lets messages cross, never a wall-clock wait. */
async function turns(hops: number): Promise<void> {
  for (let i = 0; i < hops; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('a link between two ports', () => {
  it('delivers every message in order, equal to what was sent, never more in flight than the room', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batch, { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.nat(3), { maxLength: 30 }),
        async (messages, room, holds) => {
          const { port1, port2 } = new MessageChannel();
          const sender = new LinkSender<unknown>(port1);
          const received: unknown[] = [];
          let sent = 0;
          let mostInFlight = 0;
          const failures: unknown[] = [];
          const closed = new Promise<void>((resolve) => {
            new LinkReceiver<unknown>(port2, {
              room,
              deliver(message) {
                received.push(message);
                mostInFlight = Math.max(mostInFlight, sent - received.length + 1);
                // Some messages take a while to be taken, as an actor's full mailbox does.
                const hold = holds[received.length - 1] ?? 0;
                return hold === 0 ? undefined : turns(hold);
              },
              failed: (error) => void failures.push(error),
              closed: resolve,
            });
          });
          for (const message of messages) {
            await sender.send(message);
            sent++;
          }
          sender.close();
          await closed;
          expect(failures).toEqual([]);
          expect(received).toEqual(messages);
          expect(mostInFlight).toBeLessThanOrEqual(room);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('grants credits in halves of the room while the sender keeps it busy, never leaving it without', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 60 }), async (room, count) => {
        const { port1, port2 } = new MessageChannel();
        let grants = 0;
        const post = port2.postMessage.bind(port2);
        port2.postMessage = (message: unknown) => {
          if ((message as { type?: unknown }).type === 'credit') grants++;
          post(message);
        };
        const sender = new LinkSender<number>(port1);
        const received: number[] = [];
        const closed = new Promise<void>((resolve) => {
          new LinkReceiver<number>(port2, { room, deliver: (n) => void received.push(n), failed: () => undefined, closed: resolve });
        });
        // Every message is sent at once: the sender waits for room only when it has none left.
        await Promise.all(Array.from({ length: count }, (_, n) => sender.send(n)));
        sender.close();
        await closed;
        expect(received).toEqual(Array.from({ length: count }, (_, n) => n));
        // The first grant is the whole room; after it, one grant per half room taken (and one for a rest).
        expect(grants).toBeLessThanOrEqual(1 + Math.ceil(count / Math.ceil(room / 2)));
      }),
      { numRuns: 40 },
    );
  });

  it('refuses what waits for room when the sender closes, and takes what was already sent', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new LinkSender<number>(port1);
    const received: number[] = [];
    let release: () => void = () => undefined;
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const closed = new Promise<void>((resolve) => {
      new LinkReceiver<number>(port2, {
        room: 2,
        deliver: (n) => {
          received.push(n);
          if (n !== 0) return undefined;
          // The first is held: the receiver's room fills up behind it.
          holding();
          return new Promise<void>((resolve) => (release = resolve));
        },
        failed: () => undefined,
        closed: resolve,
      });
    });
    await turns(1); // the first credits arrive
    const sends = [0, 1, 2, 3].map((n) => sender.send(n));
    await Promise.all(sends.slice(0, 2));
    expect(sender.waiting).toBe(2);
    sender.close();
    await expect(sends[2]).rejects.toBeInstanceOf(LinkClosedError);
    await expect(sends[3]).rejects.toThrow('the link is closed: closed by its sender');
    await expect(sender.send(4)).rejects.toBeInstanceOf(LinkClosedError);
    await held;
    release();
    await closed;
    expect(received).toEqual([0, 1]);
  });

  it('refuses a message that cannot cross at once, and goes on with the next', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new LinkSender<unknown>(port1);
    const received: unknown[] = [];
    const closed = new Promise<void>((resolve) => {
      new LinkReceiver<unknown>(port2, { room: 1, deliver: (m) => void received.push(m), failed: () => undefined, closed: resolve });
    });
    await expect(sender.send({ entries: [{ tag: Symbol('local') }] })).rejects.toThrow('symbol');
    await sender.send({ entries: [{ a: 1 }] });
    sender.close();
    await closed;
    expect(received).toEqual([{ entries: [{ a: 1 }] }]);
  });

  it('stops and closes the link when taking a message throws, refusing what the sender still has waiting', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new LinkSender<number>(port1);
    const failed = new Promise<unknown>((resolve) => {
      new LinkReceiver<number>(port2, {
        room: 1,
        deliver: (n) => {
          if (n === 1) throw new Error('no room for 1');
        },
        failed: resolve,
      });
    });
    const sends = [0, 1, 2, 3, 4].map((n) =>
      sender.send(n).then(
        () => 'sent',
        (error: unknown) => (error instanceof LinkClosedError ? 'refused' : 'other'),
      ),
    );
    expect(((await failed) as Error).message).toBe('no room for 1');
    const outcomes = await Promise.all(sends);
    // 0 and 1 went; 2 may have gone before the receiver's close crossed; the rest were refused.
    expect(outcomes.slice(0, 2)).toEqual(['sent', 'sent']);
    expect(outcomes.slice(3)).toEqual(['refused', 'refused']);
  });

  it('refuses a room that is not a positive integer, naming it', () => {
    const { port1, port2 } = new MessageChannel();
    expect(() => new LinkReceiver(port2, { room: 0, deliver: () => undefined, failed: () => undefined })).toThrow('`room`');
    port1.close();
  });
});
