import { describe, expect, it } from 'vitest';
import { ActorFailedError, ActorStoppedError, defineActor, spawnPool, type PoolOptions, type Terminated } from '../../../src/index.js';
import { expectInvalidOption } from '../helpers.js';
import { JobFault, depths, expectRefused, failsAtSpawn, job, keyOfJob, recorder, useKits, type Handled, type Job } from './helpers.js';

const newKit = useKits();

describe('spawnPool', () => {
  it('spawns its routees under the pool before it returns, at <pool>/routee-<n>', () => {
    const kit = newKit();
    const pool = spawnPool(kit.system, recorder([]), { name: 'workers', size: 3 });
    expect(pool.path).toBe('/user/workers');
    expect(pool.routees().map((ref) => ref.path)).toEqual(['/user/workers/routee-0', '/user/workers/routee-1', '/user/workers/routee-2']);
    expect(pool.tell(job(0))).toBe(true);
    expect(pool.routing).toBe('round-robin');
  });

  it('is a child of the actor whose handler spawns it', async () => {
    const kit = newKit();
    const paths: string[] = [];
    const parent = defineActor<null, 'go'>({
      initialState: () => null,
      receive(state, _message, ctx) {
        paths.push(
          ...spawnPool(ctx, recorder([]), { name: 'helpers', size: 2 })
            .routees()
            .map((ref) => ref.path),
        );
        return state;
      },
    });
    kit.system.spawn(parent, { name: 'parent' }).tell('go');
    await kit.settle();
    expect(paths).toEqual(['/user/parent/helpers/routee-0', '/user/parent/helpers/routee-1']);
  });

  const REFUSED: readonly [string, PoolOptions<Job>][] = [
    ['size', {}],
    ['size', { size: 0 }],
    ['routing', { size: 1, routing: 'random' as never }],
    ['keyOf', { size: 1, routing: 'consistent-hash' }],
    ['keyOf', { size: 1, keyOf: keyOfJob }],
    ['keyGroups', { size: 1, routing: 'consistent-hash', keyOf: keyOfJob, keyGroups: 40_000 }],
    ['keyGroups', { size: 1, routing: 'least-mailbox', keyGroups: 8 }],
    ['name', { size: 1, name: 'no spaces' }],
    ['routee', { size: 1, routee: 'fast' as never }],
    ['routee.name', { size: 1, routee: { name: 'x' } as never }],
    ['routee.mailbox.capacity', { size: 1, routee: { mailbox: { capacity: 0 } } }],
    ['routee.supervision.maxRetries', { size: 1, routee: { supervision: { maxRetries: 0 } } }],
    ['supervisor.maxRestarts', { size: 1, supervisor: { maxRestarts: -1 } }],
    ['resizer.min', { resizer: { min: 0, max: 2 } }],
    ['resizer.max', { resizer: { min: 3, max: 2 } }],
    ['resizer.shrinkBelow', { resizer: { min: 1, max: 2, growAt: 0.5, shrinkBelow: 0.5 } }],
    ['resizer.everyMs', { resizer: { min: 1, max: 2, everyMs: 0 } }],
    ['size', { size: 5, resizer: { min: 1, max: 4 } }],
  ];

  it.each(REFUSED)('refuses a bad %s with InvalidOptionError and spawns nothing', (option, options) => {
    const kit = newKit();
    const error = expectInvalidOption(() => spawnPool(kit.system, recorder([]), options), option);
    if (option === 'routee.mailbox.capacity') expect(error.message).toBe('Expected `routee.mailbox.capacity` to be a positive integer, got `0`');
    expect(kit.system.metrics().actors).toEqual([]);
  });

  it('refuses a definition that is not one, naming what is missing', () => {
    const kit = newKit();
    expectInvalidOption(() => spawnPool(kit.system, { initialState: () => 0 } as never, { size: 1 }), 'receive');
  });

  it('throws what a routee’s initialState throws, and leaves nothing behind', async () => {
    const kit = newKit();
    const brittle = failsAtSpawn(2);
    expect(() => spawnPool(kit.system, brittle, { name: 'pool', size: 3 })).toThrow('no state for you');
    await kit.settle();
    expect(kit.system.metrics().actors).toEqual([]);
  });
});

