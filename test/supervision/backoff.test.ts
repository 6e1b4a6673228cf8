import { describe, expect, it } from 'vitest';
import { ActorStoppedError, type ActorSystem, type BackoffOptions, type SystemOptions } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { nextEvent, nextTurn, recordDeadLetters, recordEvents, useSystems, type EventOf } from '../actors/helpers.js';
import { flaky, nextOutcome, parent, rejectionOf, spawnWorker, worker } from './helpers.js';

const newSystem = useSystems();

/** A system on virtual time whose random source makes jitter zero (0.5 is the middle of the spread). */
function virtualSystem(options: SystemOptions = {}): { system: ActorSystem; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { system: newSystem({ random: () => 0.5, ...options, clock }), clock };
}

function spawnWithBackoff(system: ActorSystem, backoff: BackoffOptions, maxRetries = 10) {
  return system.spawn(worker, { name: 'subject', supervision: { backoff, maxRetries } });
}

/**
 * Moves the clock 1 ms at a time from the failure `failed` until its actor restarts, and returns
 * how long that took on the clock.
 */
async function timeToRestart(system: ActorSystem, clock: VirtualClock, failed: EventOf<'actor-failed'>): Promise<number> {
  expect(clock.now()).toBe(failed.at);
  let restartedAt: number | undefined;
  const unsubscribe = system.events.subscribe((event) => {
    if (event.type === 'actor-restarted' && event.path === failed.path) restartedAt ??= event.at;
  });
  try {
    for (let step = 0; restartedAt === undefined && step < 100_000; step++) await clock.advance(1);
  } finally {
    unsubscribe();
  }
  return (restartedAt ?? Infinity) - failed.at;
}

/** Makes the subject fail `failures` times in a row and returns the wait before each restart. */
async function delaysOfConsecutiveFailures(
  system: ActorSystem,
  clock: VirtualClock,
  failures: number,
  send: (message: ReturnType<typeof flaky>) => void,
): Promise<number[]> {
  const delays: number[] = [];
  let failed = nextEvent(system, 'actor-failed');
  send(flaky(new Error('boom'), { failures, by: 1 }));
  for (let i = 0; i < failures; i++) {
    const event = await failed;
    if (i < failures - 1) failed = nextEvent(system, 'actor-failed');
    delays.push(await timeToRestart(system, clock, event));
  }
  return delays;
}

