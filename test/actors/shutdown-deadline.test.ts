import { describe, expect, it } from 'vitest';
import { ActorStoppedError, MemorySnapshotStore, defineActor, type ActorRef, type SpawnOptions } from '../../src/index.js';
import { createTestKit, type TestKit } from '../../src/testing/index.js';
import { deferred, expectInvalidOption } from './helpers.js';

type Msg = { type: 'hang' } | { type: 'inc' } | { type: 'get' };

interface Hooks {
  readonly startedGate?: Promise<void>;
  readonly stoppingGate?: Promise<void>;
  readonly log?: string[];
}

/** Counts `inc`s; `hang` waits on `handlerGate`; its hooks wait on the gates they are given. */
function slow(handlerGate: Promise<void>, hooks: Hooks = {}) {
  return defineActor<number, Msg>({
    initialState: () => 0,
    async started() {
      await hooks.startedGate;
    },
    async stopping(_state, ctx) {
      hooks.log?.push(`stopping ${ctx.self.name}`);
      await hooks.stoppingGate;
    },
    async receive(count, msg, ctx) {
      switch (msg.type) {
        case 'hang':
          await handlerGate;
          return count + 100;
        case 'inc':
          return count + 1;
        case 'get':
          ctx.reply(count);
          return count;
      }
    },
  });
}

function stoppedEvents(kit: TestKit): { path: string; reason: string; forced: boolean; at: number }[] {
  return kit.events.flatMap((e) => (e.type === 'actor-stopped' ? [{ path: e.path, reason: e.reason, forced: e.forced === true, at: e.at }] : []));
}

/** Stops `ref` and advances virtual time until it has stopped; returns how long that took. */
async function stopAndTime(kit: TestKit, ref: ActorRef<never>, step = 10): Promise<number> {
  const start = kit.clock.now();
  let done = false;
  const stopped = ref.stop().then(() => (done = true));
  await kit.settle();
  while (!done) await kit.advance(step);
  await stopped;
  return kit.clock.now() - start;
}

