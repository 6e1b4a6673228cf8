import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import {
  ActorFailedError,
  RESTART_TYPES,
  RestartIntensityExceededError,
  defineActor,
  spawnPool,
  type ActorRef,
  type Directive,
  type Pool,
  type RestartType,
  type RoutingStrategy,
} from '../../../src/index.js';
import { createTestKit } from '../../../src/testing/index.js';
import { JobFault, job, keyOfJob, recorder, useKits, type Handled, type Job } from './helpers.js';

const newKit = useKits();

type Trigger = "decider 'restart'" | "decider 'stop'" | 'ctx.stop()' | 'ref.stop()';
type Outcome = 'restarts in place' | 'is replaced';

/**
 * Restart type × what ended the routee's incarnation: the runtime's own rules decide whether the
 * routee restarts in place (same ref, its mailbox kept); whenever it stops instead, the pool puts a
 * fresh routee in its slot.
 */
const MATRIX: Record<RestartType, Record<Trigger, Outcome>> = {
  permanent: {
    "decider 'restart'": 'restarts in place',
    "decider 'stop'": 'restarts in place',
    'ctx.stop()': 'restarts in place',
    'ref.stop()': 'is replaced',
  },
  transient: {
    "decider 'restart'": 'restarts in place',
    "decider 'stop'": 'is replaced',
    'ctx.stop()': 'is replaced',
    'ref.stop()': 'is replaced',
  },
  temporary: {
    "decider 'restart'": 'is replaced',
    "decider 'stop'": 'is replaced',
    'ctx.stop()': 'is replaced',
    'ref.stop()': 'is replaced',
  },
};

const TRIGGERS: readonly Trigger[] = ["decider 'restart'", "decider 'stop'", 'ctx.stop()', 'ref.stop()'];
const CASES = RESTART_TYPES.flatMap((type) => TRIGGERS.map((trigger) => ({ type, trigger, outcome: MATRIX[type][trigger] })));

