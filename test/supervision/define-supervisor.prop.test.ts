/**
 * A supervisor defined from child specs, against a model of OTP's rules: children of random
 * restart types under a random strategy and intensity fail, stop themselves or are stopped by
 * their decider, one step after another. After each step the model says which children run, which
 * restarted (in start order, from their snapshot or afresh), and whether the supervisor gave up.
 * A second property stops a supervisor whose children hang in `stopping` or not, each with its
 * own `shutdownMs`: they stop last started first, each when its own time is up.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STRATEGIES, defineActor, defineSupervisor, whichChildren, type ActorRef, type RestartType, type SupervisionStrategy } from '../../src/index.js';
import { restartGroup } from '../../src/supervision/strategy.js';
import { createTestKit } from '../../src/testing/index.js';

type Msg = 'crash' | 'stop-directive' | 'self-stop';

class StopMe extends Error {}

/** The children whose 'crash' has failed once: kept outside their state, which a restart rolls back. */
const crashed = new Set<unknown>();

/** Fails once on 'crash' (a restart processes it again and it passes), fails with StopMe on 'stop-directive', stops itself on 'self-stop'. */
const child = defineActor<null, Msg>({
  initialState: () => null,
  receive(state, msg, ctx) {
    switch (msg) {
      case 'crash':
        if (!crashed.has(ctx.self)) {
          crashed.add(ctx.self);
          throw new Error('crash');
        }
        crashed.delete(ctx.self);
        return state;
      case 'stop-directive':
        throw new StopMe('stop me');
      case 'self-stop':
        ctx.stop();
        return state;
    }
  },
});

interface Case {
  readonly strategy: SupervisionStrategy;
  readonly maxRestarts: number;
  readonly types: readonly RestartType[];
  readonly steps: readonly { readonly msg: Msg; readonly at: number }[];
}

const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 5 }).chain((n) =>
  fc.record({
    strategy: fc.constantFrom(...STRATEGIES),
    maxRestarts: fc.integer({ min: 0, max: 6 }),
    types: fc.array(fc.constantFrom<RestartType>('permanent', 'transient', 'temporary'), { minLength: n, maxLength: n }),
    steps: fc.array(fc.record({ msg: fc.constantFrom<Msg>('crash', 'stop-directive', 'self-stop'), at: fc.nat(n - 1) }), { maxLength: 12 }),
  }),
);

/** What the model expects after each step: who runs, and the restarts the step caused, in order. */
class Model {
  readonly alive: boolean[];
  supervisorAlive = true;
  #restarts = 0;
  readonly #case: Case;

  constructor(testCase: Case) {
    this.#case = testCase;
    this.alive = testCase.types.map(() => true);
  }

  /** Applies one step; returns the restarts it causes as `[child, from]`, in the order they happen. */
  apply(msg: Msg, at: number): [string, 'snapshot' | 'initial-state'][] {
    if (!this.supervisorAlive || !this.alive[at]) return [];
    const type = this.#case.types[at] as RestartType;
    const comesBack = msg === 'crash' ? type !== 'temporary' : type === 'permanent';
    if (!comesBack) {
      this.alive[at] = false;
      return [];
    }
    if (++this.#restarts > this.#case.maxRestarts) {
      this.supervisorAlive = false;
      this.alive.fill(false);
      return [];
    }
    const live = this.alive.flatMap((alive, i) => (alive ? [i] : []));
    return restartGroup(this.#case.strategy, live, at).flatMap((member): [string, 'snapshot' | 'initial-state'][] => {
      if (member === at) return [[`c${member}`, msg === 'self-stop' ? 'initial-state' : 'snapshot']];
      if (this.#case.types[member] === 'temporary') {
        this.alive[member] = false;
        return [];
      }
      return [[`c${member}`, 'snapshot']];
    });
  }
}

describe('defineSupervisor', () => {
  it('restarts and stops its children as restart types, the strategy and the intensity say', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (testCase) => {
        const kit = createTestKit();
        const sup = kit.system.spawn(
          defineSupervisor({
            strategy: testCase.strategy,
            maxRestarts: testCase.maxRestarts,
            withinMs: 60_000,
            children: testCase.types.map((restart, i) => ({
              id: `c${i}`,
              restart,
              start: { definition: child, options: { supervision: { decide: (error) => (error instanceof StopMe ? 'stop' : 'restart') } } },
            })),
          }),
          { name: 'sup' },
        );
        try {
          await kit.settle();
          const listed = whichChildren(sup);
          await kit.settle();
          const refs = (await listed).map((c) => c.ref as unknown as ActorRef<Msg>);
          const model = new Model(testCase);
          for (const { msg, at } of testCase.steps) {
            const before = kit.events.length;
            refs[at]?.tell(msg);
            await kit.settle();
            const expected = model.apply(msg, at);
            const restarted = kit.events.slice(before).flatMap((e) => (e.type === 'actor-restarted' ? [[e.path.slice('/user/sup/'.length), e.from]] : []));
            expect(restarted).toEqual(expected);
            expect(refs.map((ref) => ref.status !== 'stopped')).toEqual(model.alive);
            expect(sup.status !== 'stopped').toBe(model.supervisorAlive);
          }
          if (model.supervisorAlive) {
            const listedNow = whichChildren(sup);
            await kit.settle();
            const running = (await listedNow).filter((c) => c.ref !== undefined).map((c) => c.id);
            expect(running).toEqual(model.alive.flatMap((alive, i) => (alive ? [`c${i}`] : [])));
          }
        } finally {
          crashed.clear();
          await kit.shutdown();
        }
      }),
      { numRuns: 150 },
    );
  });

  it('stops its children last started first, each forced once its own shutdownMs is up', async () => {
    const specArb = fc.record({ hangs: fc.boolean(), shutdownMs: fc.constantFrom(0, 10, 50, 100) });
    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 5 }), async (specs) => {
        const kit = createTestKit();
        const hanging = defineActor<null, never>({ initialState: () => null, receive: (s) => s, stopping: () => new Promise<void>(() => undefined) });
        const quick = defineActor<null, never>({ initialState: () => null, receive: (s) => s });
        const sup = kit.system.spawn(
          defineSupervisor({
            children: specs.map(({ hangs, shutdownMs }, i) => ({ id: `c${i}`, start: { definition: hangs ? hanging : quick }, shutdownMs })),
          }),
          { name: 'sup' },
        );
        try {
          await kit.settle();
          let done = false;
          const stopped = sup.stop().then(() => (done = true));
          await kit.settle();
          while (!done) await kit.advance(10);
          await stopped;
          // Last started first: each child's stop begins when the one after it has ended.
          let clock = 0;
          const expected = [...specs.entries()].reverse().map(([i, { hangs, shutdownMs }]) => {
            if (hangs) clock += shutdownMs;
            return { path: `/user/sup/c${i}`, at: clock, forced: hangs || shutdownMs === 0 };
          });
          const got = kit.events.flatMap((e) => (e.type === 'actor-stopped' ? [{ path: e.path, at: e.at, forced: e.forced === true }] : []));
          expect(got).toEqual([...expected, { path: '/user/sup', at: clock, forced: false }]);
          expect(kit.clock.pendingTimers).toBe(0);
        } finally {
          await kit.shutdown();
        }
      }),
      { numRuns: 100 },
    );
  });
});
