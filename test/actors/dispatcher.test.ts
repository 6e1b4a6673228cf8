import { describe, expect, it } from 'vitest';
import { Dispatcher, type Runnable, type TurnScheduler } from '../../src/actors/internal/dispatcher.js';
import { createSystem, defineActor } from '../../src/index.js';

/** A scheduler that queues turns for the test to run by hand. */
function manualScheduler(): { schedule: TurnScheduler; pending: () => number; runNext: () => void } {
  const turns: (() => void)[] = [];
  return {
    schedule: (turn) => {
      turns.push(turn);
      return () => turns.splice(turns.indexOf(turn), 1);
    },
    pending: () => turns.length,
    runNext: () => (turns.shift() as () => void)(),
  };
}

/** A runnable that records its slices and wants `slices` of them. */
function worker(name: string, slices: number, log: string[]): Runnable {
  let left = slices;
  return {
    runSlice() {
      log.push(name);
      left--;
      return left > 0;
    },
  };
}

describe('Dispatcher', () => {
  describe('enqueue', () => {
    it('schedules one turn for any number of ready runnables', () => {
      const scheduler = manualScheduler();
      const dispatcher = new Dispatcher(Infinity, scheduler.schedule);
      const log: string[] = [];
      dispatcher.enqueue(worker('a', 1, log));
      dispatcher.enqueue(worker('b', 1, log));
      expect(scheduler.pending()).toBe(1);
      scheduler.runNext();
      expect(log).toEqual(['a', 'b']);
      expect(scheduler.pending()).toBe(0);
    });

    it('gives ready runnables slices in round-robin order', () => {
      const scheduler = manualScheduler();
      const dispatcher = new Dispatcher(Infinity, scheduler.schedule);
      const log: string[] = [];
      dispatcher.enqueue(worker('a', 3, log));
      dispatcher.enqueue(worker('b', 2, log));
      scheduler.runNext();
      expect(log).toEqual(['a', 'b', 'a', 'b', 'a']);
    });
  });

  describe('turn budget', () => {
    it('ends a turn when its time budget is spent and schedules the next', () => {
      const scheduler = manualScheduler();
      const dispatcher = new Dispatcher(0, scheduler.schedule);
      const log: string[] = [];
      dispatcher.enqueue(worker('a', 2, log));
      dispatcher.enqueue(worker('b', 1, log));
      scheduler.runNext();
      expect(log).toEqual(['a']);
      expect(scheduler.pending()).toBe(1);
      scheduler.runNext();
      scheduler.runNext();
      expect(log).toEqual(['a', 'b', 'a']);
      expect(scheduler.pending()).toBe(0);
    });
  });

  describe('windows', () => {
    /** Runs `a`, which hands work to `b` in a microtask, beside a host callback queued after a's turn. */
    async function handOff(turnBudgetMs: number): Promise<string[]> {
      const dispatcher = new Dispatcher(turnBudgetMs);
      const log: string[] = [];
      const b = worker('b', 1, log);
      dispatcher.enqueue({
        runSlice() {
          log.push('a');
          void Promise.resolve().then(() => dispatcher.enqueue(b));
          return false;
        },
      });
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          log.push('host');
          resolve();
        }),
      );
      await new Promise<void>((resolve) => setImmediate(resolve));
      dispatcher.close();
      return log;
    }

    it('runs work that arrives while its window is open in a microtask, before the host task queued after it', async () => {
      expect(await handOff(Infinity)).toEqual(['a', 'b', 'host']);
    });

    it('leaves work that arrives after the window closed to a turn of its own after the host task', async () => {
      expect(await handOff(0)).toEqual(['a', 'host', 'b']);
    });
  });

  describe('pick', () => {
    it('runs one slice per turn, of the runnable the picker chooses among the ready ones', () => {
      const scheduler = manualScheduler();
      const picks = [1, 0, 0];
      const seen: number[] = [];
      const dispatcher = new Dispatcher(Infinity, scheduler.schedule, (ready) => {
        seen.push(ready);
        return picks.shift() ?? 0;
      });
      const log: string[] = [];
      dispatcher.enqueue(worker('a', 1, log));
      dispatcher.enqueue(worker('b', 1, log));
      dispatcher.enqueue(worker('c', 1, log));
      scheduler.runNext();
      expect(log).toEqual(['b']);
      scheduler.runNext();
      scheduler.runNext();
      // b was taken from [a, b, c] after a moved to the back: c, then a.
      expect(log).toEqual(['b', 'c', 'a']);
      expect(seen).toEqual([3, 2, 1]);
      expect(scheduler.pending()).toBe(0);
    });

    it('runs nothing in a turn the picker declines, and schedules another', () => {
      const scheduler = manualScheduler();
      const dispatcher = new Dispatcher(Infinity, scheduler.schedule, () => -1);
      const log: string[] = [];
      dispatcher.enqueue(worker('a', 1, log));
      scheduler.runNext();
      expect(log).toEqual([]);
      expect(scheduler.pending()).toBe(1);
    });
  });

  describe('close', () => {
    it('cancels the scheduled turn and schedules no more', () => {
      const scheduler = manualScheduler();
      const dispatcher = new Dispatcher(Infinity, scheduler.schedule);
      dispatcher.enqueue(worker('a', 1, []));
      dispatcher.close();
      expect(scheduler.pending()).toBe(0);
      dispatcher.enqueue(worker('b', 1, []));
      expect(scheduler.pending()).toBe(0);
    });
  });
});

describe('createSystem', () => {
  describe('dispatcher.messageBudget', () => {
    it('interleaves two busy actors one message at a time with a budget of 1', async () => {
      const order: string[] = [];
      const recorder = defineActor<null, string>({
        initialState: () => null,
        receive(state, msg) {
          order.push(msg);
          return state;
        },
      });
      const system = createSystem({ dispatcher: { messageBudget: 1 } });
      const a = system.spawn(recorder, { name: 'a' });
      const b = system.spawn(recorder, { name: 'b' });
      for (let i = 0; i < 3; i++) a.tell(`a${i}`);
      for (let i = 0; i < 3; i++) b.tell(`b${i}`);
      await system.shutdown({ drain: true });
      expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    });
  });

  describe('dispatcher.turnBudgetMs', () => {
    it('lets the host event loop run while an actor works through a flood', async () => {
      let processed = 0;
      const busy = defineActor<null, number>({
        initialState: () => null,
        receive(state) {
          processed++;
          return state;
        },
      });
      const system = createSystem({ dispatcher: { turnBudgetMs: 0.001, messageBudget: 10 } });
      const ref = system.spawn(busy, { mailbox: { capacity: 10_000 } });
      for (let i = 0; i < 10_000; i++) ref.tell(i);
      const seenByHost = await new Promise<number>((resolve) => setImmediate(() => setImmediate(() => resolve(processed))));
      await system.shutdown({ drain: true });
      expect(seenByHost).toBeGreaterThan(0);
      expect(seenByHost).toBeLessThan(10_000);
      expect(processed).toBe(10_000);
    });
  });
});
