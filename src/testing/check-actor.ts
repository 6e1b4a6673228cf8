/**
 * Model checking of one actor: "this actor answers as this pure model does, whatever messages it
 * is sent, by whom, in which interleaving, and whatever faults strike it". A check generates cases
 * — messages (each with its sender, by tell or ask, after a delay), schedule and faults together,
 * so they shrink together — runs each on a deterministic engine, gives the model the messages in
 * the order they were sent, and compares every ask's answer (and, when asked for, the answer to a
 * final query and the final state) with the model's. A failing case is shrunk to a minimum, read
 * back in words, and replays from fast-check's `{ seed, path }`.
 *
 * The parts: `actor-case.ts` (cases, their words, their simplifications), `actor-schedule.ts`,
 * `actor-faults.ts`, the engine in `internal/actor-case-runner.ts`, and the comparison with the
 * model in `internal/actor-verdict.ts`.
 */
import fc from 'fast-check';
import { validateDefinition, type ActorDefinition } from '../actors/behavior.js';
import { InvalidOptionError } from '../errors.js';
import { boolean, isFunction, isObject, oneOf, positiveInteger, withDefault } from '../internal/validate.js';
import { actorCaseArb, describeActorCase, simplerActorCases, type ActorCase } from './actor-case.js';
import { actorFaultsArb, type ActorFault } from './actor-faults.js';
import { actorScheduleArb, DEFAULT_ACTOR_SCHEDULE, type ActorScheduleOptions } from './actor-schedule.js';
import { runActorCase, type ActorRunReport } from './internal/actor-case-runner.js';
import { differences } from './internal/actor-verdict.js';
import { assertCheck, failsAlike } from './internal/assert-check.js';
import { StuckRunError } from './internal/case-runner.js';
import { minimizeGreedily } from './internal/greedy-minimize.js';

/** What the model says one message does: the next state, and the answer an ask of it gets. */
export interface ModelStep<TModelState> {
  readonly state: TModelState;
  /** The answer to an ask of this message; undefined when the actor gives none. */
  readonly reply?: unknown;
}

/**
 * A pure model of an actor: its state, and what each message does to it — no runtime, no time, no
 * faults. Shaped like an actor definition, so a model reads like the actor it specifies.
 */
export interface ActorModel<TModelState, TMessage> {
  initialState(): TModelState;
  receive(state: TModelState, message: TMessage): ModelStep<TModelState>;
}

/** Faults an actor check injects. */
export interface ActorCheckFaults {
  /**
   * The handler throws once as it takes its k-th message (replays included), before it runs or
   * once it has run (what it changed in place then stays changed): supervision restarts the actor
   * from its last snapshot, and it processes again what it took since. The check expects the same
   * answers and state as without the fault. @defaultValue false
   */
  throws?: boolean | undefined;
  /**
   * The handler throws every time it takes one message (before or after it runs): the message goes
   * to dead letters and the actor goes on without it. The check expects the model without that
   * message; its ask rejected (or, when the handler answered before it failed, that answer).
   * @defaultValue false
   */
  poison?: boolean | undefined;
  /**
   * Senders hold some messages back for a while in virtual time (up to 50 ms), so another
   * sender's messages overtake them. @defaultValue false
   */
  delays?: boolean | undefined;
  /** Most throw and poison faults in one case. @defaultValue 3 */
  maxFaults?: number | undefined;
}

/** Options of {@link defineActorCheck} and {@link checkActor}. */
export interface ActorCheckOptions<TState, TMessage, TModelState> {
  /** The actor under test. */
  actor: ActorDefinition<TState, TMessage>;
  /** The messages a case sends it, in case order. */
  messages: fc.Arbitrary<readonly NoInfer<TMessage>[]>;
  /**
   * What the actor should do, as a pure function of the messages in the order they were sent (the
   * message type is the actor's: `messages`, `model` and `query` follow it).
   */
  model: ActorModel<TModelState, NoInfer<TMessage>>;
  /**
   * Which messages are sent by `ask` (their answers compared with the model's `reply`): none, all,
   * or some, drawn per message. An asking sender waits for the answer when the model gives one.
   * @defaultValue 'some'
   */
  asks?: 'none' | 'some' | 'all' | undefined;
  /** How many senders the messages are drawn among; each sends its own in case order. @defaultValue 2 */
  senders?: number | undefined;
  /**
   * A message asked once every message is handled (faults do not strike it); its answer is compared
   * with the model's reply to it. @defaultValue none
   */
  query?: NoInfer<TMessage> | undefined;
  /**
   * The actor's state in the model's terms; when given, the state the actor holds once every
   * message is handled is compared with the model's (by structure: Maps and Sets by content).
   * @defaultValue none: states are not compared
   */
  state?: ((state: TState) => NoInfer<TModelState>) | undefined;
  /**
   * Vary the mailbox's room, messages per turn, snapshot interval, who goes next and when virtual
   * time moves (true, or bounds); false runs every case with a roomy mailbox in queue order.
   * @defaultValue true
   */
  schedule?: boolean | ActorScheduleOptions | undefined;
  /** Faults to inject. @defaultValue none */
  faults?: ActorCheckFaults | undefined;
  /** Whether messages may go to dead letters (beyond those poison faults put there). @defaultValue false */
  allowDeadLetters?: boolean | undefined;
  /** Most steps one run may take before the case fails as a message loop. @defaultValue 100000 */
  maxSteps?: number | undefined;
}

