/**
 * The actor check earns its keep on actors with the bugs it exists to find: each one below passes
 * an ordinary test, and each is caught by a check and shrunk to a small counterexample. Beside
 * each, the fixed actor passes the same check, so the kit is not just failing everything.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, type ActorContext } from '../../src/index.js';
import { ActorCheckError, assertActor, defineActorCheck, type ActorCase, type ActorCheck, type ActorModel } from '../../src/testing/index.js';
import { shrunkFailure } from './shrunk-failure.js';

/** Runs a check that must fail, as `assertActor` does; returns the case shrunk to a minimum and its error. */
async function counterexample<TMessage>(check: ActorCheck<TMessage>, seed: number, numRuns: number) {
  const error = await shrunkFailure(assertActor(check, { seed, numRuns }), ActorCheckError, 'messages, faults or schedule items');
  return { testCase: error.testCase as ActorCase<TMessage>, error };
}

/** Runs fast-check's own search with `seed` and says after how many runs it first failed (undefined: never). */
async function runsToFind<TMessage>(check: ActorCheck<TMessage>, seed: number, numRuns: number): Promise<number | undefined> {
  const details = await fc.check(check.property, { seed, numRuns, endOnFailure: true });
  return details.failed ? details.numRuns : undefined;
}

type Count = { type: 'inc'; key: string } | { type: 'get'; key: string };

const counts = fc.array(fc.record({ type: fc.constantFrom('inc' as const, 'get' as const), key: fc.constantFrom('a', 'b') }), { maxLength: 12 });

const countModel: ActorModel<ReadonlyMap<string, number>, Count> = {
  initialState: () => new Map(),
  receive(state, msg) {
    const count = state.get(msg.key) ?? 0;
    return msg.type === 'get' ? { state, reply: count } : { state: new Map(state).set(msg.key, count + 1) };
  },
};

describe('a counter whose state is a Map it updates in place', () => {
  // The Map it returns is the Map it was given: the snapshot the runtime keeps (by reference, as
  // plain state is immutable) is the live Map. A restart from the snapshot taken before the failing
  // message finds that message's increment already in it, and counts it again.
  const counter = (inPlace: boolean) =>
    defineActor<Map<string, number>, Count>({
      initialState: () => new Map(),
      receive(state, msg, ctx) {
        if (msg.type === 'get') {
          ctx.reply(state.get(msg.key) ?? 0);
          return state;
        }
        const next = inPlace ? state : new Map(state);
        return next.set(msg.key, (next.get(msg.key) ?? 0) + 1);
      },
    });
  const check = (inPlace: boolean) =>
    defineActorCheck({ actor: counter(inPlace), messages: counts, model: countModel, query: { type: 'get', key: 'a' }, faults: { throws: true } });

  it('is found in a few dozen runs on every seed', async () => {
    // Measured on seeds 1–30: a median of 5 runs, at most 27.
    const runs = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seed) => runsToFind(check(true), seed, 100)));
    for (const found of runs) expect(found).toBeLessThanOrEqual(40);
  });

  it('shrinks to one message and one fault: an increment, and a failure after it was handled', async () => {
    const { testCase, error } = await counterexample(check(true), 1, 100);
    expect(testCase.messages.map((m) => m.message)).toEqual([{ type: 'inc', key: 'a' }]);
    expect(testCase.faults).toEqual([{ at: 1, poison: false, after: true }]);
    expect(error.message).toContain(
      [
        `the answer to the query {"type":"get","key":"a"} differs from the model's`,
        '  expected 1',
        '  actual   2',
        `what happened: the fault "fails after handling its 1st message" struck #1 {"type":"inc","key":"a"}; restarted from its last snapshot, to process 1 message again`,
        'messages (1): #1 tell {"type":"inc","key":"a"}',
      ].join('\n'),
    );
    expect(error.message).toContain('faults: fails after handling its 1st message');
    expect(error.message).toMatch(/\nreplay: await assertActor\(check, \{ seed: 1, path: "[\d:]+", endOnFailure: true \}\)$/);
  });

  it('passes when each increment makes a new Map', async () => {
    await fc.assert(check(false).property, { seed: 1, numRuns: 60 });
  });

  it('goes unnoticed by an ordinary run, where nothing fails', async () => {
    const system = createSystem();
    const ref = system.spawn(counter(true));
    ref.tell({ type: 'inc', key: 'a' });
    expect(await ref.ask({ type: 'get', key: 'a' })).toBe(1);
    await system.shutdown();
  });
});

type Deposit = { type: 'deposit'; id: number; cents: number } | { type: 'balance' };

