/**
 * The actor cell's lifecycle, written down: every position an actor can be in, observed from
 * everywhere an outsider or the actor's own code can look (between dispatcher turns, after promise
 * callbacks, inside handlers, hooks and the supervision decider), under random messages (sync,
 * async, gated, throwing, self-stopping), hooks, snapshot settings, backoff and stops of both
 * modes at any moment. Each observation must be one of the positions listed in REACHABLE, and
 * an actor must move between them only along the transitions the table allows.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActorCell } from '../../src/actors/internal/actor-cell.js';
import { targetOf } from '../../src/actors/internal/local-actor-ref.js';
import { createSystemWithScheduler } from '../../src/actors/system.js';
import { MemorySnapshotStore, defineActor, type ActorContext, type Directive, type RestartType } from '../../src/index.js';
import { ManualScheduler } from '../../src/testing/manual-scheduler.js';
import { VirtualClock } from '../../src/testing/virtual-clock.js';

type MessageKind = 'ok' | 'async' | 'gated' | 'throw' | 'async-throw' | 'self-stop';
type HookKind = 'none' | 'sync' | 'async' | 'gated' | 'throw';

interface Setup {
  readonly everyMessages: 1 | 3;
  readonly store: boolean;
  readonly restart: RestartType;
  readonly directive: Directive;
  readonly backoff: boolean;
  readonly maxRestarts: number;
  readonly started: HookKind;
  readonly stopping: HookKind;
  readonly restarting: HookKind;
}

type Command =
  | { readonly kind: 'tell'; readonly message: MessageKind }
  | { readonly kind: 'turn' }
  | { readonly kind: 'callbacks' }
  | { readonly kind: 'open-gate' }
  | { readonly kind: 'advance' }
  | { readonly kind: 'stop'; readonly mode: 'drain' | 'discard' }
  | { readonly kind: 'watch' };

const hookArb = fc.constantFrom<HookKind>('none', 'sync', 'async', 'gated', 'throw');
const setupArb: fc.Arbitrary<Setup> = fc.record({
  everyMessages: fc.constantFrom<1 | 3>(1, 3),
  store: fc.boolean(),
  restart: fc.constantFrom<RestartType>('permanent', 'transient', 'temporary'),
  directive: fc.constantFrom<Directive>('restart', 'restart', 'resume', 'stop', 'escalate'),
  backoff: fc.boolean(),
  maxRestarts: fc.constantFrom(2, Infinity),
  started: hookArb,
  stopping: hookArb,
  restarting: hookArb,
});
const commandArb: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom<MessageKind>('ok', 'async', 'gated', 'throw', 'async-throw', 'self-stop').map((message) => ({ kind: 'tell' as const, message })),
  },
  { weight: 6, arbitrary: fc.constant({ kind: 'turn' as const }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'callbacks' as const }) },
  { weight: 3, arbitrary: fc.constant({ kind: 'open-gate' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'advance' as const }) },
  { weight: 1, arbitrary: fc.constantFrom<'drain' | 'discard'>('drain', 'discard').map((mode) => ({ kind: 'stop' as const, mode })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'watch' as const }) },
);

/** A gate that async steps wait on until the test opens it. */
class Gate {
  #open: (() => void) | undefined;
  #promise: Promise<void> = this.#next();