/** A check of one actor against its model. */
export interface ActorCheck<TMessage> {
  /** Cases as a fast-check arbitrary: messages, schedule and faults, shrinking together. */
  readonly cases: fc.Arbitrary<ActorCase<TMessage>>;
  /**
   * Runs one case and resolves when the actor did as the model says.
   * @throws ActorCheckError (rejects) naming what differs, the case and what happened.
   */
  check(testCase: ActorCase<TMessage>): Promise<void>;
  /** `cases` and `check` as a fast-check property, for `fc.assert` or `fc.check`. */
  readonly property: fc.IAsyncPropertyWithHooks<[ActorCase<TMessage>]>;
  /**
   * A failing case shrunk further, to a minimum: messages, faults and schedule items are tried
   * away (and made simpler) one at a time until none can go without the case passing, or `budget`
   * runs are spent. `assertActor` does this to every counterexample fast-check shrank.
   */
  minimize(testCase: ActorCase<TMessage>, budget?: number): Promise<MinimizedActorCase<TMessage>>;
}

/** A case {@link ActorCheck.minimize} shrank. */
export interface MinimizedActorCase<TMessage> {
  readonly testCase: ActorCase<TMessage>;
  /** Cases run to shrink it. */
  readonly attempts: number;
  /** True when no single message, fault or schedule item can be removed or made simpler; false when the budget ran out first. */
  readonly minimal: boolean;
}

/**
 * A case in which the actor did not do what its model says. An assertion failure, like a test
 * runner's, rather than a `SluiceError`: the actor under test is what is wrong.
 */
export class ActorCheckError extends Error {
  /** The failing case. */
  readonly testCase: ActorCase<unknown>;
  /** What happened during the run, in words. */
  readonly events: readonly string[];

  constructor(message: string, testCase: ActorCase<unknown>, events: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'ActorCheckError';
    this.testCase = testCase;
    this.events = events;
  }
}

const MAX_DELAY_MS = 50;

/**
 * Defines a check of an actor against a model.
 *
 * @throws InvalidOptionError naming the first invalid option.
 * @example
 * ```ts
 * const check = defineActorCheck({
 *   actor: counter,
 *   messages: fc.array(fc.constantFrom<Msg>({ type: 'inc' }, { type: 'get' })),
 *   model: {
 *     initialState: () => 0,
 *     receive: (n, msg) => (msg.type === 'inc' ? { state: n + 1 } : { state: n, reply: n }),
 *   },
 *   query: { type: 'get' },
 *   faults: { throws: true },
 * });
 * await assertActor(check, { numRuns: 50 });
 * ```
 */