const deposits = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('deposit' as const), id: fc.nat({ max: 4 }), cents: fc.integer({ min: 1, max: 9 }) }),
    fc.constant({ type: 'balance' as const }),
  ),
  { maxLength: 12 },
);

/** Deposits may arrive twice (at-least-once upstream): each id counts once. */
const depositModel: ActorModel<{ balance: number; ids: readonly number[] }, Deposit> = {
  initialState: () => ({ balance: 0, ids: [] }),
  receive(state, msg) {
    if (msg.type === 'balance') return { state, reply: state.balance };
    if (state.ids.includes(msg.id)) return { state };
    return { state: { balance: state.balance + msg.cents, ids: [...state.ids, msg.id] } };
  },
};

describe('an account that keeps the ids it has seen outside its state', () => {
  // The ids live beside the actor, not in its state: a restart rolls the balance back, not the
  // ids, so the deposit it processes again looks like a duplicate and is dropped.
  const seenBy = new WeakMap<object, Set<number>>();
  const account = (outside: boolean) =>
    defineActor<{ balance: number; ids: readonly number[] }, Deposit>({
      initialState: () => ({ balance: 0, ids: [] }),
      receive(state, msg, ctx) {
        if (msg.type === 'balance') {
          ctx.reply(state.balance);
          return state;
        }
        const seen = seenBy.get(ctx.self) ?? new Set<number>();
        seenBy.set(ctx.self, seen);
        if (outside ? seen.has(msg.id) : state.ids.includes(msg.id)) return state;
        seen.add(msg.id);
        return { balance: state.balance + msg.cents, ids: [...state.ids, msg.id] };
      },
    });
  const check = (outside: boolean) =>
    defineActorCheck({ actor: account(outside), messages: deposits, model: depositModel, query: { type: 'balance' }, faults: { throws: true, poison: true } });

  it('is caught once the account restarts, and shrinks to one deposit and one fault', async () => {
    const { testCase, error } = await counterexample(check(true), 3, 200);
    expect(error.message).toContain(`the answer to the query {"type":"balance"} differs from the model's`);
    expect(testCase.messages).toHaveLength(1);
    expect(testCase.faults).toHaveLength(1);
  });

  it('passes when the ids are part of the state', async () => {
    await fc.assert(check(false).property, { seed: 3, numRuns: 60 });
  });
});

type Account = { type: 'deposit'; cents: number } | { type: 'balance' } | { type: 'apply'; cents: number };

const accountMessages = fc.array(
  fc.oneof(fc.record({ type: fc.constant('deposit' as const), cents: fc.integer({ min: 1, max: 9 }) }), fc.constant({ type: 'balance' as const })),
  { maxLength: 10 },
);

const accountModel: ActorModel<number, Account> = {
  initialState: () => 0,
  receive: (balance, msg) => (msg.type === 'balance' ? { state: balance, reply: balance } : { state: msg.type === 'deposit' ? balance + msg.cents : balance }),
};

describe('an account that applies a deposit in a message to itself', () => {
  // A deposit is applied by an `apply` the actor tells itself, which queues behind whatever the
  // senders had queued already: a balance asked in between answers without the deposit. Whether
  // one is in between depends on when the senders go, which is the schedule's choice.
  const deferred = (defer: boolean) =>
    defineActor<number, Account>({
      initialState: () => 0,
      receive(balance, msg, ctx: ActorContext<Account>) {
        switch (msg.type) {
          case 'balance':
            ctx.reply(balance);
            return balance;
          case 'deposit':
            if (!defer) return balance + msg.cents;
            ctx.self.tell({ type: 'apply', cents: msg.cents });
            return balance;
          case 'apply':
            return balance + msg.cents;
        }
      },
    });
  const check = (defer: boolean) => defineActorCheck({ actor: deferred(defer), messages: accountMessages, model: accountModel, asks: 'some' });

  it('is caught when a sender goes while the deposit is still queued, and shrinks to a deposit, a balance and a pick', async () => {
    const { testCase, error } = await counterexample(check(true), 1, 200);
    expect(error.message).toMatch(/the answer to #2 \(ask \{"type":"balance"\}( from sender 1)?\) differs from the model's/);
    expect(testCase.messages.map((m) => m.message.type)).toEqual(['deposit', 'balance']);
    expect(testCase.faults).toEqual([]);
    expect(testCase.schedule.picks.length).toBeGreaterThan(0);
  });

  it('passes when a deposit is applied as it is taken', async () => {
    await fc.assert(check(false).property, { seed: 1, numRuns: 60 });
  });
});
