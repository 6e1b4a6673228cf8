import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineActor, type ActorRef } from '../../src/index.js';
import { actorFaultsArb, createTestKit, describeActorFaults, InjectedFault, withFaults, type ActorFault } from '../../src/testing/index.js';

type Msg = { type: 'deposit'; id: number; amount: number } | { type: 'report'; to: ActorRef<{ account: string; balance: number; ids: number[] }> };

/** An account that also forwards each deposit to an auditor: two actors whose turns interleave. */
const account = (name: string, auditor: ActorRef<number>) =>
  defineActor<{ balance: number; ids: readonly number[] }, Msg>({
    initialState: () => ({ balance: 0, ids: [] }),
    receive(state, msg, ctx) {
      if (msg.type === 'report') {
        ctx.tell(msg.to, { account: name, balance: state.balance, ids: [...state.ids] });
        return state;
      }
      ctx.tell(auditor, msg.amount);
      return { balance: state.balance + msg.amount, ids: [...state.ids, msg.id] };
    },
  });

const deposits = fc.array(fc.record({ to: fc.constantFrom('a', 'b'), amount: fc.integer({ min: 1, max: 9 }) }), { maxLength: 12 });

describe('withFaults', () => {
  it('throws once at the k-th message: the restarted actor processes it again and loses nothing', async () => {
    await fc.assert(
      fc.asyncProperty(deposits, actorFaultsArb({ poison: false }), fc.array(fc.nat(), { maxLength: 8 }), async (list, faults, picks) => {
        const kit = createTestKit({ picks });
        const audit = kit.probe<number>('audit');
        const report = kit.probe<{ account: string; balance: number; ids: number[] }>('report');
        // Faults at consecutive ordinals strike the same message again: let it fail that often.
        const refs = {
          a: kit.system.spawn(withFaults(account('a', audit.ref), faults), { name: 'a', supervision: { maxRetries: 10 } }),
          b: kit.system.spawn(account('b', audit.ref), { name: 'b' }),
        };
        list.forEach(({ to, amount }, id) => refs[to].tell({ type: 'deposit', id, amount }));
        refs.a.tell({ type: 'report', to: report.ref });
        refs.b.tell({ type: 'report', to: report.ref });
        await kit.settle();
        for (const name of ['a', 'b'] as const) {
          const mine = list.map((d, id) => ({ ...d, id })).filter((d) => d.to === name);
          expect(report.received.find((r) => r.account === name)).toEqual({
            account: name,
            balance: mine.reduce((s, d) => s + d.amount, 0),
            ids: mine.map((d) => d.id),
          });
        }
        // What the restarted actor sent before it failed reaches nobody twice.
        expect([...audit.received].sort()).toEqual(list.map((d) => d.amount).sort());
        expect(kit.deadLetters).toEqual([]);
        await kit.shutdown();
      }),
      { numRuns: 60 },
    );
  });

  it('poisons the k-th message: it ends in dead letters, and the actor goes on without it', async () => {
    await fc.assert(
      fc.asyncProperty(deposits, fc.integer({ min: 1, max: 12 }), async (list, at) => {
        const kit = createTestKit();
        const audit = kit.probe<number>('audit');
        const report = kit.probe<{ account: string; balance: number; ids: number[] }>('report');
        const faults: ActorFault[] = [{ at, poison: true }];
        const ref = kit.system.spawn(withFaults(account('a', audit.ref), faults));
        list.forEach(({ amount }, id) => ref.tell({ type: 'deposit', id, amount }));
        ref.tell({ type: 'report', to: report.ref });
        await kit.settle();
        // The at-th message is a deposit, the report that follows them, or nothing at all.
        const poisoned = at <= list.length ? at - 1 : undefined;
        const kept = list.map((d, id) => ({ ...d, id })).filter((d) => d.id !== poisoned);
        const expected = { account: 'a', balance: kept.reduce((s, d) => s + d.amount, 0), ids: kept.map((d) => d.id) };
        expect(report.received).toEqual(at === list.length + 1 ? [] : [expected]);
        expect(kit.deadLetters.map((l) => l.reason)).toEqual(at <= list.length + 1 ? ['poison'] : []);
        if (poisoned !== undefined) expect(kit.deadLetters[0]?.message).toMatchObject({ type: 'deposit', id: poisoned });
        await kit.shutdown();
      }),
      { numRuns: 40 },
    );
  });

  it('says what it injects, and throws an InjectedFault', async () => {
    expect(
      describeActorFaults([
        { at: 2, poison: false },
        { at: 5, poison: true },
      ]),
    ).toBe('throws at its 2nd message; poisons its 5th message (throws every time)');
    expect(describeActorFaults([])).toBe('none');
    const kit = createTestKit();
    const ref = kit.system.spawn(withFaults(defineActor<number, number>({ initialState: () => 0, receive: (n, m) => n + m }), [{ at: 1, poison: true }]), {
      supervision: { maxRetries: 1 },
    });
    ref.tell(1);
    await kit.settle();
    expect(kit.deadLetters[0]?.error).toBeInstanceOf(InjectedFault);
    await kit.shutdown();
  });
});