export function defineActorCheck<TState, TMessage, TModelState>(options: ActorCheckOptions<TState, TMessage, TModelState>): ActorCheck<TMessage> {
  isObject('options', options);
  isObject('actor', options.actor);
  validateDefinition(options.actor);
  if (!(options.messages instanceof fc.Arbitrary)) throw new InvalidOptionError('messages', 'a fast-check Arbitrary of message arrays', options.messages);
  const model = options.model;
  isObject('model', model);
  isFunction('model.initialState', model.initialState);
  isFunction('model.receive', model.receive);
  const asks = withDefault(options.asks, 'some', (v) => oneOf('asks', v, ['none', 'some', 'all'] as const));
  const senders = withDefault(options.senders, 2, (v) => positiveInteger('senders', v));
  const query = options.query === undefined ? undefined : { message: options.query };
  if (options.state !== undefined) isFunction('state', options.state);
  const stateView = options.state;
  const scheduleOption = options.schedule ?? true;
  if (typeof scheduleOption !== 'boolean') isObject('schedule', scheduleOption);
  const schedules = scheduleOption === false ? fc.constant(DEFAULT_ACTOR_SCHEDULE) : actorScheduleArb(scheduleOption === true ? {} : scheduleOption);
  const faultOptions = options.faults ?? {};
  isObject('faults', faultOptions);
  const throws = withDefault(faultOptions.throws, false, (v) => boolean('faults.throws', v));
  const poison = withDefault(faultOptions.poison, false, (v) => boolean('faults.poison', v));
  const delays = withDefault(faultOptions.delays, false, (v) => boolean('faults.delays', v));
  const maxFaults = withDefault(faultOptions.maxFaults, 3, (v) => positiveInteger('faults.maxFaults', v));
  const allowDeadLetters = withDefault(options.allowDeadLetters, false, (v) => boolean('allowDeadLetters', v));
  const maxSteps = withDefault(options.maxSteps, 100_000, (v) => positiveInteger('maxSteps', v));
  // `at` is folded onto the case's messages as a case is drawn: drawn wide, it lands anywhere.
  const drawn = actorFaultsArb({ maxAt: 64, maxFaults, poison, after: true });
  const faults: fc.Arbitrary<ActorFault[]> =
    !throws && !poison ? fc.constant([]) : throws ? drawn : drawn.map((list) => list.map((fault) => ({ ...fault, poison: true })));

  const cases = actorCaseArb({ messages: options.messages, schedule: schedules, faults, senders, asks, maxDelayMs: delays ? MAX_DELAY_MS : 0 });

  const check = async (testCase: ActorCase<TMessage>): Promise<void> => {
    let online = model.initialState();
    const fail = (problem: string, events: readonly string[], cause?: unknown): never => {
      const happened = events.length === 0 ? 'no fault struck' : events.join('; ');
      const message = [problem, `what happened: ${happened}`, describeActorCase(testCase)].join('\n');
      throw new ActorCheckError(message, testCase as ActorCase<unknown>, events, cause === undefined ? undefined : { cause });
    };
    let report: ActorRunReport;
    try {
      report = await runActorCase({
        definition: options.actor,
        testCase,
        answers(message) {
          const step = model.receive(online, message);
          online = step.state;
          return step.reply !== undefined;
        },
        stateView,
        query,
        maxSteps,
      });
    } catch (error) {
      if (error instanceof StuckRunError) fail(`the run never ended: ${error.message}`, [], error);
      throw error;
    }
    const events = [...report.events];
    if (report.arrivals.some((index, i) => index !== i)) events.unshift(`sent in the order ${report.arrivals.map((i) => `#${i + 1}`).join(', ')}`);
    const problem = differences({ model, testCase, report, query, compareState: stateView !== undefined, allowDeadLetters });
    if (problem !== undefined) fail(problem, events);
  };

  const reported = (error: unknown): boolean => error instanceof ActorCheckError;
  const minimize = async (testCase: ActorCase<TMessage>, budget = 1_000): Promise<MinimizedActorCase<TMessage>> => {
    const result = await minimizeGreedily(
      testCase,
      (current) => simplerActorCases(current, asks !== 'all'),
      (candidate) => failsAlike(check, candidate, reported),
      budget,
    );
    return { testCase: result.value, attempts: result.attempts, minimal: result.minimal };
  };

  return { cases, check, property: fc.asyncProperty(cases, check), minimize };
}

/**
 * A check of an actor against a model, as a fast-check property: for `fc.assert`, `fc.check`, or
 * anything that takes properties. With `@fast-check/vitest`, use {@link defineActorCheck}'s `cases`
 * and `check`: `test.prop([c.cases])('…', c.check)`.
 *
 * @throws InvalidOptionError naming the first invalid option.
 * @example
 * ```ts
 * await fc.assert(checkActor({ actor, messages, model, faults: { throws: true } }), { numRuns: 50 });
 * ```
 */
export function checkActor<TState, TMessage, TModelState>(
  options: ActorCheckOptions<TState, TMessage, TModelState>,
): fc.IAsyncPropertyWithHooks<[ActorCase<TMessage>]> {
  return defineActorCheck(options).property;
}

/**
 * Runs a check with fast-check and, on failure, throws one readable error: what differed, what
 * happened, the case shrunk to a minimum and in words, and the line that replays it.
 *
 * @throws ActorCheckError (rejects) for the shrunk counterexample.
 * @example
 * ```ts
 * await assertActor(check, { numRuns: 50 });
 * // on failure, ends with: replay: await assertActor(check, { seed: 42, path: "3:1:0", endOnFailure: true })
 * ```
 */
export async function assertActor<TMessage>(check: ActorCheck<TMessage>, parameters: fc.Parameters<[ActorCase<TMessage>]> = {}): Promise<void> {
  await assertCheck(check, parameters, {
    assert: 'assertActor',
    parts: 'messages, faults or schedule items',
    reported: (error): error is ActorCheckError => error instanceof ActorCheckError,
    error: (message, testCase, events, cause) => new ActorCheckError(message, (testCase ?? {}) as ActorCase<unknown>, events, { cause }),
    describe: (testCase) => describeActorCase(testCase),
  });
}
