/**
 * Drives a step engine on callbacks: between two steps, promise callbacks settle exactly as after
 * `await settled()` (the next step is queued as a microtask from the next-tick queue, where that
 * await's continuation would be), without a promise, a pair of resolving functions and an async
 * function's resumption for every step.
 */

const SETTLED = Promise.resolve();

/** Returned by a step to end the stepping. */
export const STOP: unique symbol = Symbol('stop');

/**
 * What a step asks for: undefined, the next step once promise callbacks settle; a promise, the
 * next step once it resolved and they settled; {@link STOP}, no further step.
 */
export type StepOutcome = PromiseLike<unknown> | typeof STOP | undefined;

/**
 * Takes `step` once promise callbacks settle, and again after each step as it asks, until it
 * returns {@link STOP}.
 * @throws whatever a step throws, or a promise it returned rejects with (rejects; no step follows).
 */
export function driveSteps(step: () => StepOutcome): Promise<void> {
  return new Promise((resolve, reject) => {
    const take = (): void => {
      let outcome: StepOutcome;
      try {
        outcome = step();
      } catch (error) {
        reject(error);
        return;
      }
      if (outcome === undefined) process.nextTick(takeOnceSettled);
      else if (outcome === STOP) resolve();
      else outcome.then(settleThenTake, reject);
    };
    // A reaction to a settled promise: `queueMicrotask` would make an async resource and a bound function each time.
    const takeOnceSettled = (): void => void SETTLED.then(take);
    const settleThenTake = (): void => process.nextTick(takeOnceSettled);
    settleThenTake();
  });
}
