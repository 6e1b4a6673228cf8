/**
 * Timers against a model, as properties: whatever the order of starts, replacements and cancels,
 * and whenever time moves and the actor gets to run — a timer's message fired but still queued
 * when its timer is replaced or cancelled included — each timer's messages arrive exactly when the
 * model says, and never from a timer that was replaced or cancelled. And restarts are invisible:
 * with handlers that fail and are retried, and snapshots every message or every few (so a restart
 * rolls back over several messages and their timer messages, and processes them again), the
 * messages, their times and the timers left armed are those of the run without failures — or,
 * for a handler that fails every time and is given up as poison, of the run without its message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TimerKey } from '../../src/index.js';
import { createTestKit } from '../../src/testing/index.js';
import { newWorld, timerActor, type Fired, type TimerActorMsg, type TimerActorState, type TimerCommand } from './timer-actor.js';

type Step =
  /** `fails`: how many times the handler of `msg` fails (Infinity: every time, so it ends as poison). */
  | { readonly kind: 'send'; readonly msg: TimerActorMsg; readonly fails?: number }
  /** Moves the clock: timers fire and queue their messages, which nothing handles yet. */
  | { readonly kind: 'advance'; readonly ms: number }
  /** Lets the actor handle everything queued, at the current time. */
  | { readonly kind: 'settle' };

const KEYS: readonly TimerKey[] = ['a', 'b', 7];

const commandArb: fc.Arbitrary<TimerCommand> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant('single' as const),
      key: fc.constantFrom(...KEYS),
      delayMs: fc.integer({ min: 0, max: 60 }),
      payload: fc.constant(0),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('periodic' as const),
      key: fc.constantFrom(...KEYS),
      intervalMs: fc.integer({ min: 5, max: 40 }),
      payload: fc.constant(0),
    }),
  },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), key: fc.constantFrom(...KEYS) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'cancel-all' as const }) },
);

/** Steps with a unique payload for every start (so each start's messages are told apart). */
function stepsArb(failures: boolean): fc.Arbitrary<Step[]> {
  const fails = failures ? fc.option(fc.constantFrom(1, 2, Infinity), { freq: 3 }) : fc.constant(null);
  const send = fc
    .tuple(fc.array(commandArb, { minLength: 1, maxLength: 3 }), fails)
    .map(([commands, times]): Step =>
      times === null ? { kind: 'send', msg: { type: 'batch', commands } } : { kind: 'send', msg: { type: 'batch', commands }, fails: times },
    );
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 4, arbitrary: send },
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 50 }).map((ms): Step => ({ kind: 'advance', ms })) },
    { weight: 2, arbitrary: fc.constant<Step>({ kind: 'settle' }) },
  );
  return fc.array(step, { maxLength: 30 }).map(numbered);
}

/** Gives every start a payload of its own, and every failing batch its id (its index). */
function numbered(steps: Step[]): Step[] {
  let payload = 0;
  return steps.map((step, index) => {
    if (step.kind !== 'send' || step.msg.type !== 'batch') return step;
    const commands = step.msg.commands.map((command) =>
      command.type === 'single' || command.type === 'periodic' ? { ...command, payload: ++payload } : command,
    );
    return { ...step, msg: { type: 'batch', commands, failId: step.fails === undefined ? undefined : index } };
  });
}

/** How many times each failing batch fails (maxRetries is 3: 1 or 2 are retried until they pass). */
function failuresOf(steps: readonly Step[], times: Map<number, number>): void {
  for (const step of steps) if (step.kind === 'send' && step.msg.type === 'batch' && step.msg.failId !== undefined) times.set(step.msg.failId, step.fails ?? 0);
}

function isPoison(step: Step): boolean {
  return step.kind === 'send' && step.fails === Infinity;
}

interface ModelTimer {
  readonly key: TimerKey;
  readonly payload: number;
  readonly intervalMs: number | undefined;
  due: number;
  /** Arming order, as the virtual clock breaks ties. */
  order: number;
  armed: boolean;
}

type Queued = TimerCommand | { readonly type: 'fired'; readonly key: TimerKey; readonly timer: ModelTimer };

/** The timers' semantics, run directly: one queue, one table, no actor. */
class TimerModel {
  now = 0;
  readonly #queue: Queued[] = [];
  readonly #table = new Map<TimerKey, ModelTimer>();
  readonly #timers: ModelTimer[] = [];
  #order = 0;
  readonly fired: Fired[] = [];
  readonly firstHandledAt = new Map<string, number>();

  send(msg: TimerActorMsg): void {
    if (msg.type === 'batch') this.#queue.push(...msg.commands);
  }

  advance(ms: number): void {
    const target = this.now + ms;
    for (;;) {
      const next = this.#timers.filter((timer) => timer.armed && timer.due <= target).sort((x, y) => x.due - y.due || x.order - y.order)[0];
      if (next === undefined) break;
      this.now = next.due;
      this.#queue.push({ type: 'fired', key: next.key, timer: next });
      if (next.intervalMs === undefined) next.armed = false;
      else this.#arm(next, next.due + next.intervalMs);
    }
    this.now = target;
  }