  #next(): Promise<void> {
    return new Promise<void>((resolve) => (this.#open = resolve));
  }

  get passed(): Promise<void> {
    return this.#promise;
  }

  open(): void {
    this.#open?.();
    this.#promise = this.#next();
  }
}

const FLAGS = [
  'accepting',
  'open',
  'parked',
  'suspended',
  'startBegun',
  'startCompleted',
  'inHandler',
  'replaying',
  'replayOnly',
  'restartAfterMessage',
] as const;

/** One observed position: the status, the flags that are set, and the stop mode once a stop was requested. */
function position(cell: ActorCell<unknown, unknown>): string {
  const flags = cell.lifecycleFlags();
  const set = FLAGS.filter((flag) => flags[flag] === true);
  return [flags['status'], ...set, ...(flags['accepting'] === true ? [] : [`stop:${String(flags['stopMode'])}`])].join(' ');
}

/**
 * Every position observed over many seeds: the status, the flags set, and the stop mode once a stop
 * was requested. Written down before the cell's flags became one phase value.
 */
const REACHABLE = new Set<string>([
  'restarting accepting open suspended startBegun startCompleted',
  'restarting open parked startBegun startCompleted inHandler replaying replayOnly stop:drain',
  'restarting open parked startBegun startCompleted inHandler stop:drain',
  'restarting open startBegun startCompleted inHandler replaying replayOnly restartAfterMessage stop:drain',
  'restarting open startBegun startCompleted inHandler replaying replayOnly stop:drain',
  'restarting open startBegun startCompleted inHandler restartAfterMessage stop:drain',
  'restarting open startBegun startCompleted inHandler stop:drain',
  'restarting open startBegun startCompleted replayOnly stop:drain',
  'restarting open startBegun startCompleted replaying replayOnly stop:drain',
  'restarting open startBegun startCompleted stop:drain',
  'restarting open suspended startBegun startCompleted replaying replayOnly stop:drain',
  'restarting open suspended startBegun startCompleted stop:drain',
  'restarting startBegun startCompleted stop:discard',
  'restarting startBegun startCompleted stop:drain',
  'running accepting open parked startBegun startCompleted inHandler',
  'running accepting open parked startBegun startCompleted inHandler replaying',
  'running accepting open startBegun startCompleted',
  'running accepting open startBegun startCompleted inHandler',
  'running accepting open startBegun startCompleted inHandler replaying',
  'running accepting open startBegun startCompleted inHandler restartAfterMessage',
  'running accepting open startBegun startCompleted replaying',
  'running accepting open suspended startBegun startCompleted',
  'starting accepting',
  'starting accepting suspended startBegun',
  'stopped startBegun startCompleted replaying stop:discard',
  'stopped startBegun startCompleted stop:discard',
  'stopped startBegun startCompleted stop:drain',
  'stopped startBegun stop:discard',
  'stopped startBegun stop:drain',
  'stopped stop:discard',
  'stopping open parked startBegun startCompleted inHandler stop:drain',
  'stopping open startBegun startCompleted inHandler replaying replayOnly stop:drain',
  'stopping open startBegun startCompleted inHandler restartAfterMessage stop:drain',
  'stopping open startBegun startCompleted inHandler stop:drain',
  'stopping open startBegun startCompleted replayOnly stop:drain',
  'stopping open startBegun startCompleted stop:drain',
  'stopping open suspended startBegun startCompleted stop:drain',
  'stopping parked startBegun startCompleted inHandler replaying replayOnly stop:discard',
  'stopping parked startBegun startCompleted inHandler stop:discard',
  'stopping startBegun startCompleted inHandler replaying replayOnly stop:discard',
  'stopping startBegun startCompleted inHandler stop:discard',
  'stopping startBegun startCompleted replayOnly stop:discard',
  'stopping startBegun startCompleted replaying replayOnly stop:discard',
  'stopping startBegun startCompleted replaying stop:discard',
  'stopping startBegun startCompleted stop:discard',
  'stopping startBegun startCompleted stop:drain',
  'stopping startBegun stop:discard',
  'stopping startBegun stop:drain',
  'stopping stop:discard',
  'stopping stop:drain',
  'stopping suspended startBegun startCompleted stop:discard',
  'stopping suspended startBegun stop:discard',
  'stopping suspended startBegun stop:drain',
]);

const observed = new Set<string>();

async function runScenario(setup: Setup, commands: readonly Command[]): Promise<void> {
  const clock = new VirtualClock();
  const scheduler = new ManualScheduler();
  const system = createSystemWithScheduler({ clock, supervisor: { maxRestarts: setup.maxRestarts, withinMs: Infinity } }, scheduler.schedule);
  const gate = new Gate();
  let cell: ActorCell<unknown, unknown> | undefined;
  const look = (): void => {
    if (cell !== undefined) observed.add(position(cell));
  };
  const hook = (kind: HookKind): (() => void | Promise<void>) | undefined => {
    switch (kind) {
      case 'none':
        return undefined;
      case 'sync':
        return () => look();
      case 'async':
        return async () => {
          look();
          await Promise.resolve();
          look();
        };
      case 'gated':
        return async () => {
          look();
          await gate.passed;
          look();
        };
      case 'throw':
        return () => {
          look();
          throw new Error('hook fails');
        };
    }
  };
  const started = hook(setup.started);
  const stopping = hook(setup.stopping);
  const restarting = hook(setup.restarting);
  const definition = defineActor<number, MessageKind>({
    initialState: () => 0,
    receive(state, message, ctx: ActorContext<MessageKind>) {
      look();
      switch (message) {
        case 'ok':
          return state + 1;
        case 'async':
          return Promise.resolve(state + 1).then((next) => (look(), next));
        case 'gated':
          return gate.passed.then(() => (look(), state + 1));
        case 'throw':
          throw new Error('handler fails');
        case 'async-throw':
          return Promise.resolve().then(() => {
            look();
            throw new Error('handler fails later');
          });
        case 'self-stop':
          ctx.stop();
          look();
          return state + 1;
      }
    },
    ...(started === undefined ? {} : { started }),
    ...(stopping === undefined ? {} : { stopping }),
    ...(restarting === undefined ? {} : { restarting }),
  });
  const ref = system.spawn(definition, {
    name: 'subject',
    mailbox: { capacity: 8 },
    supervision: {
      restart: setup.restart,
      maxRetries: 2,
      decide: () => {
        look();
        return setup.directive;
      },
      ...(setup.backoff ? { backoff: { minMs: 10, maxMs: 10, jitter: 0 } } : {}),
    },
    snapshot: { everyMessages: setup.everyMessages, ...(setup.store ? { store: new MemorySnapshotStore() } : {}) },
  });
  cell = targetOf(ref) as ActorCell<unknown, unknown>;
  const watcher = system.spawn(
    defineActor<number, 'watch' | { type: 'terminated' }>({
      initialState: () => 0,
      receive(state, message, ctx) {
        if (message === 'watch') ctx.watch(ref);
        return state + 1;
      },
    }),
    { name: 'watcher' },
  );
  const subject = cell;
  look();
  for (const command of commands) {
    switch (command.kind) {
      case 'tell':
        ref.tell(command.message);
        break;
      case 'turn':
        scheduler.runNext();
        break;
      case 'callbacks':
        await new Promise<void>((resolve) => setImmediate(resolve));
        break;
      case 'open-gate':
        gate.open();
        break;
      case 'advance':
        await clock.advance(10);
        break;
      case 'stop':
        void subject.requestStop(command.mode, 'requested');
        break;
      case 'watch':
        watcher.tell('watch');
        break;
    }
    look();
  }
  let shutDown = false;
  const done = system.shutdown({ drain: false }).then(() => (shutDown = true));
  for (let round = 0; !shutDown; round++) {
    if (round > 1000) throw new Error(`the subject never stopped: ${position(subject)}`);
    gate.open();
    while (scheduler.runNext()) look();
    await clock.advance(10);
    await new Promise<void>((resolve) => setImmediate(resolve));
    look();
  }
  await done;
}

describe('actor cell lifecycle', () => {
  it('every observed position is a reachable one', async () => {
    await fc.assert(
      fc.asyncProperty(setupArb, fc.array(commandArb, { maxLength: 80 }), async (setup, commands) => {
        await runScenario(setup, commands);
      }),
      { numRuns: 1000, seed: 17 },
    );
    expect([...observed].filter((seen) => !REACHABLE.has(seen))).toEqual([]);
    expect(observed.size).toBeGreaterThan(REACHABLE.size / 2);
  }, 120_000);
});