describe('Pool', () => {
  describe('tell', () => {
    it('returns what the chosen routee’s tell returns: false when its mailbox is full', () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { size: 2, routee: { mailbox: { capacity: 1 } } });
      expect([pool.tell(job(0)), pool.tell(job(1)), pool.tell(job(2))]).toEqual([true, true, false]);
      expect(pool.metrics().routed).toBe(2);
    });
  });

  describe('routing by least mailbox', () => {
    it('counts a message in progress: a routee awaiting in its handler is busier than an idle one', async () => {
      const kit = newKit();
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const waiter = defineActor<null, number>({
        initialState: () => null,
        async receive(state, n) {
          if (n === 0) await gate;
          return state;
        },
      });
      const pool = spawnPool(kit.system, waiter, { size: 2, routing: 'least-mailbox' });
      pool.tell(0);
      pool.tell(1);
      await kit.settle();
      // Both mailboxes are empty; routee-0 is still handling message 0.
      expect(pool.tell(2)).toBe(true);
      expect(depths(pool.routees())).toEqual([0, 1]);
      open();
      await kit.settle();
    });
  });

  describe('send', () => {
    it('waits for room in the chosen routee', async () => {
      const kit = newKit();
      const handled: Handled[] = [];
      const pool = spawnPool(kit.system, recorder(handled), { name: 'pool', size: 2, routee: { mailbox: { capacity: 1 } } });
      pool.tell(job(0));
      pool.tell(job(1));
      let sent = false;
      const sending = pool.send(job(2)).then(() => {
        sent = true;
      });
      await Promise.resolve();
      expect(sent).toBe(false);
      expect(pool.routees()[0]?.metrics().waitingSenders).toBe(1);
      await kit.settle();
      await sending;
      const by = new Map(handled.map((h) => [h.id, h.by]));
      expect([by.get(0), by.get(1), by.get(2)]).toEqual(['/user/pool/routee-0', '/user/pool/routee-1', '/user/pool/routee-0']);
    });

    it('waits for a routee being replaced, and a later tell of the same key does not overtake it', async () => {
      const kit = newKit();
      const handled: Handled[] = [];
      const pool = spawnPool(kit.system, recorder(handled), { size: 1, routing: 'consistent-hash', keyOf: keyOfJob });
      const [old] = pool.routees();
      void old?.stop();
      const sending = pool.send(job(0, 'k'));
      expect(pool.tell(job(1, 'k'))).toBe(false);
      await kit.settle();
      await sending;
      expect(pool.tell(job(1, 'k'))).toBe(true);
      await kit.settle();
      expect(handled.map((h) => h.id)).toEqual([0, 1]);
      expect(pool.routees()[0]).not.toBe(old);
    });

    it('rejects with ActorStoppedError when the pool stops while it waits for a routee', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { name: 'pool', size: 1 });
      void pool.routees()[0]?.stop();
      const sending = failureOf(pool.send(job(0)));
      const stopped = pool.stop();
      await kit.settle();
      await stopped;
      expect(await sending).toBeInstanceOf(ActorStoppedError);
      expect(await sending).toMatchObject({ recipient: '/user/pool', undelivered: job(0) });
    });
  });

  describe('ask', () => {
    it('resolves with the chosen routee’s reply', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { name: 'pool', size: 3, routing: 'consistent-hash', keyOf: keyOfJob });
      const answers = [pool.ask<string>({ type: 'whoami', key: 'a' }), pool.ask<string>({ type: 'whoami', key: 'a' })];
      await kit.settle();
      const [first, second] = await Promise.all(answers);
      expect(first).toMatch(/^\/user\/pool\/routee-\d$/);
      expect(second).toBe(first);
    });

    it('rejects with ActorFailedError when the routee’s handler throws on it', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { size: 2, routee: { supervision: { decide: () => 'resume' } } });
      const asked = failureOf(pool.ask(job(7, 7, 'throw')));
      await kit.settle();
      expect(await asked).toBeInstanceOf(ActorFailedError);
      expect(await asked).toMatchObject({ cause: expect.any(JobFault) });
    });
  });

  describe.each(['tell', 'send'] as const)('ctx.%s', (how) => {
    it('reaches a routee on the sender’s sequenced link, so what a restarted sender sends again reaches nobody twice', async () => {
      const kit = newKit();
      const handled: Handled[] = [];
      const pool = spawnPool(kit.system, recorder(handled), { size: 3, routing: 'consistent-hash', keyOf: keyOfJob });
      let attempts = 0;
      const sender = defineActor<null, 'go'>({
        initialState: () => null,
        async receive(state, _message, ctx) {
          if (how === 'tell') ctx.tell(pool, job(1, 'k'));
          else await ctx.send(pool, job(1, 'k'));
          if (++attempts === 1) throw new Error('after the send');
          return state;
        },
      });
      kit.system.spawn(sender, { name: 'sender' }).tell('go');
      await kit.settle();
      expect(attempts).toBe(2);
      expect(handled.map((h) => h.id)).toEqual([1]);
    });
  });

  describe('broadcast', () => {
    it('sends to every routee and resolves with how many took it', async () => {
      const kit = newKit();
      const handled: Handled[] = [];
      const pool = spawnPool(kit.system, recorder(handled), { size: 3 });
      const sent = pool.broadcast(job(9));
      await kit.settle();
      await expect(sent).resolves.toBe(3);
      expect(handled.map((h) => h.by).sort()).toEqual(pool.routees().map((ref) => ref.path));
      expect(pool.metrics().broadcasts).toBe(1);
    });

    it('rejects with ActorStoppedError once the pool has stopped', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { size: 1 });
      const stopped = pool.stop();
      await kit.settle();
      await stopped;
      await expect(pool.broadcast(job(0))).rejects.toBeInstanceOf(ActorStoppedError);
    });
  });

  describe('resize', () => {
    it('grows with fresh routees at once, and shrinks from the highest slot, which handles its queue before it stops', async () => {
      const kit = newKit();
      const handled: Handled[] = [];
      const pool = spawnPool(kit.system, recorder(handled), { name: 'pool', size: 2 });
      pool.resize(4);
      expect(pool.routees().map((ref) => ref.name)).toEqual(['routee-0', 'routee-1', 'routee-2', 'routee-3']);
      for (let id = 0; id < 8; id++) pool.tell(job(id));
      const leaving = pool.routees().slice(1);
      pool.resize(1);
      expect(pool.routees().map((ref) => ref.name)).toEqual(['routee-0']);
      expect(leaving.map((ref) => ref.status)).toEqual(['stopping', 'stopping', 'stopping']);
      expect(pool.tell(job(8))).toBe(true);
      await kit.settle();
      expect(handled.map((h) => h.id).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
      expect(handled.find((h) => h.id === 8)?.by).toBe('/user/pool/routee-0');
      expect(leaving.map((ref) => ref.status)).toEqual(['stopped', 'stopped', 'stopped']);
      expect(kit.deadLetters).toEqual([]);
      expect(pool.metrics()).toMatchObject({ processed: 9, resizes: 2, replaced: 0 });
    });

    it('gives a slot taken back while its routee still drains a new routee only once the old one has stopped', async () => {
      const kit = newKit();
      const handled: Handled[] = [];
      const pool = spawnPool(kit.system, recorder(handled), { name: 'pool', size: 2, routing: 'consistent-hash', keyOf: keyOfJob });
      const [, second] = pool.routees();
      let key = 0;
      while (pool.tell(job(-1, key)) && depths(pool.routees())[1] === 0) key++;
      pool.resize(1);
      pool.resize(2);
      expect(pool.routees()[1]).toBe(second);
      expect(pool.tell(job(1, key))).toBe(false);
      await kit.settle();
      const [, fresh] = pool.routees();
      expect(fresh).not.toBe(second);
      expect(fresh?.status).toBe('running');
      expect(pool.tell(job(1, key))).toBe(true);
      await kit.settle();
      expect(handled.at(-1)).toEqual({ id: 1, key, by: '/user/pool/routee-1' });
      expect(pool.metrics().replaced).toBe(0);
    });

    it('throws what a new routee’s initialState throws, and keeps the routees spawned before it', () => {
      const kit = newKit();
      const brittle = failsAtSpawn(4);
      const pool = spawnPool(kit.system, brittle, { name: 'pool', size: 2 });
      expect(() => pool.resize(5)).toThrow('no state for you');
      expect(pool.routees().map((ref) => ref.name)).toEqual(['routee-0', 'routee-1', 'routee-2']);
      pool.resize(4);
      expect(pool.routees().map((ref) => ref.name)).toEqual(['routee-0', 'routee-1', 'routee-2', 'routee-3']);
    });

    it('refuses a size that is not a positive integer, naming size', () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { size: 1 });
      expectInvalidOption(() => pool.resize(0), 'size');
      expectInvalidOption(() => pool.resize(1.5), 'size');
    });

    it('throws ActorStoppedError once the pool is stopping', () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { size: 1 });
      void pool.stop();
      expect(() => pool.resize(2)).toThrow(ActorStoppedError);
    });
  });

  describe('metrics', () => {
    it('adds up its routees’ counters, keeping the processed and dropped of routees that left', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { size: 2, routee: { supervision: { decide: () => 'stop' } } });
      for (let id = 0; id < 6; id++) pool.tell(job(id));
      expect(pool.metrics()).toMatchObject({ depth: 6, capacity: 2048, routed: 6, processed: 0, highWaterMark: 3 });
      await kit.settle();
      pool.tell(job(6, 6, 'throw'));
      await kit.settle();
      pool.resize(1);
      await kit.settle();
      const metrics = pool.metrics();
      expect(metrics).toMatchObject({ processed: 7, replaced: 1, resizes: 1, depth: 0, routing: 'round-robin' });
      expect(metrics.routees.map((routee) => routee.slot)).toEqual(['routee-0']);
    });
  });

  describe('stop', () => {
    it('stops every routee, then refuses into dead letters naming the pool', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { name: 'pool', size: 2 });
      const routees = pool.routees();
      const stopped = pool.stop();
      await kit.settle();
      await stopped;
      expect(pool.status).toBe('stopped');
      expect(routees.map((ref) => ref.status)).toEqual(['stopped', 'stopped']);
      expect(kit.deadLetters).toEqual([]);
      await expectRefused(kit, pool, '/user/pool');
    });
  });

  describe('supervisor', () => {
    it('is what to watch: ctx.watch refuses the pool itself, naming ref', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { size: 1 });
      const errors: unknown[] = [];
      const watcher = defineActor<null, 'watch'>({
        initialState: () => null,
        receive(state, _message, ctx) {
          try {
            ctx.watch(pool as never, () => 'watch');
          } catch (error) {
            errors.push(error);
          }
          return state;
        },
      });
      kit.system.spawn(watcher).tell('watch');
      await kit.settle();
      expect(errors).toEqual([expect.objectContaining({ code: 'INVALID_OPTION', option: 'ref' })]);
    });

    it('is the actor at the pool’s path, which a watcher hears of when the pool stops', async () => {
      const kit = newKit();
      const pool = spawnPool(kit.system, recorder([]), { name: 'pool', size: 2 });
      expect(pool.supervisor.path).toBe(pool.path);
      expect(kit.system.lookup('/user/pool')).toBe(pool.supervisor);
      const seen: Terminated[] = [];
      const watcher = defineActor<null, Terminated | 'watch'>({
        initialState: () => null,
        receive(state, message, ctx) {
          if (message === 'watch') ctx.watch(pool.supervisor);
          else seen.push(message);
          return state;
        },
      });
      kit.system.spawn(watcher).tell('watch');
      await kit.settle();
      void pool.stop();
      await kit.settle();
      expect(seen.map((t) => [t.ref.path, t.reason])).toEqual([['/user/pool', 'requested']]);
    });
  });
});

/** What `promise` rejects with (undefined if it resolves), observed at once so no rejection goes unhandled. */
function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}