describe('SupervisionOptions', () => {
  describe('backoff', () => {
    it('restarts when the clock reaches minMs, not a tick before', async () => {
      const { system, clock } = virtualSystem();
      const events = recordEvents(system);
      const ref = spawnWithBackoff(system, { minMs: 100 });
      ref.tell({ type: 'inc', by: 5 });
      const failed = nextEvent(system, 'actor-failed');
      ref.tell(flaky(new Error('boom')));
      ref.tell({ type: 'inc', by: 1 });
      const { at } = await failed;
      expect(ref.status).toBe('restarting');
      expect(clock.pendingTimers).toBe(1);

      await clock.advance(99);
      await nextTurn();
      expect(events.filter((event) => event.type === 'actor-restarted')).toEqual([]);
      expect(ref.status).toBe('restarting');

      const restarted = nextEvent(system, 'actor-restarted');
      await clock.advance(1);
      await expect(restarted).resolves.toMatchObject({ at: at + 100, from: 'snapshot' });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(6);
      expect(clock.pendingTimers).toBe(0);
    });

    it('takes no message while it waits', async () => {
      const { system, clock } = virtualSystem();
      const ref = spawnWithBackoff(system, { minMs: 100 });
      const failed = nextEvent(system, 'actor-failed');
      ref.tell(flaky(new Error('boom')));
      await failed;
      let answered = false;
      const answer = ref.ask<number>({ type: 'get' }).then((value) => {
        answered = true;
        return value;
      });
      await clock.advance(50);
      await nextTurn();
      expect(answered).toBe(false);
      await clock.advance(50);
      await expect(answer).resolves.toBe(0);
    });

    it('doubles the delay for each consecutive failure: 100, 200, 400, 800', async () => {
      const { system, clock } = virtualSystem();
      const ref = spawnWithBackoff(system, { minMs: 100, maxMs: 10_000, factor: 2 });
      const delays = await delaysOfConsecutiveFailures(system, clock, 4, (message) => ref.tell(message));
      expect(delays).toEqual([100, 200, 400, 800]);
      await expect(ref.ask({ type: 'get' })).resolves.toBe(1);
    });

    it('grows by factor', async () => {
      const { system, clock } = virtualSystem();
      const ref = spawnWithBackoff(system, { minMs: 10, factor: 3 });
      const delays = await delaysOfConsecutiveFailures(system, clock, 3, (message) => ref.tell(message));
      expect(delays).toEqual([10, 30, 90]);
    });

    it('caps the delay at maxMs', async () => {
      const { system, clock } = virtualSystem();
      const ref = spawnWithBackoff(system, { minMs: 100, maxMs: 300, resetAfterMs: 60_000 });
      const delays = await delaysOfConsecutiveFailures(system, clock, 5, (message) => ref.tell(message));
      expect(delays).toEqual([100, 200, 300, 300, 300]);
    });

    it('stays at maxMs for consecutive failures with the default resetAfterMs', async () => {
      const { system, clock } = virtualSystem();
      // resetAfterMs defaults to maxMs; the actor never runs that long without failing here.
      const ref = spawnWithBackoff(system, { minMs: 100, maxMs: 400 });
      const delays = await delaysOfConsecutiveFailures(system, clock, 6, (message) => ref.tell(message));
      expect(delays).toEqual([100, 200, 400, 400, 400, 400]);
    });

    it('spreads the delay by jitter, drawn from the system random source', async () => {
      // 0.75 is a quarter of the spread above the middle: +10 % with jitter 0.2.
      const { system, clock } = virtualSystem({ random: () => 0.75 });
      const ref = spawnWithBackoff(system, { minMs: 100, jitter: 0.2 });
      const delays = await delaysOfConsecutiveFailures(system, clock, 2, (message) => ref.tell(message));
      expect(delays).toEqual([110, 220]);
    });

    describe('resetAfterMs', () => {
      const backoff: BackoffOptions = { minMs: 100, maxMs: 10_000, resetAfterMs: 1000 };

      /** One failure, its restart, `ranMs` of running, then the next failure: the delay before its restart. */
      async function delayAfterRunning(ranMs: number): Promise<number> {
        const { system, clock } = virtualSystem();
        const ref = spawnWithBackoff(system, backoff);
        let failed = nextEvent(system, 'actor-failed');
        ref.tell(flaky(new Error('first')));
        expect(await timeToRestart(system, clock, await failed)).toBe(100);
        await clock.advance(ranMs);
        failed = nextEvent(system, 'actor-failed');
        ref.tell(flaky(new Error('second')));
        return timeToRestart(system, clock, await failed);
      }

      it('starts again from minMs after resetAfterMs without a restart', async () => {
        await expect(delayAfterRunning(1000)).resolves.toBe(100);
      });

      it('keeps growing when the actor fails again sooner', async () => {
        await expect(delayAfterRunning(500)).resolves.toBe(200);
      });

      it('counts from the restart, not from the failure before it', async () => {
        // 999 ms of running since the restart: one short of resetAfterMs, though 1099 ms since the failure.
        await expect(delayAfterRunning(999)).resolves.toBe(200);
      });
    });

    describe('stopped during the wait', () => {
      it('stops promptly with reason requested, without restarting, and leaves no timer', async () => {
        const { system, clock } = virtualSystem();
        const events = recordEvents(system);
        const ref = spawnWithBackoff(system, { minMs: 5000 });
        const failed = nextEvent(system, 'actor-failed');
        ref.tell(flaky(new Error('boom')));
        await failed;
        expect(clock.pendingTimers).toBe(1);
        const outcome = nextOutcome(system, ref.path);
        await ref.stop();
        await expect(outcome).resolves.toMatchObject({ type: 'actor-stopped', reason: 'requested' });
        expect(ref.status).toBe('stopped');
        expect(clock.now()).toBe(0);
        expect(clock.pendingTimers).toBe(0);
        await clock.advance(10_000);
        await nextTurn();
        expect(events.filter((event) => event.type === 'actor-restarted')).toEqual([]);
      });

      it('dead-letters the failed message and what is queued as unprocessed', async () => {
        const { system } = virtualSystem();
        const letters = recordDeadLetters(system);
        const ref = spawnWithBackoff(system, { minMs: 5000 });
        const failed = nextEvent(system, 'actor-failed');
        const message = flaky(new Error('boom'));
        ref.tell(message);
        ref.tell({ type: 'inc', by: 1 });
        await failed;
        await ref.stop();
        expect(letters.filter((letter) => letter.reason === 'unprocessed').map((letter) => letter.message)).toEqual([message, { type: 'inc', by: 1 }]);
      });

      it('rejects an ask for the failed message with ActorStoppedError', async () => {
        const { system, clock } = virtualSystem();
        const ref = spawnWithBackoff(system, { minMs: 5000 });
        const failed = nextEvent(system, 'actor-failed');
        const reply = ref.ask(flaky(new Error('boom')), { timeoutMs: 60_000 });
        await failed;
        await ref.stop();
        let settled = false;
        const rejection = rejectionOf(reply).finally(() => {
          settled = true;
        });
        await nextTurn();
        expect(settled).toBe(true);
        expect(await rejection).toBeInstanceOf(ActorStoppedError);
        expect(clock.pendingTimers).toBe(0);
      });

      it('stops promptly when the system shuts down', async () => {
        const { system, clock } = virtualSystem();
        const events = recordEvents(system);
        const ref = spawnWithBackoff(system, { minMs: 5000 });
        const failed = nextEvent(system, 'actor-failed');
        ref.tell(flaky(new Error('boom')));
        await failed;
        await system.shutdown();
        expect(ref.status).toBe('stopped');
        expect(events).toContainEqual(expect.objectContaining({ type: 'actor-stopped', path: ref.path, reason: 'shutdown' }));
        expect(events.filter((event) => event.type === 'actor-restarted')).toEqual([]);
        expect(clock.pendingTimers).toBe(0);
      });

      it('stops promptly when its parent stops', async () => {
        const { system, clock } = virtualSystem();
        const events = recordEvents(system);
        const sup = system.spawn(parent, { name: 'sup' });
        const child = await spawnWorker(sup, 'child', { supervision: { backoff: { minMs: 5000 } } });
        const failed = nextEvent(system, 'actor-failed');
        child.tell(flaky(new Error('boom')));
        await failed;
        await sup.stop();
        expect(child.status).toBe('stopped');
        expect(events.filter((event) => event.type === 'actor-restarted')).toEqual([]);
        expect(clock.pendingTimers).toBe(0);
      });
    });

    it('is off by default: the restart does not wait for the clock', async () => {
      const { system, clock } = virtualSystem();
      const ref = system.spawn(worker, { name: 'subject' });
      const restarted = nextEvent(system, 'actor-restarted');
      ref.tell(flaky(new Error('boom')));
      await expect(restarted).resolves.toMatchObject({ at: 0 });
      expect(clock.pendingTimers).toBe(0);
    });
  });
});