  settle(): void {
    for (let item = this.#queue.shift(); item !== undefined; item = this.#queue.shift()) this.#handle(item);
  }

  get activeKeys(): TimerKey[] {
    return [...this.#table.keys()];
  }

  #handle(item: Queued): void {
    switch (item.type) {
      case 'single':
      case 'periodic': {
        this.#disarm(item.key);
        const intervalMs = item.type === 'periodic' ? item.intervalMs : undefined;
        const timer: ModelTimer = { key: item.key, payload: item.payload, intervalMs, due: 0, order: 0, armed: false };
        this.#arm(timer, this.now + (item.type === 'single' ? item.delayMs : item.intervalMs));
        this.#timers.push(timer);
        this.#table.set(item.key, timer);
        return;
      }
      case 'cancel':
        this.#disarm(item.key);
        this.#table.delete(item.key);
        return;
      case 'cancel-all':
        for (const key of this.activeKeys) {
          this.#disarm(key);
          this.#table.delete(key);
        }
        return;
      case 'fired': {
        if (this.#table.get(item.key) !== item.timer) return; // replaced or cancelled since it fired
        const { payload } = item.timer;
        const tick = this.fired.filter((f) => f.payload === payload).length + 1;
        this.fired.push({ key: item.key, payload, tick });
        this.firstHandledAt.set(`${payload}:${tick}`, this.now);
        if (item.timer.intervalMs === undefined) this.#table.delete(item.key);
        return;
      }
    }
  }

  #arm(timer: ModelTimer, due: number): void {
    timer.due = due;
    timer.order = this.#order++;
    timer.armed = true;
  }

  #disarm(key: TimerKey): void {
    const timer = this.#table.get(key);
    if (timer !== undefined) timer.armed = false;
  }
}

/** Runs `steps` on an actor in a TestKit and on the model; returns both sides. */
async function runBoth(steps: readonly Step[], options: { everyMessages?: number | undefined; failures: boolean }) {
  const world = newWorld();
  if (options.failures) failuresOf(steps, world.failures);
  const kit = createTestKit({ supervisor: { maxRestarts: Infinity } });
  const snapshot = options.everyMessages === undefined ? undefined : { everyMessages: options.everyMessages };
  const ref = kit.system.spawn(timerActor(world), { snapshot, supervision: { maxRetries: 3 } });
  const model = new TimerModel();
  for (const step of steps) {
    switch (step.kind) {
      case 'send':
        ref.tell(step.msg);
        if (!isPoison(step)) model.send(step.msg);
        break;
      case 'advance':
        await kit.clock.advance(step.ms);
        model.advance(step.ms);
        break;
      case 'settle':
        await kit.settle();
        model.settle();
        break;
    }
  }
  await kit.settle();
  model.settle();
  const state = ref.ask<TimerActorState>({ type: 'state' });
  const keys = ref.ask<TimerKey[]>({ type: 'keys' });
  await kit.settle();
  const actual = { fired: (await state).fired, firstHandledAt: world.firstHandledAt, activeKeys: await keys };
  const expected = { fired: model.fired, firstHandledAt: model.firstHandledAt, activeKeys: model.activeKeys };
  ref.tell({ type: 'batch', commands: [{ type: 'cancel-all' }] });
  await kit.settle();
  const armedAfterCancelAll = kit.clock.pendingTimers;
  await kit.shutdown();
  return { actual, expected, armedAfterCancelAll, deadLetters: kit.deadLetters, kit };
}

describe('ActorTimers', () => {
  it('deliver what the model delivers, when it does, under any interleaving of starts, replacements, cancels, time and turns', async () => {
    await fc.assert(
      fc.asyncProperty(stepsArb(false), async (steps) => {
        const { actual, expected, armedAfterCancelAll, deadLetters } = await runBoth(steps, { failures: false });
        expect(actual).toEqual(expected);
        expect(armedAfterCancelAll).toBe(0);
        expect(deadLetters).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('are restored by restarts from snapshots as if no handler had failed: the same messages, at the same times, the same timers left', async () => {
    await fc.assert(
      fc.asyncProperty(stepsArb(true), fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), async (steps, everyMessages) => {
        const { actual, expected, armedAfterCancelAll, deadLetters, kit } = await runBoth(steps, { everyMessages, failures: true });
        expect(actual).toEqual(expected);
        expect(armedAfterCancelAll).toBe(0);
        expect(deadLetters.map((letter) => letter.reason)).toEqual(steps.filter(isPoison).map(() => 'poison'));
        const failing = steps.filter((step) => step.kind === 'send' && step.msg.type === 'batch' && step.msg.failId !== undefined).length;
        if (failing > 0) expect(kit.events.some((event) => event.type === 'actor-restarted')).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
