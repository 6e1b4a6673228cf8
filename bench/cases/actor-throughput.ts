/**
 * actor-throughput: N `tell`s to one actor that adds each payload to its state, awaiting the last
 * (an `ask` for the total). The producer tells until the bounded mailbox is full, then awaits
 * `send`, so the number includes backpressure. Over the same messages: a plain function-call loop
 * (the floor), a hand-written bounded ring-buffer mailbox drained in setImmediate turns, and an
 * XState v5 actor.
 */
import { createActor, fromTransition } from 'xstate';
import { createSystem, defineActor, RingBuffer } from '../../src/index.js';
import { defineCase } from '../harness/bench-case.js';

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

/** The actor-throughput case: 1,000,000 messages (200,000 with `--quick`). */
export const actorThroughputCase = defineCase({
  name: 'actor-throughput',
  unit: 'messages',
  input: (scale): readonly Msg[] => Array.from({ length: scale === 'quick' ? 200_000 : 1_000_000 }, (_, i) => ({ type: 'add', amount: i % 10 })),
  operations: (messages) => messages.length,
  implementations: [
    {
      impl: 'function-call loop',
      role: 'floor',
      create: (messages) => ({
        run() {
          let total = 0;
          for (const msg of messages) total = add(total, msg);
          return total;
        },
      }),
    },
    {
      impl: 'hand-written ring mailbox',
      role: 'peer',
      create: (messages) => ({
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
      }),
    },
    {
      // XState's `send` runs the transition at once when the actor is idle: its mailbox never
      // fills, so there is no backpressure to pay for, and none to protect the producer either.
      impl: 'xstate actor (fromTransition)',
      role: 'peer',
      create: (messages) => ({
        run() {
          const actor = createActor(fromTransition(add, 0)).start();
          for (const msg of messages) actor.send(msg);
          const total = actor.getSnapshot().context;
          actor.stop();
          return total;
        },
      }),
    },
    {
      impl: 'sluice actor',
      role: 'sluice',
      create: (messages) => ({
        async run() {
          const system = createSystem({ name: 'bench' });
          const ref = system.spawn(counter, { mailbox: { capacity: 1024, overflow: 'backpressure' } });
          for (const msg of messages) if (!ref.tell(msg)) await ref.send(msg);
          const total = await ref.ask<number>({ type: 'total' });
          await system.shutdown();
          return total;
        },
      }),
    },
  ],
});
