import { describe, expect, it } from 'vitest';
import { MemorySnapshotStore, createSystem, defineActor, type ActorRef, type TimerKey } from '../../src/index.js';
import { VirtualClock, createTestKit, type TestKit } from '../../src/testing/index.js';
import { deferred } from './helpers.js';
import { newWorld, timerActor, type TimerActorMsg, type TimerActorState, type TimerActorWorld } from './timer-actor.js';

/** Asks through a TestKit, settling while the ask waits. */
async function askKit<T>(kit: TestKit, ref: ActorRef<TimerActorMsg>, msg: TimerActorMsg): Promise<T> {
  const reply = ref.ask<T>(msg, { timeoutMs: Infinity });
  await kit.settle();
  return reply;
}

function setUp(options: Parameters<TestKit['system']['spawn']>[1] = {}, world: TimerActorWorld = newWorld()) {
  const kit = createTestKit();
  const ref = kit.system.spawn(timerActor(world), options);
  const handledAt = (payload: number, tick = 1) => world.firstHandledAt.get(`${payload}:${tick}`);
  const activeKeys = () => askKit<TimerKey[]>(kit, ref, { type: 'keys' });
  const state = () => askKit<TimerActorState>(kit, ref, { type: 'state' });
  return { kit, ref, world, handledAt, activeKeys, state };
}

