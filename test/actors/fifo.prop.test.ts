/**
 * Properties of message delivery under any interleaving fast-check's scheduler picks: FIFO per
 * sender, one message at a time, and, under backpressure, nothing lost, nothing duplicated and no
 * mailbox past its capacity. A failure prints the seed, the path and the scheduler's task log.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, type ActorRef, type ActorSystem } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';

interface Item {
  readonly sender: number;
  readonly seq: number;
}

type Msg = Item | 'flush';

/** Lets the scheduler run other tasks `times` times before going on. */
async function yieldTo(s: fc.Scheduler, times: number, label: string): Promise<void> {
  for (let i = 0; i < times; i++) await s.schedule(Promise.resolve(), label);
}

interface Receiver {
  readonly ref: ActorRef<Msg>;
  /** Most handlers ever in progress at once. */
  readonly maxInFlight: () => number;
  /** Deepest mailbox seen from inside a handler. */
  readonly maxDepthSeen: () => number;
}

/**
 * Records each item; before recording the n-th, lets the scheduler run others `pauses[n % length]`
 * times (0: a synchronous handler). Answers `flush` with everything recorded so far.
 */
function spawnReceiver(system: ActorSystem, s: fc.Scheduler, pauses: readonly number[], capacity: number): Receiver {
  const log: Item[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let maxDepthSeen = 0;
  let n = 0;
  const ref = system.spawn(
    defineActor<null, Msg>({
      initialState: () => null,
      receive(state, msg, ctx) {
        if (msg === 'flush') {
          ctx.reply([...log]);
          return state;
        }
        maxDepthSeen = Math.max(maxDepthSeen, ctx.self.metrics().depth);
        const pause = pauses[n++ % pauses.length] ?? 0;
        if (pause === 0) {
          log.push(msg);
          return state;
        }
        return (async () => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await yieldTo(s, pause, `receive ${msg.sender}:${msg.seq}`);
          log.push(msg);
          inFlight--;
          return state;
        })();
      },
    }),
    { name: 'receiver', mailbox: { capacity, overflow: 'backpressure' } },
  );
  return { ref, maxInFlight: () => maxInFlight, maxDepthSeen: () => maxDepthSeen };
}

function flush(s: fc.Scheduler, ref: ActorRef<Msg>): Promise<Item[]> {
  return s.waitFor(ref.ask<Item[]>('flush', { timeoutMs: Infinity }));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

const pausesArb = fc.array(fc.nat({ max: 2 }), { minLength: 1, maxLength: 6 });

describe('ActorRef', () => {
  describe('tell and send', () => {
    it('deliver each sender’s messages in the order it sent them, under any interleaving', async () => {
      type Op = 'tell' | 'send' | 'send-concurrent';
      const opArb = fc.constantFrom<Op>('tell', 'send', 'send-concurrent');
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(fc.array(opArb, { maxLength: 12 }), { minLength: 1, maxLength: 4 }),
          fc.integer({ min: 1, max: 6 }),
          pausesArb,
          async (s, senders, capacity, pauses) => {
            const system = createSystem({ clock: new VirtualClock() });
            try {
              const receiver = spawnReceiver(system, s, pauses, capacity);
              const { ref } = receiver;
              const runs = senders.map(async (ops, sender) => {
                // Sends not awaited before the next message: the runtime must still keep their order.
                const concurrent: Promise<void>[] = [];
                for (const [seq, op] of ops.entries()) {
                  await s.schedule(Promise.resolve(), `sender ${sender} #${seq}`);
                  const item: Item = { sender, seq };
                  if (op === 'send') await ref.send(item);
                  else if (op === 'send-concurrent') concurrent.push(ref.send(item));
                  else if (!ref.tell(item)) await ref.send(item);
                }
                await Promise.all(concurrent);
              });
              await s.waitFor(Promise.all(runs));
              const received = await flush(s, ref);
              senders.forEach((ops, sender) => {
                const seqs = received.filter((item) => item.sender === sender).map((item) => item.seq);
                expect(seqs).toEqual(range(ops.length));
              });
              expect(received).toHaveLength(senders.reduce((total, ops) => total + ops.length, 0));
              expect(receiver.maxInFlight()).toBeLessThanOrEqual(1);
            } finally {
              await system.shutdown();
            }
          },
        ),
        { numRuns: 150 },
      );
    });

    it('lose and duplicate nothing under backpressure, and never fill a mailbox past its capacity', async () => {
      const producerArb = fc.record({
        count: fc.integer({ min: 0, max: 25 }),
        pause: fc.nat({ max: 3 }),
        mode: fc.constantFrom('send', 'tell-then-send'),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.integer({ min: 1, max: 8 }),
          fc.array(producerArb, { minLength: 1, maxLength: 4 }),
          pausesArb,
          async (s, capacity, producers, pauses) => {
            const system = createSystem({ clock: new VirtualClock() });
            try {
              const receiver = spawnReceiver(system, s, pauses, capacity);
              const { ref } = receiver;
              let maxDepthAfterSend = 0;
              const runs = producers.map(async ({ count, pause, mode }, sender) => {
                for (let seq = 0; seq < count; seq++) {
                  await yieldTo(s, pause, `producer ${sender} #${seq}`);
                  const item: Item = { sender, seq };
                  if (mode === 'send' || !ref.tell(item)) await ref.send(item);
                  maxDepthAfterSend = Math.max(maxDepthAfterSend, ref.metrics().depth);
                }
              });
              await s.waitFor(Promise.all(runs));
              const received = await flush(s, ref);
              const key = (item: Item): string => `${item.sender}:${item.seq}`;
              const sent = producers.flatMap(({ count }, sender) => range(count).map((seq) => key({ sender, seq })));
              expect(received.map(key).sort()).toEqual(sent.sort());
              const metrics = ref.metrics();
              expect(metrics.highWaterMark).toBeLessThanOrEqual(capacity);
              expect(maxDepthAfterSend).toBeLessThanOrEqual(capacity);
              expect(receiver.maxDepthSeen()).toBeLessThanOrEqual(capacity);
              expect(metrics.dropped).toBe(0);
              expect(system.deadLetters.count).toBe(0);
            } finally {
              await system.shutdown();
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
