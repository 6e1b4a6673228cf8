/**
 * actor-throughput: N `tell`s to one actor that adds each payload to its state, awaiting the last
 * (an `ask` for the total). The producer tells until the bounded mailbox is full, then awaits
 * `send`, so the number includes backpressure. Baselines over the same messages: a plain
 * function-call loop, and a hand-written bounded ring-buffer mailbox drained in setImmediate turns.
 */
import { createSystem, defineActor, RingBuffer } from '../../src/index.js';
import type { BenchCase } from '../measure.js';

type Msg = { readonly type: 'add'; readonly amount: number } | { readonly type: 'total' };

const counter = defineActor<number, Msg>({
  initialState: () => 0,
  receive(total, msg, ctx) {
    if (msg.type === 'add') return total + msg.amount;
    ctx.reply(total);
    return total;
  },
});

function add(total: number, msg: Msg): number {
  return msg.type === 'add' ? total + msg.amount : total;
}

export function actorThroughput(operations: number): BenchCase {
  const messages: Msg[] = Array.from({ length: operations }, (_, i) => ({ type: 'add', amount: i % 10 }));
  return {
    name: 'actor-throughput',
    unit: 'messages',
    operations,
    implementations: [
      {
        impl: 'function-call loop',
        baseline: true,
        run() {
          let total = 0;
          for (const msg of messages) total = add(total, msg);
          return total;
        },
      },
      {
        impl: 'hand-written ring mailbox',
        baseline: true,
        async run() {
          const ring = new RingBuffer<Msg>(1024);
          let total = 0;
          for (const msg of messages) {
            if (ring.push(msg)) continue;
            await new Promise<void>((resolve) => setImmediate(resolve));
            while (ring.size > 0) total = add(total, ring.shift() as Msg);
            ring.push(msg);
          }
          while (ring.size > 0) total = add(total, ring.shift() as Msg);
          return total;
        },
      },
      {
        impl: 'sluice actor',
        async run() {
          const system = createSystem({ name: 'bench' });
          const ref = system.spawn(counter, { mailbox: { capacity: 1024, overflow: 'backpressure' } });
          for (const msg of messages) if (!ref.tell(msg)) await ref.send(msg);
          const total = await ref.ask<number>({ type: 'total' });
          await system.shutdown();
          return total;
        },
      },
    ],
  };
}
