import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driveSteps, STOP, type StepOutcome } from '../../src/testing/internal/step-driver.js';

/** Queues `depth` promise callbacks one after the other, and a next tick at the end of the chain when `tick`; `done` counts each that ran. */
function chain(depth: number, tick: boolean, done: { count: number }): void {
  let promise = Promise.resolve();
  for (let i = 0; i < depth; i++) promise = promise.then(() => void done.count++);
  if (tick) void promise.then(() => process.nextTick(() => void done.count++));
}

describe('driveSteps', () => {
  it('takes each step only once every promise callback and next tick the last one set going has run', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.record({ depth: fc.nat(6), tick: fc.boolean() }), { maxLength: 4 }), { minLength: 1, maxLength: 8 }),
        async (steps) => {
          const done = { count: 0 };
          let expected = 0;
          const seen: number[] = [];
          let at = 0;
          await driveSteps(() => {
            seen.push(done.count - expected);
            if (at === steps.length) return STOP;
            for (const { depth, tick } of steps[at++] as { depth: number; tick: boolean }[]) {
              chain(depth, tick, done);
              expected += depth + (tick ? 1 : 0);
            }
            return undefined;
          });
          // Nothing a step set going was still pending when the next one was taken.
          expect(seen).toEqual(Array.from({ length: steps.length + 1 }, () => 0));
          expect(done.count).toBe(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('waits for a promise a step returns, then for what settles after it, before the next step', async () => {
    let release: () => void = () => undefined;
    const waited = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    let steps = 0;
    const driven = driveSteps((): StepOutcome => {
      steps++;
      if (steps === 1) return waited.then(() => void Promise.resolve().then(() => order.push('after the wait')));
      order.push(`step ${steps}`);
      return STOP;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(steps).toBe(1);
    release();
    await driven;
    expect(order).toEqual(['after the wait', 'step 2']);
  });

  it('rejects with what a step throws, or what its promise rejects with, and takes no further step', async () => {
    let taken = 0;
    await expect(
      driveSteps(() => {
        taken++;
        throw new RangeError('step failed');
      }),
    ).rejects.toThrow(RangeError);
    expect(taken).toBe(1);
    await expect(
      driveSteps(() => {
        taken++;
        return Promise.reject(new TypeError('wait failed'));
      }),
    ).rejects.toThrow(TypeError);
    await new Promise((resolve) => setImmediate(resolve));
    expect(taken).toBe(2);
  });
});