describe('spawnPool', () => {
  describe('supervision of routees', () => {
    it.each(CASES)('a $type routee after $trigger $outcome, and the pool keeps its size', async ({ type, trigger, outcome }) => {
      const kit = newKit();
      const handled: Handled[] = [];
      const directive: Directive = trigger === "decider 'stop'" ? 'stop' : 'restart';
      const pool = spawnPool(kit.system, recorder(handled), {
        name: 'pool',
        size: 2,
        routing: 'consistent-hash',
        keyOf: keyOfJob,
        routee: { supervision: { restart: type, decide: () => directive } },
      });
      const slot = pool.routees().findIndex((ref) => ref.path.endsWith('routee-0'));
      const [first] = pool.routees();
      // A key of slot 0, found by asking.
      let key = 0;
      while ((await askedBy(pool.ask<string>({ type: 'whoami', key }), kit.settle)) !== first?.path) key++;
      if (trigger === 'ref.stop()') void first?.stop();
      else pool.tell(job(1, key, trigger === "decider 'restart'" ? 'throw-once' : trigger === "decider 'stop'" ? 'throw' : 'quit'));
      // Stopped from outside, the routee takes nothing from then on, and its keys wait for the replacement.
      expect(pool.tell(job(2, key))).toBe(trigger !== 'ref.stop()');
      await kit.settle();

      const now = pool.routees()[slot];
      expect(pool.routees()).toHaveLength(2);
      expect(now?.status).toBe('running');
      expect(now?.path).toBe(first?.path);
      if (outcome === 'restarts in place') {
        expect(now).toBe(first);
        expect(pool.metrics().replaced).toBe(0);
        expect(handled.map((h) => h.id)).toContain(2);
      } else {
        expect(now).not.toBe(first);
        expect(pool.metrics().replaced).toBe(1);
        // Job 2, queued in a routee that stopped at job 1, went with it to dead letters.
        if (trigger !== 'ref.stop()') expect(kit.deadLetters).toContainEqual(expect.objectContaining({ reason: 'unprocessed', message: job(2, key) }));
      }
      // Either way the slot takes the key's messages again.
      pool.tell(job(3, key));
      await kit.settle();
      expect(handled.at(-1)).toEqual({ id: 3, key, by: first?.path });
    });

    it('gives up past its restart intensity, counting replacements: its routees stop and its parent fails', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), {
        name: 'pool',
        size: 2,
        supervisor: { maxRestarts: 2, withinMs: 1000 },
        routee: { supervision: { decide: (error) => (error instanceof JobFault && error.id % 2 === 0 ? 'restart' : 'stop') } },
      });
      const routees = pool.routees();
      pool.tell(job(0, 0, 'throw-once')); // restarts in place: 1
      pool.tell(job(1, 1, 'throw')); // replaced: 2
      await kit.settle();
      expect(pool.status).toBe('running');
      pool.tell(job(3, 3, 'throw')); // replaced: 3, one too many
      await kit.settle();
      await expect(kit.system.whenTerminated).rejects.toBeInstanceOf(RestartIntensityExceededError);
      await expect(kit.system.whenTerminated).rejects.toMatchObject({ supervisor: '/user/pool', maxRestarts: 2 });
      expect(pool.status).toBe('stopped');
      expect(routees.map((ref) => ref.status)).toEqual(['stopped', 'stopped']);
      await expect(pool.send(job(4))).rejects.toMatchObject({ code: 'ACTOR_STOPPED', recipient: '/user/pool' });
    });

    it('escalates what a routee escalates to the pool’s parent', async () => {
      const kit = newKit();
      const failures: unknown[] = [];
      const parent = defineActor<null, 'spawn'>({
        initialState: () => null,
        receive(state, _message, ctx) {
          const pool = spawnPool(ctx, recorder([]), { name: 'pool', size: 2, routee: { supervision: { decide: () => 'escalate' } } });
          pool.tell(job(0, 0, 'throw'));
          return state;
        },
      });
      const ref = kit.system.spawn(parent, {
        name: 'parent',
        supervision: {
          decide: (error) => {
            failures.push(error);
            return 'resume';
          },
        },
      });
      ref.tell('spawn');
      await kit.settle();
      expect(failures).toEqual([expect.any(ActorFailedError)]);
      expect(failures[0]).toMatchObject({ actor: '/user/parent/pool' });
      expect(kit.system.lookup('/user/parent/pool')).toBeUndefined();
    });

    it('gives every slot a fresh routee when its own parent restarts it, counting no replacement', async () => {
      const kit = newKit();
      const handled: Handled[] = [];
      let pool: Pool<Job> | undefined;
      const parent = defineActor<null, 'fail'>({
        initialState: () => null,
        started(_state, ctx) {
          pool ??= spawnPool(ctx, recorder(handled), { name: 'pool', size: 2 });
          ctx.spawn(recorder([]), { name: 'sibling' });
        },
        receive: (state, _message, ctx) => {
          const sibling = ctx.children().find((child) => child.path.endsWith('sibling')) as ActorRef<Job> | undefined;
          sibling?.tell(job(0, 0, 'throw-once'));
          return state;
        },
      });
      kit.system.spawn(parent, { name: 'parent', supervisor: { strategy: 'one-for-all' } }).tell('fail');
      await kit.settle();
      expect(pool?.metrics().routees.map((routee) => [routee.path, routee.status])).toEqual([
        ['/user/parent/pool/routee-0', 'running'],
        ['/user/parent/pool/routee-1', 'running'],
      ]);
      expect(pool?.metrics().replaced).toBe(0);
      pool?.tell(job(1));
      await kit.settle();
      expect(handled.map((h) => h.id)).toEqual([1]);
      expect(kit.events.filter((event) => event.type === 'actor-restarted').map((event) => event.path)).toEqual(['/user/parent/pool', '/user/parent/sibling']);
    });

    it('restarts every routee with a failing one under one-for-all', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { size: 3, supervisor: { strategy: 'one-for-all' } });
      pool.tell(job(0, 0, 'throw-once'));
      await kit.settle();
      expect(pool.metrics().routees.map((routee) => routee.restarts)).toEqual([1, 1, 1]);
    });
  });

  describe('supervision of routees, as a property', () => {
    /** What each job does to the routee that takes it. */
    const planArb = fc.array(fc.constantFrom('ok', 'ok', 'ok', 'throw-once', 'throw', 'quit'), { maxLength: 40 });
    const routingArb = fc.constantFrom<RoutingStrategy>('round-robin', 'least-mailbox', 'consistent-hash');

    it.prop([planArb, fc.integer({ min: 1, max: 4 }), routingArb, fc.array(fc.nat(), { maxLength: 8 })])(
      'accounts for every message once — handled, or dead-lettered with the routee that stopped — and ends with every slot running',
      async (plan, size, routing, picks) => {
        const kit = createTestKit({ picks });
        const handled: Handled[] = [];
        const pool = spawnPool(kit.system, recorder(handled), {
          name: 'pool',
          size,
          routing,
          ...(routing === 'consistent-hash' ? { keyOf: keyOfJob } : {}),
          supervisor: { maxRestarts: Infinity },
          routee: { supervision: { decide: (error) => (error instanceof JobFault && plan[error.id] === 'throw-once' ? 'restart' : 'stop') } },
        });
        plan.forEach((fault, id) => expect(pool.tell(job(id, id % 5, fault === 'ok' ? undefined : fault))).toBe(true));
        await kit.settle();

        const handledIds = handled.map((h) => h.id);
        const lost = kit.deadLetters.map((letter) => (letter.message as Job & { type: 'job' }).id);
        expect([...handledIds, ...lost].sort((a, b) => a - b)).toEqual(plan.map((_, id) => id));
        expect(lost.filter((id) => plan[id] === 'throw').sort((a, b) => a - b)).toEqual(plan.flatMap((fault, id) => (fault === 'throw' ? [id] : [])));
        // A routee stops at a job that throws every time and at one that quits, when it takes them.
        const failed = kit.deadLetters.filter((letter) => letter.reason === 'handler-failed').length;
        const quit = handled.filter((h) => plan[h.id] === 'quit').length;
        const stops = failed + quit;
        expect(pool.metrics().replaced).toBe(stops);
        expect(pool.routees().map((ref) => [ref.path, ref.status])).toEqual(
          Array.from({ length: size }, (_, slot) => [`/user/pool/routee-${slot}`, 'running']),
        );
        await kit.shutdown();
      },
    );
  });
});

/** The answer to an ask the kit has to settle for. */
async function askedBy<T>(answer: Promise<T>, settle: () => Promise<void>): Promise<T> {
  await settle();
  return answer;
}