describe('withFaults after the handler', () => {
  /** A tally in a Map: updated in place when `mutate`, copied otherwise. */
  const tally = (mutate: boolean) =>
    defineActor<Map<string, number>, string>({
      initialState: () => new Map(),
      receive(counts, word) {
        const next = mutate ? counts : new Map(counts);
        return next.set(word, (next.get(word) ?? 0) + 1);
      },
    });

  /** The state a probe hears after `words`, with `faults` injected into the tally. */
  async function tallied(mutate: boolean, words: string[], faults: ActorFault[], async = false) {
    const kit = createTestKit();
    const probe = kit.probe<[string, number][]>('probe');
    type Msg = string | { to: ActorRef<[string, number][]> };
    const inner = tally(mutate);
    const actor = defineActor<Map<string, number>, Msg>({
      initialState: inner.initialState,
      receive(counts, msg, ctx) {
        if (typeof msg !== 'string') {
          ctx.tell(msg.to, [...counts]);
          return counts;
        }
        const next = inner.receive(counts, msg, ctx as never) as Map<string, number>;
        return async ? Promise.resolve(next) : next;
      },
    });
    const struck: string[] = [];
    const ref = kit.system.spawn(
      withFaults(actor, faults, (fault, msg) => struck.push(`${fault.at}:${String(msg)}`)),
      { supervision: { maxRetries: 10 } },
    );
    for (const word of words) ref.tell(word);
    ref.tell({ to: probe.ref });
    const counts = await probe.expectMessage();
    await kit.shutdown();
    return { counts, struck, deadLetters: kit.deadLetters };
  }

  it('runs the handler, then fails: a restart from the snapshot processes the message again', async () => {
    const faults: ActorFault[] = [{ at: 2, poison: false, after: true }];
    expect(await tallied(false, ['a', 'b', 'a'], faults)).toEqual({
      counts: [
        ['a', 2],
        ['b', 1],
      ],
      struck: ['2:b'],
      deadLetters: [],
    });
    expect((await tallied(false, ['a', 'b', 'a'], faults, true)).counts).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });

  it('shows state shared with its snapshot: what the failed handler wrote in place is counted twice', async () => {
    const faults: ActorFault[] = [{ at: 1, poison: false, after: true }];
    expect((await tallied(true, ['a'], faults)).counts).toEqual([['a', 2]]);
    // Before the handler, the same fault leaves nothing written to count twice.
    expect((await tallied(true, ['a'], [{ at: 1, poison: false }])).counts).toEqual([['a', 1]]);
  });

  it('poisons after the handler: the message ends in dead letters, and state that is not shared is as without it', async () => {
    const { counts, deadLetters } = await tallied(false, ['a', 'b'], [{ at: 2, poison: true, after: true }]);
    expect(counts).toEqual([['a', 1]]);
    expect(deadLetters.map((l) => [l.reason, l.message])).toEqual([['poison', 'b']]);
  });

  it('draws faults after the handler only when asked, and says them in words', () => {
    expect(
      fc
        .sample(actorFaultsArb(), 50)
        .flat()
        .some((f) => f.after !== undefined),
    ).toBe(false);
    expect(
      fc
        .sample(actorFaultsArb({ after: true }), 50)
        .flat()
        .some((f) => f.after === true),
    ).toBe(true);
    expect(() => actorFaultsArb({ after: 'yes' as never })).toThrow('`after`');
    expect(
      describeActorFaults([
        { at: 1, poison: false, after: true },
        { at: 3, poison: true, after: true },
      ]),
    ).toBe('fails after handling its 1st message; poisons its 3rd message (fails after handling it every time)');
    expect(new InjectedFault(2, false, true).message).toBe('injected fault after message 2');
  });
});

describe('createTestKit', () => {
  describe('picks', () => {
    it('runs one slice of the picked actor per turn, so the picks decide the interleaving', async () => {
      const order = async (picks: number[]) => {
        const kit = createTestKit({ picks, dispatcher: { messageBudget: 1 } });
        const log: string[] = [];
        const actor = (name: string) => defineActor<null, number>({ initialState: () => null, receive: (s, n) => (log.push(`${name}${n}`), s) });
        const x = kit.system.spawn(actor('x'));
        const y = kit.system.spawn(actor('y'));
        for (const n of [1, 2]) {
          x.tell(n);
          y.tell(n);
        }
        await kit.settle();
        await kit.shutdown();
        return log.join(' ');
      };
      expect(await order([0])).toBe('x1 y1 x2 y2');
      // The picked actor goes to the back of the queue, and is picked again.
      expect(await order([1])).toBe('y1 y2 x1 x2');
      expect(await order([0, 1])).toBe('x1 x2 y1 y2');
    });

    it('rejects picks that are not non-negative integers, naming them', () => {
      expect(() => createTestKit({ picks: [-1] })).toThrow('`picks`');
    });
  });
});
