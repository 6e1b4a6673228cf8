/**
 * What `freezeState` promises, as a property: whatever a handler returned before (a new object, the
 * state it was given, a new object through a promise, a state after a snapshot moved the actor to
 * the general loop), a handler that writes to, adds to or deletes from the state it was handed fails
 * at once with a `TypeError`, and the state stays as it was. With `freezeState: false` the same
 * writes go through, so the property tests the option, not the test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, type ActorDefinition } from '../../src/index.js';

/** How a message's handler makes the next state, or how it tries to change the state in place. */
type Step = 'new' | 'same' | 'async-new' | 'snapshot' | 'assign' | 'add' | 'delete';
type Msg = { readonly kind: 'step'; readonly step: Step } | { readonly kind: 'get' };

/** What the handlers saw: how many writes in place threw a `TypeError`, how many went through. */
interface Outcomes {
  threw: number;
  wrote: number;
}

const MUTATIONS: readonly Step[] = ['assign', 'add', 'delete'];

const steps = fc.array(fc.constantFrom<Step>('new', 'same', 'async-new', 'snapshot', 'assign', 'add', 'delete'), { minLength: 1, maxLength: 30 });

/** Runs `attempt`, counting whether it threw a `TypeError` (any other error fails the test). */
function tryWrite(outcomes: Outcomes, attempt: () => void): void {
  try {
    attempt();
    outcomes.wrote++;
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    outcomes.threw++;
  }
}

/** An object state `{ n }`: `n` counts the steps that made a new state. */
function objectCounter(outcomes: Outcomes): ActorDefinition<{ readonly n: number }, Msg> {
  return defineActor<{ readonly n: number }, Msg>({
    initialState: () => ({ n: 0 }),
    receive(state, msg, ctx) {
      if (msg.kind === 'get') {
        ctx.reply(state.n);
        return state;
      }
      const writable = state as { n?: number; extra?: number };
      switch (msg.step) {
        case 'new':
          return { n: state.n + 1 };
        case 'async-new':
          return Promise.resolve({ n: state.n + 1 });
        case 'snapshot':
          void ctx.snapshot();
          return { n: state.n + 1 };
        case 'same':
          return state;
        case 'assign':
          tryWrite(outcomes, () => (writable.n = -1));
          return state;
        case 'add':
          tryWrite(outcomes, () => (writable.extra = 1));
          return state;
        case 'delete':
          tryWrite(outcomes, () => delete writable.n);
          return state;
      }
    },
  });
}

/** An array state `[n]`, the same steps: `push`, an index write and a `length` cut are its writes. */
function arrayCounter(outcomes: Outcomes): ActorDefinition<readonly number[], Msg> {
  return defineActor<readonly number[], Msg>({
    initialState: () => [0],
    receive(state, msg, ctx) {
      const n = state[0] as number;
      if (msg.kind === 'get') {
        ctx.reply(n);
        return state;
      }
      const writable = state as number[];
      switch (msg.step) {
        case 'new':
          return [n + 1];
        case 'async-new':
          return Promise.resolve([n + 1]);
        case 'snapshot':
          void ctx.snapshot();
          return [n + 1];
        case 'same':
          return state;
        case 'assign':
          tryWrite(outcomes, () => (writable[0] = -1));
          return state;
        case 'add':
          tryWrite(outcomes, () => writable.push(1));
          return state;
        case 'delete':
          tryWrite(outcomes, () => (writable.length = 0));
          return state;
      }
    },
  });
}

const grows = (step: Step): boolean => step === 'new' || step === 'async-new' || step === 'snapshot';

/** Tells every step to a new actor of `define`'s kind (the state's `n` counts the new states) and asks for `n`. */
async function run(
  freezeState: boolean,
  define: (outcomes: Outcomes) => ActorDefinition<unknown, Msg>,
  script: readonly Step[],
): Promise<{ readonly n: unknown; readonly outcomes: Outcomes }> {
  const system = createSystem({ name: 'freeze-state', freezeState });
  try {
    const outcomes: Outcomes = { threw: 0, wrote: 0 };
    const ref = system.spawn(define(outcomes));
    for (const step of script) expect(ref.tell({ kind: 'step', step })).toBe(true);
    const n = await ref.ask({ kind: 'get' });
    return { n, outcomes };
  } finally {
    await system.shutdown();
  }
}

const KINDS = [
  ['an object state', objectCounter],
  ['an array state', arrayCounter],
] as const;

describe('freezeState', () => {
  describe.each(KINDS)('with %s', (_, define) => {
    it('makes every write to the state a handler was handed throw a TypeError, whatever came before', async () => {
      await fc.assert(
        fc.asyncProperty(steps, async (script) => {
          const { n, outcomes } = await run(true, define as (outcomes: Outcomes) => ActorDefinition<unknown, Msg>, script);
          expect(outcomes).toEqual({ threw: script.filter((step) => MUTATIONS.includes(step)).length, wrote: 0 });
          expect(n).toBe(script.filter(grows).length);
        }),
        { numRuns: 40 },
      );
    });

    it('lets the same writes through when off', async () => {
      const script: readonly Step[] = ['new', 'add', 'same', 'snapshot', 'async-new', 'delete'];
      const { outcomes } = await run(false, define as (outcomes: Outcomes) => ActorDefinition<unknown, Msg>, script);
      expect(outcomes).toEqual({ threw: 0, wrote: 2 });
    });
  });
});
