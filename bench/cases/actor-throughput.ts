/**
 * actor-throughput: N `tell`s to one actor that adds each payload to its state, awaiting the last
 * (an `ask` for the total). The producer tells until the bounded mailbox is full, then awaits
 * `send`, so the number includes backpressure. Over the same messages: a plain function-call loop
 * (the floor), a hand-written bounded ring-buffer mailbox drained in setImmediate turns, and an
 * XState v5 actor. A second Sluice row spreads the same messages over eight actors of eight
 * different definitions alive at once, as a service has many kinds of actor: the dispatcher and
 * the cell then see every kind at their call sites, not one. It runs once with the default
 * `freezeState` (on outside production) and once with it off, as a production service runs. A
 * third defines its actor afresh in every pass, as a service that builds a system per request or
 * per job does: the runtime's call sites meet a new definition (a new `receive` closure) each time.
 */
import { createActor, fromTransition } from 'xstate';
import { createSystem, defineActor, RingBuffer, type ActorDefinition, type ActorRef, type ActorSystem } from '../../src/index.js';
import { defineCase, type ImplementationSpec } from '../harness/bench-case.js';

type Msg = { readonly type: 'add'; readonly amount: number } | { readonly type: 'total' };

/** A new definition of the counter: the same code, a new definition object and `receive` closure. */
function defineCounter(): ActorDefinition<number, Msg> {
  return defineActor<number, Msg>({
    initialState: () => 0,
    receive(total, msg, ctx) {
      if (msg.type === 'add') return total + msg.amount;
      ctx.reply(total);
      return total;
    },
  });
}

const counter = defineCounter();

/** Tells every message to `ref` (awaiting room when its mailbox is full), then asks for the total. */
async function tellAll(ref: ActorRef<Msg>, messages: readonly Msg[]): Promise<number> {
  for (const msg of messages) if (!ref.tell(msg)) await ref.send(msg);
  return ref.ask<number>({ type: 'total' });
}

/** The single-actor row's mailbox: bounded, the producer waits for room. */
const MAILBOX = { mailbox: { capacity: 1024, overflow: 'backpressure' } } as const;

/**
 * Seven more kinds of counter, each its own code and state shape (all synchronous and immutable, so
 * the row measures the runtime seeing many kinds, not a slower kind), each answering `total` with its sum.
 */
const counterWithCount = defineActor<{ readonly total: number; readonly count: number }, Msg>({
  initialState: () => ({ total: 0, count: 0 }),
  receive(state, msg, ctx) {
    if (msg.type === 'add') return { total: state.total + msg.amount, count: state.count + 1 };
    ctx.reply(state.total);
    return state;
  },
});

const counterInTuple = defineActor<readonly [number], Msg>({
  initialState: () => [0],
  receive(state, msg, ctx) {
    if (msg.type === 'total') {
      ctx.reply(state[0]);
      return state;
    }
    return [state[0] + msg.amount];
  },
});

const counterNested = defineActor<{ readonly sum: { readonly value: number } }, Msg>({
  initialState: () => ({ sum: { value: 0 } }),
  receive(state, msg, ctx) {
    switch (msg.type) {
      case 'add':
        return { sum: { value: state.sum.value + msg.amount } };
      case 'total':
        ctx.reply(state.sum.value);
        return state;
    }
  },
});

const counterLabelled = defineActor<{ readonly label: string; readonly total: number }, Msg>({
  initialState: () => ({ label: 'ledger', total: 0 }),
  receive(state, msg, ctx) {
    if (msg.type !== 'add') {
      ctx.reply(state.total);
      return state;
    }
    return { ...state, total: state.total + msg.amount };
  },
});

const counterSigned = defineActor<number, Msg>({
  initialState: () => 0,
  receive(total, msg, ctx) {
    if (msg.type === 'total') {
      ctx.reply(total);
      return total;
    }
    return msg.amount >= 0 ? total + msg.amount : total - Math.abs(msg.amount);
  },
});

const counterWithLast = defineActor<{ readonly last: number; readonly total: number }, Msg>({
  initialState: () => ({ last: 0, total: 0 }),
  receive(state, msg, ctx) {
    if (msg.type === 'add') return { last: msg.amount, total: state.total + msg.amount };
    ctx.reply(state.total);
    return state;
  },
});

const counterInArray = defineActor<{ readonly totals: readonly number[] }, Msg>({
  initialState: () => ({ totals: [0] }),
  receive(state, msg, ctx) {
    const total = state.totals[0] as number;
    if (msg.type === 'total') ctx.reply(total);
    return msg.type === 'add' ? { totals: [total + msg.amount] } : state;
  },
});

/** One actor of each of the eight kinds, each with the single-actor row's mailbox. */
function spawnKinds(system: ActorSystem): ActorRef<Msg>[] {
  const options = MAILBOX;
  return [
    system.spawn(counter, options),
    system.spawn(counterWithCount, options),
    system.spawn(counterInTuple, options),
    system.spawn(counterNested, options),
    system.spawn(counterLabelled, options),
    system.spawn(counterSigned, options),
    system.spawn(counterWithLast, options),
    system.spawn(counterInArray, options),
  ];
}

function add(total: number, msg: Msg): number {
  return msg.type === 'add' ? total + msg.amount : total;
}

/**
 * The row of eight kinds alive at once, with the system's default `freezeState` (on, unless
 * `NODE_ENV` is `production`) or with `freezeState` set: six of the kinds return a new object
 * state for each message, which development mode freezes.
 */
function eightKinds(impl: string, freezeState?: boolean): ImplementationSpec<readonly Msg[]> {
  return {
    impl,
    role: 'sluice',
    compareWith: ['sluice actor'],
    create: (messages) => ({
      async run() {
        const system = createSystem(freezeState === undefined ? { name: 'bench' } : { name: 'bench', freezeState });
        const refs = spawnKinds(system);
        for (let i = 0; i < messages.length; i++) {
          const ref = refs[i % refs.length] as ActorRef<Msg>;
          const msg = messages[i] as Msg;
          if (!ref.tell(msg)) await ref.send(msg);
        }
        const totals = await Promise.all(refs.map((ref) => ref.ask<number>({ type: 'total' })));
        await system.shutdown();
        return totals.reduce((sum, total) => sum + total, 0);
      },
    }),
  };
}

/** The row whose every pass makes a new system and a new definition (what the actor-passes probe runs in many processes). */
export const ACTOR_PER_PASS = 'sluice, new system and definition per pass';

/** The actor-throughput case: 1,000,000 messages (200,000 with `--quick`). */
export const actorThroughputCase = defineCase({
  name: 'actor-throughput',
  // Not interleaved, though its rows are compared: a run here lasts 3 to 100 ms, and a child that
  // waited while others ran starts its run with its data gone from the caches (the function-call
  // loop ran 3.4 times slower so).
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
          const total = await tellAll(system.spawn(counter, MAILBOX), messages);
          await system.shutdown();
          return total;
        },
      }),
    },
    {
      impl: ACTOR_PER_PASS,
      role: 'sluice',
      compareWith: ['sluice actor'],
      create: (messages) => ({
        async run() {
          const system = createSystem({ name: 'bench' });
          const total = await tellAll(system.spawn(defineCounter(), MAILBOX), messages);
          await system.shutdown();
          return total;
        },
      }),
    },
    eightKinds('sluice, 8 actor kinds alive'),
    eightKinds('sluice, 8 actor kinds alive, freezeState: false', false),
  ],
});
