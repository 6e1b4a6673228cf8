/**
 * The clean-shutdown promise: once `shutdown()` resolves, the system holds no timer, immediate or
 * listener, whatever it was doing when asked to stop.
 */
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ActorFailedError, ActorStoppedError, createSystem, systemClock, type Clock } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Inbox, counter, deferred, gatedWorker, nextTurn } from './helpers.js';

interface Handles {
  readonly timeouts: number;
  readonly immediates: number;
}

function activeHandles(): Handles {
  const resources = process.getActiveResourcesInfo();
  return {
    timeouts: resources.filter((resource) => resource === 'Timeout').length,
    immediates: resources.filter((resource) => resource === 'Immediate').length,
  };
}

/**
 * The real clock with ref'd timers: the default clock unrefs its timers, which hides them from
 * `process.getActiveResourcesInfo()`.
 */
const refTimerClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Wraps a clock and counts the timers it has set that have neither fired nor been cleared. */
function countingClock(base: Clock): Clock & { readonly live: number } {
  const live = new Set<unknown>();
  return {
    get live() {
      return live.size;
    },
    now: () => base.now(),
    setTimeout(callback, delayMs) {
      const handle: unknown = base.setTimeout(() => {
        live.delete(handle);
        callback();
      }, delayMs);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      base.clearTimeout(handle);
    },
  };
}

describe('ActorSystem', () => {
  describe('shutdown', () => {
    it('leaves no timer or immediate behind after a busy system shuts down', async () => {
      const before = activeHandles();
      const system = createSystem();
      const refs = Array.from({ length: 20 }, () => system.spawn(counter));
      for (const ref of refs) for (let i = 0; i < 100; i++) ref.tell({ type: 'inc' });
      expect(activeHandles().immediates).toBeGreaterThan(before.immediates);
      await system.shutdown();
      expect(activeHandles()).toEqual(before);
    });

    it('clears the timers of pending asks, including one waiting for mailbox room', async () => {
      const before = activeHandles();
      const system = createSystem({ clock: refTimerClock });
      const ref = system.spawn(counter, { mailbox: { capacity: 1 } });
      const unanswered = [ref.ask({ type: 'inc' }, { timeoutMs: 60_000 }), ref.ask({ type: 'inc' }, { timeoutMs: 60_000 })];
      expect(ref.metrics().waitingSenders).toBe(1);
      expect(activeHandles().timeouts).toBe(before.timeouts + 2);
      await system.shutdown();
      for (const ask of unanswered) await expect(ask).rejects.toBeInstanceOf(ActorStoppedError);
      expect(activeHandles()).toEqual(before);
    });

    it('clears every ask timer it set on the default clock', async () => {
      const clock = countingClock(systemClock);
      const system = createSystem({ clock });
      const ref = system.spawn(counter);
      const unanswered = ref.ask({ type: 'inc' }, { timeoutMs: 60_000 });
      await expect(ref.ask({ type: 'get' }, { timeoutMs: 60_000 })).resolves.toBe(1);
      expect(clock.live).toBe(1);
      await system.shutdown();
      await expect(unanswered).rejects.toBeInstanceOf(ActorStoppedError);
      expect(clock.live).toBe(0);
    });

    it('waits for an actor in the middle of an async handler, then leaves nothing behind', async () => {
      const before = activeHandles();
      const system = createSystem({ clock: refTimerClock });
      const gate = deferred();
      const entered = new Inbox<number>();
      const ref = system.spawn(gatedWorker(gate.promise, entered));
      ref.tell(0);
      const queued = ref.ask(1, { timeoutMs: 60_000 });
      await entered.next();
      let finished = false;
      const done = system.shutdown().then(() => {
        finished = true;
      });
      await nextTurn();
      expect(finished).toBe(false);
      expect(ref.status).toBe('stopping');
      gate.resolve();
      await done;
      await expect(queued).rejects.toBeInstanceOf(ActorStoppedError);
      expect(activeHandles()).toEqual(before);
    });

    it('leaves nothing behind after an escalation stopped the system', async () => {
      const before = activeHandles();
      const system = createSystem({ clock: refTimerClock });
      const ref = system.spawn(counter, { supervision: { decide: () => 'escalate' } });
      const other = system.spawn(counter);
      const pending = other.ask({ type: 'inc' }, { timeoutMs: 60_000 });
      ref.tell({ type: 'fail', error: new Error('up') });
      await expect(system.whenTerminated).rejects.toBeInstanceOf(ActorFailedError);
      await expect(pending).rejects.toBeInstanceOf(ActorStoppedError);
      await system.shutdown();
      expect(activeHandles()).toEqual(before);
    });

    it('leaves no timer pending on a virtual clock after asks were cut short', async () => {
      const clock = new VirtualClock();
      const system = createSystem({ clock });
      const ref = system.spawn(counter, { mailbox: { capacity: 1 } });
      const pending = [ref.ask({ type: 'inc' }), ref.ask({ type: 'inc' }, { timeoutMs: 10 })];
      expect(clock.pendingTimers).toBe(2);
      await system.shutdown();
      for (const ask of pending) await expect(ask).rejects.toBeInstanceOf(ActorStoppedError);
      expect(clock.pendingTimers).toBe(0);
    });

    it('removes its listener from the abort signal', async () => {
      const controller = new AbortController();
      const system = createSystem({ signal: controller.signal });
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
      await system.shutdown();
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    });

    it('leaves no timer, immediate or listener behind after a shutdown by abort', async () => {
      const before = activeHandles();
      const controller = new AbortController();
      const system = createSystem({ signal: controller.signal, clock: refTimerClock });
      const ref = system.spawn(counter);
      ref.tell({ type: 'inc' });
      const pending = ref.ask({ type: 'inc' }, { timeoutMs: 60_000 });
      controller.abort();
      await system.whenTerminated;
      await expect(pending).rejects.toBeInstanceOf(ActorStoppedError);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
      expect(activeHandles()).toEqual(before);
      await system.shutdown();
    });
  });
});