describe('SpawnOptions', () => {
  describe('shutdownMs', () => {
    it('forces a stop whose handler never settles once the time is up: the ask in progress rejects, the queue goes to dead letters', async () => {
      const kit = createTestKit();
      const held = deferred();
      const ref = kit.system.spawn(slow(held.promise), { name: 'slow', shutdownMs: 100 });
      const asked = ref.ask({ type: 'hang' }, { timeoutMs: Infinity });
      const rejection = asked.catch((error: unknown) => error);
      await kit.settle();
      ref.tell({ type: 'inc' });
      expect(await stopAndTime(kit, ref)).toBe(100);
      expect(ref.status).toBe('stopped');
      expect(await rejection).toBeInstanceOf(ActorStoppedError);
      expect(stoppedEvents(kit)).toEqual([{ path: '/user/slow', reason: 'requested', forced: true, at: 100 }]);
      expect(kit.deadLetters.map((l) => [l.reason, l.message])).toEqual([['unprocessed', { type: 'inc' }]]);
      // The handler settling later changes nothing, and nothing is left behind.
      const eventsBefore = kit.events.length;
      held.resolve();
      await kit.settle();
      expect(kit.events).toHaveLength(eventsBefore);
      expect(kit.clock.pendingTimers).toBe(0);
      await kit.shutdown();
    });

    it('leaves a stop that ends in time as it is, with no timer left', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(slow(Promise.resolve()), { name: 'quick', shutdownMs: 100 });
      ref.tell({ type: 'inc' });
      await kit.settle();
      expect(await stopAndTime(kit, ref)).toBe(0);
      expect(stoppedEvents(kit)).toEqual([{ path: '/user/quick', reason: 'requested', forced: false, at: 0 }]);
      expect(kit.clock.pendingTimers).toBe(0);
      await kit.shutdown();
    });

    it.each([
      ['stopping', { stoppingGate: new Promise<void>(() => undefined) }],
      ['started', { startedGate: new Promise<void>(() => undefined) }],
    ] as const)('forces a stop held up by a %s hook that never settles', async (_hook, hooks) => {
      const kit = createTestKit();
      const ref = kit.system.spawn(slow(Promise.resolve(), hooks), { name: 'slow', shutdownMs: 50 });
      await kit.settle();
      expect(await stopAndTime(kit, ref)).toBe(50);
      expect(stoppedEvents(kit)).toMatchObject([{ forced: true }]);
      expect(kit.clock.pendingTimers).toBe(0);
      await kit.shutdown();
    });

    it('forces every stop at once with 0: no stopping hook, no final snapshot', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      const store = new MemorySnapshotStore();
      const ref = kit.system.spawn(slow(Promise.resolve(), { log }), { name: 'brutal', shutdownMs: 0, snapshot: { store, key: 'brutal' } });
      ref.tell({ type: 'inc' });
      await kit.settle();
      const saved = kit.events.filter((e) => e.type === 'snapshot-saved').length;
      await ref.stop();
      expect(log).toEqual([]);
      expect(kit.events.filter((e) => e.type === 'snapshot-saved')).toHaveLength(saved);
      expect(stoppedEvents(kit)).toMatchObject([{ forced: true, at: 0 }]);
      await kit.shutdown();
    });

    it('gives each child its own time, last started first, and forces them all when the parent is forced', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      const hang = { stoppingGate: new Promise<void>(() => undefined), log };
      type ParentMsg = { type: 'spawn'; name: string; options: SpawnOptions };
      const parentDef = defineActor<null, ParentMsg>({
        initialState: () => null,
        receive(state, msg, ctx) {
          ctx.spawn(slow(Promise.resolve(), hang), { ...msg.options, name: msg.name });
          return state;
        },
      });
      const patient = kit.system.spawn(parentDef, { name: 'patient' });
      const hurried = kit.system.spawn(parentDef, { name: 'hurried', shutdownMs: 150 });
      for (const parent of [patient, hurried]) {
        parent.tell({ type: 'spawn', name: 'a', options: { shutdownMs: 100 } });
        parent.tell({ type: 'spawn', name: 'b', options: { shutdownMs: 200 } });
      }
      await kit.settle();
      expect(await stopAndTime(kit, patient)).toBe(300);
      expect(stoppedEvents(kit)).toEqual([
        { path: '/user/patient/b', reason: 'shutdown', forced: true, at: 200 },
        { path: '/user/patient/a', reason: 'shutdown', forced: true, at: 300 },
        { path: '/user/patient', reason: 'requested', forced: false, at: 300 },
      ]);
      // b would take 200 ms, but the parent's 150 ms are up first: both children are forced with it.
      expect(await stopAndTime(kit, hurried)).toBe(150);
      expect(stoppedEvents(kit).slice(3)).toEqual([
        { path: '/user/hurried/b', reason: 'shutdown', forced: true, at: 450 },
        { path: '/user/hurried/a', reason: 'shutdown', forced: true, at: 450 },
        { path: '/user/hurried', reason: 'requested', forced: true, at: 450 },
      ]);
      expect(log).toEqual(['stopping b', 'stopping a', 'stopping b']);
      expect(kit.clock.pendingTimers).toBe(0);
      await kit.shutdown();
    });

    it('bounds a system shutdown too', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(slow(new Promise<void>(() => undefined)), { name: 'slow', shutdownMs: 1000 });
      ref.tell({ type: 'hang' });
      await kit.settle();
      const done = kit.system.shutdown();
      await kit.advance(1000);
      await done;
      expect(kit.system.status).toBe('terminated');
      expect(stoppedEvents(kit)).toMatchObject([{ reason: 'shutdown', forced: true, at: 1000 }]);
    });

    it('ends the restart turn of a child forced while restarting, so the siblings after it restart', async () => {
      const kit = createTestKit();
      let restarts = 0;
      const hangsOnRestart = defineActor<number, Msg | { type: 'fail' }>({
        initialState: () => 0,
        async started() {
          if (restarts++ > 0) await new Promise<void>(() => undefined);
        },
        receive(count, msg) {
          if (msg.type === 'fail') throw new Error('boom');
          return count;
        },
      });
      const refs: ActorRef<never>[] = [];
      const parent = kit.system.spawn(
        defineActor<null, 'go'>({
          initialState: () => null,
          started(_state, ctx) {
            refs.push(ctx.spawn(hangsOnRestart, { name: 'a', shutdownMs: 10 }) as ActorRef<never>);
            refs.push(ctx.spawn(slow(Promise.resolve()), { name: 'b' }) as ActorRef<never>);
          },
          receive: (state) => state,
        }),
        { name: 'parent', supervisor: { strategy: 'one-for-all' } },
      );
      await kit.settle();
      const [a, b] = refs as [ActorRef<{ type: 'fail' }>, ActorRef<Msg>];
      a.tell({ type: 'fail' });
      await kit.settle();
      expect([a.status, b.status]).toEqual(['restarting', 'restarting']);
      expect(await stopAndTime(kit, a)).toBe(10);
      await kit.settle();
      expect(b.status).toBe('running');
      expect(kit.events.filter((e) => e.type === 'actor-restarted').map((e) => e.path)).toEqual(['/user/parent/a', '/user/parent/b']);
      void parent;
      await kit.shutdown();
    });

    it.each([-1, Number.NaN, '10'])('throws InvalidOptionError naming shutdownMs for %s', (value) => {
      const kit = createTestKit();
      expectInvalidOption(() => kit.system.spawn(slow(Promise.resolve()), { shutdownMs: value as number }), 'shutdownMs');
    });
  });
});