describe('ActorTimers', () => {
  describe('startSingle', () => {
    it('sends its message once, when it falls due on the system clock', async () => {
      const { kit, ref, handledAt } = setUp();
      ref.tell({ type: 'single', key: 'a', delayMs: 100, payload: 1 });
      await kit.advance(99);
      expect(handledAt(1)).toBeUndefined();
      await kit.advance(1_000);
      expect(handledAt(1)).toBe(100);
      expect(handledAt(1, 2)).toBeUndefined();
      expect(kit.clock.pendingTimers).toBe(0);
      await kit.shutdown();
    });

    it('replaces the timer under the same key, whose message never arrives', async () => {
      const { kit, ref, handledAt } = setUp();
      ref.tell({ type: 'single', key: 'a', delayMs: 100, payload: 1 });
      await kit.advance(50);
      ref.tell({ type: 'single', key: 'a', delayMs: 100, payload: 2 });
      await kit.advance(1_000);
      expect(handledAt(1)).toBeUndefined();
      expect(handledAt(2)).toBe(150);
      await kit.shutdown();
    });

    it('drops the message of a replaced timer that was already queued', async () => {
      const { kit, ref, handledAt } = setUp();
      ref.tell({ type: 'single', key: 'a', delayMs: 100, payload: 1 });
      await kit.settle();
      // The replacement is queued first; the old timer then fires behind it, before anything is handled.
      ref.tell({ type: 'single', key: 'a', delayMs: 100, payload: 2 });
      await kit.clock.advance(100);
      expect(ref.metrics().depth).toBe(2);
      await kit.advance(1_000);
      expect(handledAt(1)).toBeUndefined();
      expect(handledAt(2)).toBe(200);
      expect(kit.deadLetters).toEqual([]);
      await kit.shutdown();
    });

    it('stays active until its message is handled', async () => {
      const { kit, ref, activeKeys } = setUp();
      ref.tell({ type: 'single', key: 'a', delayMs: 10, payload: 1 });
      await kit.settle();
      const whileQueued = ref.ask({ type: 'keys' });
      await kit.clock.advance(10); // fires: its message is queued behind the question
      await kit.settle();
      expect(await whileQueued).toEqual(['a']);
      expect(await activeKeys()).toEqual([]);
      await kit.shutdown();
    });

    it('refuses a delay that is negative or not finite, and a key that is neither a string nor a number', async () => {
      const caught: unknown[] = [];
      const kit = createTestKit();
      const ref = kit.system.spawn(
        defineActor<null, (ctx: { timers: { startSingle: (...args: never[]) => void } }) => void>({
          initialState: () => null,
          receive(state, run, ctx) {
            try {
              run(ctx as never);
            } catch (error) {
              caught.push(error);
            }
            return state;
          },
        }),
      );
      for (const delay of [-1, Number.NaN, Infinity]) ref.tell((ctx) => ctx.timers.startSingle(...(['k', 'm', delay] as never[])));
      ref.tell((ctx) => ctx.timers.startSingle(...([{}, 'm', 1] as never[])));
      await kit.settle();
      expect(caught.map((error) => (error as { option?: string }).option)).toEqual(['delayMs', 'delayMs', 'delayMs', 'key']);
      await kit.shutdown();
    });
  });

  describe('startPeriodic', () => {
    it('sends its message every interval, keeping the rhythm', async () => {
      const { kit, ref, handledAt } = setUp();
      ref.tell({ type: 'periodic', key: 'tick', intervalMs: 100, payload: 1 });
      await kit.advance(450);
      expect([1, 2, 3, 4, 5].map((tick) => handledAt(1, tick))).toEqual([100, 200, 300, 400, undefined]);
      await kit.shutdown();
    });

    it('skips the ticks that fall due while its message waits for mailbox room', async () => {
      const gate = deferred();
      const handled: number[] = [];
      type Msg = { type: 'start' } | { type: 'hold' } | { type: 'tick' };
      const kit = createTestKit();
      const ref = kit.system.spawn(
        defineActor<null, Msg>({
          initialState: () => null,
          async receive(state, msg, ctx) {
            if (msg.type === 'start') ctx.timers.startPeriodic('tick', { type: 'tick' }, 100);
            if (msg.type === 'hold') await gate.promise;
            if (msg.type === 'tick') handled.push(ctx.clock.now());
            return state;
          },
        }),
        { mailbox: { capacity: 1 } },
      );
      ref.tell({ type: 'start' });
      await kit.settle();
      ref.tell({ type: 'hold' });
      await kit.settle();
      // The handler holds; the first tick fills the mailbox, the second waits for room, the rest are skipped.
      await kit.advance(550);
      expect(ref.metrics()).toMatchObject({ depth: 1, waitingSenders: 1 });
      gate.resolve();
      await kit.advance(150);
      // Both queued ticks at once; the ticks due at 300 to 500 skipped; on the rhythm again from 600.
      expect(handled).toEqual([550, 550, 600, 700]);
      await kit.shutdown();
    });

    it('refuses an interval that is not a positive number', async () => {
      const kit = createTestKit();
      const errors: unknown[] = [];
      const ref = kit.system.spawn(
        defineActor<null, number>({
          initialState: () => null,
          receive(state, interval, ctx) {
            try {
              ctx.timers.startPeriodic('k', 0, interval);
            } catch (error) {
              errors.push(error);
            }
            return state;
          },
        }),
      );
      ref.tell(0);
      await kit.settle();
      expect(() => {
        throw errors[0];
      }).toThrow(/`intervalMs`/);
      await kit.shutdown();
    });
  });

  describe('cancel', () => {
    it('drops the message of a timer that already fired, and says whether there was a timer', async () => {
      const kit = createTestKit();
      const results: boolean[] = [];
      type Msg = 'start' | 'cancel' | 'fired';
      const fired: number[] = [];
      const ref = kit.system.spawn(
        defineActor<null, Msg>({
          initialState: () => null,
          receive(state, msg, ctx) {
            if (msg === 'start') ctx.timers.startSingle('k', 'fired', 10);
            if (msg === 'cancel') results.push(ctx.timers.cancel('k'));
            if (msg === 'fired') fired.push(ctx.clock.now());
            return state;
          },
        }),
      );
      ref.tell('start');
      await kit.settle();
      ref.tell('cancel');
      await kit.clock.advance(10); // the timer's message is queued behind the cancel
      ref.tell('cancel');
      await kit.advance(100);
      expect(results).toEqual([true, false]);
      expect(fired).toEqual([]);
      await kit.shutdown();
    });

    it('cancelAll cancels every timer, and activeKeys lists those left in start order', async () => {
      const { kit, ref, activeKeys, handledAt } = setUp();
      ref.tell({ type: 'single', key: 'b', delayMs: 10, payload: 1 });
      ref.tell({ type: 'periodic', key: 1, intervalMs: 10, payload: 2 });
      ref.tell({ type: 'single', key: 'a', delayMs: 10, payload: 3 });
      expect(await activeKeys()).toEqual(['b', 1, 'a']);
      ref.tell({ type: 'cancel-all' });
      expect(await activeKeys()).toEqual([]);
      await kit.advance(100);
      expect([handledAt(1), handledAt(2), handledAt(3)]).toEqual([undefined, undefined, undefined]);
      expect(kit.clock.pendingTimers).toBe(0);
      await kit.shutdown();
    });
  });

  describe('with a failing handler', () => {
    it('undoes the starts and cancels of a handler that throws', async () => {
      const world = newWorld([1]);
      const { kit, ref, handledAt } = setUp({ supervision: { decide: () => 'resume' } }, world);
      ref.tell({ type: 'single', key: 'kept', delayMs: 100, payload: 1 });
      ref.tell({
        type: 'batch',
        commands: [
          { type: 'cancel', key: 'kept' },
          { type: 'single', key: 'new', delayMs: 10, payload: 2 },
        ],
        failId: 1,
      });
      await kit.advance(1_000);
      expect(handledAt(1)).toBe(100);
      expect(handledAt(2)).toBeUndefined();
      await kit.shutdown();
    });
  });

  describe('across a restart from a snapshot', () => {
    it('keeps a timer armed at the snapshot, whatever the failed handler did to it', async () => {
      const world = newWorld([1], Infinity);
      const { kit, ref, handledAt } = setUp({ supervision: { maxRetries: 2 } }, world);
      ref.tell({ type: 'single', key: 'a', delayMs: 1_000, payload: 1 });
      await kit.advance(400);
      // Restarted after its first failure, poison after its second: its cancel never takes hold.
      ref.tell({ type: 'batch', commands: [{ type: 'cancel', key: 'a' }], failId: 1 });
      await kit.advance(2_000);
      expect(kit.events.filter((event) => event.type === 'actor-restarted')).toHaveLength(1);
      expect(kit.deadLetters.map((letter) => letter.reason)).toEqual(['poison']);
      expect(handledAt(1)).toBe(1_000);
      await kit.shutdown();
    });

    it('goes on with the first schedule of a timer that a message processed again starts again', async () => {
      const world = newWorld([1]);
      const { kit, ref, handledAt, state } = setUp({ snapshot: { everyMessages: 100 } }, world);
      ref.tell({ type: 'single', key: 'once', delayMs: 100, payload: 1 });
      ref.tell({ type: 'periodic', key: 'tick', intervalMs: 100, payload: 2 });
      ref.tell({ type: 'single', key: 'later', delayMs: 1_000, payload: 3 });
      await kit.advance(250);
      // Rolls back to the start: every message since is processed again, ticks included.
      ref.tell({ type: 'batch', commands: [], failId: 1 });
      await kit.advance(1_000);
      const { fired } = await state();
      expect(fired.filter((f) => f.payload === 1)).toHaveLength(1);
      expect(fired.filter((f) => f.payload === 2).map((f) => f.tick)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect([handledAt(1), handledAt(2, 1), handledAt(2, 3), handledAt(3)]).toEqual([100, 100, 300, 1_000]);
      expect(kit.events.find((event) => event.type === 'actor-restarted')).toMatchObject({ replayed: 7 });
      await kit.shutdown();
    });
  });

  describe('when the actor stops', () => {
    it('cancels every timer, and a timer started while stopping never arms', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(
        defineActor<null, 'start'>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            ctx.timers.startPeriodic('tick', 'start', 10);
            return state;
          },
          stopping(_state, ctx) {
            ctx.timers.startSingle('late', 'start', 10);
            expect(ctx.timers.isActive('late')).toBe(false);
          },
        }),
      );
      ref.tell('start');
      await kit.settle();
      expect(kit.clock.pendingTimers).toBe(1);
      const stopped = ref.stop();
      await kit.settle();
      await stopped;
      expect(kit.clock.pendingTimers).toBe(0);
      await kit.shutdown();
    });

    it.each([
      ['cancelled', true, []],
      ['still active', false, [['unprocessed', 'fired']]],
    ])('dead-letters a queued timer message at a stop only when its timer is %s', async (_case, cancel, expected) => {
      const kit = createTestKit();
      const ref = kit.system.spawn(
        defineActor<null, 'start' | 'stop' | 'fired'>({
          initialState: () => null,
          receive(state, msg, ctx) {
            if (msg === 'start') ctx.timers.startSingle('t', 'fired', 10);
            if (msg === 'stop') {
              if (cancel) ctx.timers.cancel('t');
              ctx.stop();
            }
            return state;
          },
        }),
      );
      ref.tell('start');
      await kit.settle();
      ref.tell('stop');
      await kit.clock.advance(10); // the timer's message is queued behind the stop
      await kit.settle();
      expect(kit.deadLetters.map((letter) => [letter.reason, letter.message])).toEqual(expected);
      await kit.shutdown();
    });

    it('leaves no timer behind a shutdown', async () => {
      const clock = new VirtualClock();
      const system = createSystem({ clock });
      const ref = system.spawn(timerActor(newWorld()));
      ref.tell({ type: 'periodic', key: 'p', intervalMs: 5, payload: 1 });
      ref.tell({ type: 'single', key: 's', delayMs: 5, payload: 2 });
      expect(await ref.ask({ type: 'keys' })).toEqual(['p', 's']);
      expect(clock.pendingTimers).toBe(2);
      await system.shutdown();
      expect(clock.pendingTimers).toBe(0);
    });
  });

  describe('through a full mailbox', () => {
    it.each(['drop-newest', 'fail'] as const)('dead-letters a timer message the %s policy refuses', async (overflow) => {
      const gate = deferred();
      const kit = createTestKit();
      type Msg = 'start' | 'hold' | 'fired';
      const ref = kit.system.spawn(
        defineActor<null, Msg>({
          initialState: () => null,
          async receive(state, msg, ctx) {
            if (msg === 'start') ctx.timers.startSingle('t', 'fired', 10);
            if (msg === 'hold') await gate.promise;
            return state;
          },
        }),
        { mailbox: { capacity: 1, overflow } },
      );
      ref.tell('start');
      await kit.settle();
      ref.tell('hold');
      await kit.settle();
      ref.tell('hold');
      await kit.advance(10);
      expect(kit.deadLetters).toEqual([expect.objectContaining({ reason: 'dropped-newest', message: 'fired', recipient: ref.path })]);
      gate.resolve();
      await kit.shutdown();
    });
  });

  describe('with a snapshot store', () => {
    it('saves the timers with the time each had left, and re-arms them when the actor starts from that snapshot', async () => {
      const store = new MemorySnapshotStore();
      const first = setUp({ snapshot: { store, key: 'timers' } });
      first.ref.tell({ type: 'single', key: 'once', delayMs: 1_000, payload: 1 });
      first.ref.tell({ type: 'periodic', key: 'tick', intervalMs: 300, payload: 2 });
      await first.kit.advance(700); // ticks at 300 and 600
      await first.kit.shutdown(); // a graceful stop saves a final snapshot

      const second = setUp({ snapshot: { store, key: 'timers' } });
      await second.kit.advance(400);
      expect(second.handledAt(1)).toBe(300);
      expect(second.handledAt(2, 3)).toBe(200); // the next tick of the saved rhythm: 900 - 700
      expect(await second.activeKeys()).toEqual(['tick']);
      await second.kit.shutdown();
    });
  });
});
