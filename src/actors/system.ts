/**
 * The actor system: the root of an actor tree (`/user/...`), the dispatcher its actors share, its
 * dead letters and events, and its shutdown. Invariant: after `shutdown()` resolves, no actor runs,
 * no ask is pending, and the system holds no timer, immediate or listener.
 */
import {
  ActorStoppedError,
  InvalidOptionError,
  RestartIntensityExceededError,
  SystemStoppedError,
  type SluiceError,
} from '../errors.js';
import { Topic } from '../internal/topic.js';
import { isFunction, isObject, positiveInteger, positiveNumberOrInfinity, withDefault } from '../internal/validate.js';
import { DeadLetters, type DeadLetterOffice } from '../mailbox/dead-letters.js';
import { resolveSupervisor, type SupervisorOptions } from '../supervision/strategy.js';
import { systemClock, type Clock } from '../time/clock.js';
import { ActorCell } from './internal/actor-cell.js';
import type { ActorRef, AnyActorRef } from './actor-ref.js';
import type { Ask } from './internal/ask.js';
import { validateDefinition, type ActorDefinition } from './behavior.js';
import { Dispatcher, type TurnPicker, type TurnScheduler } from './internal/dispatcher.js';
import type { EventChannel, SystemEvent } from './events.js';
import type { ActorMetrics, SystemMetrics } from './actor-metrics.js';
import type { ChildCell, ParentSlot, Runtime } from './internal/runtime.js';
import { SupervisorState, escalationError, type RestartTurn } from './internal/supervisor-state.js';
import { resolveSpawnOptions, type SpawnOptions } from './spawn-options.js';

/** Options of the dispatcher that runs a system's actors. */
export interface DispatcherOptions {
  /**
   * Messages one actor may handle per slice before the next ready actor runs.
   * @defaultValue 256
   */
  messageBudget?: number | undefined;
  /**
   * Milliseconds one turn may run before yielding to the event loop with `setImmediate`.
   * @defaultValue 5
   */
  turnBudgetMs?: number | undefined;
}

/** How `shutdown` treats messages still queued. */
export interface ShutdownOptions {
  /**
   * Process every message already queued before stopping each actor (true), or dead-letter them (false).
   * @defaultValue false
   */
  drain?: boolean | undefined;
}

/** Options of {@link createSystem}. */
export interface SystemOptions {
  /**
   * The system's name, shown in errors and events.
   * @defaultValue 'sluice'
   */
  name?: string | undefined;
  /** Shuts the system down (with `shutdown` options) when aborted. */
  signal?: AbortSignal | undefined;
  /**
   * The clock for timers and timestamps; a virtual clock in tests.
   * @defaultValue the real clock
   */
  clock?: Clock | undefined;
  /**
   * Default `ask` timeout in milliseconds (`Infinity` for none).
   * @defaultValue 5000
   */
  askTimeoutMs?: number | undefined;
  /** Scheduling budgets. */
  dispatcher?: DispatcherOptions | undefined;
  /**
   * How many recent dead letters `deadLetters.recent()` keeps.
   * @defaultValue 100
   */
  deadLetterBuffer?: number | undefined;
  /** Options used by a shutdown the `signal` triggers. */
  shutdown?: ShutdownOptions | undefined;
  /**
   * How the system supervises top-level actors: strategy and restart intensity. When the limit is
   * exceeded the system stops and `whenTerminated` rejects with `RestartIntensityExceededError`.
   * @defaultValue one-for-one, 10 restarts within 10 s
   */
  supervisor?: SupervisorOptions | undefined;
  /**
   * Shallow-freeze each new plain-object state, so a handler that mutates state in place fails loudly.
   * @defaultValue true unless `process.env.NODE_ENV` is `'production'`
   */
  freezeState?: boolean | undefined;
  /**
   * Uniform random numbers in [0, 1), for restart backoff jitter; a seeded source makes it repeatable.
   * @defaultValue Math.random
   */
  random?: (() => number) | undefined;
}

/** Where a system is in its life. `'failed'`: an escalation reached the top and stopped it. */
export type SystemStatus = 'running' | 'stopping' | 'terminated' | 'failed';

/**
 * A running actor system.
 *
 * @example
 * ```ts
 * const system = createSystem({ name: 'bank' });
 * const ref = system.spawn(account, { name: 'alice' });
 * await system.shutdown();
 * ```
 */
export interface ActorSystem {
  /** The system's name. */
  readonly name: string;
  /** The clock every timer of this system uses. */
  readonly clock: Clock;
  /** Where the system is in its life. */
  readonly status: SystemStatus;
  /** Undelivered and unprocessed messages. */
  readonly deadLetters: DeadLetterOffice;
  /** Lifecycle and failure events. */
  readonly events: EventChannel<SystemEvent>;
  /**
   * Resolves once the system has shut down; rejects with `ActorFailedError` when an escalation
   * reached the top. Never an unhandled rejection: the runtime observes it too.
   */
  readonly whenTerminated: Promise<void>;

  /**
   * Spawns a top-level actor at `/user/<name>`.
   * @throws InvalidOptionError for an invalid definition or option; SystemStoppedError after shutdown began.
   */
  spawn<TState, TMessage>(definition: ActorDefinition<TState, TMessage>, options?: SpawnOptions): ActorRef<TMessage>;

  /** The live actor at `path` (e.g. `/user/job/partition-3`), if any. */
  lookup(path: string): AnyActorRef | undefined;

  /**
   * Counters of every live actor — processed, failed, restarts, mailbox depth, high-water mark,
   * dropped — read now. Costs a walk of the actor tree; nothing is counted for it on the hot path.
   *
   * @example
   * ```ts
   * for (const actor of system.metrics().actors) console.log(actor.path, actor.depth, actor.restarts);
   * ```
   */
  metrics(): SystemMetrics;

  /**
   * Stops every actor (children before parents, last started first), dead-letters or drains what
   * is queued, rejects pending asks, and resolves once all have stopped. Idempotent.
   */
  shutdown(options?: ShutdownOptions): Promise<void>;
}

const ROOT = '/user';

function resolveDrain(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new InvalidOptionError(option, 'a boolean', value);
  return value;
}

function validateClock(clock: unknown): Clock {
  const candidate = clock as Partial<Record<keyof Clock, unknown>> | null;
  const valid =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.now === 'function' &&
    typeof candidate.setTimeout === 'function' &&
    typeof candidate.clearTimeout === 'function';
  if (!valid) throw new InvalidOptionError('clock', 'a Clock with now, setTimeout and clearTimeout', clock);
  return clock as Clock;
}

/**
 * Creates an actor system.
 *
 * @throws InvalidOptionError naming the first invalid option.
 * @example
 * ```ts
 * const controller = new AbortController();
 * const system = createSystem({ name: 'bank', signal: controller.signal });
 * ```
 */
export function createSystem(options?: SystemOptions): ActorSystem {
  return new LocalActorSystem(options);
}

/**
 * A system whose dispatcher turns are scheduled by `schedule` instead of `setImmediate`: for the
 * testing kit, which runs turns itself — and, with `pick`, one slice per turn of the ready actor
 * `pick` chooses. Not part of the public entry.
 */
export function createSystemWithScheduler(options: SystemOptions | undefined, schedule: TurnScheduler, pick?: TurnPicker): ActorSystem {
  return new LocalActorSystem(options, schedule, pick);
}

class LocalActorSystem implements ActorSystem, ParentSlot {
  readonly name: string;
  readonly clock: Clock;
  readonly path = ROOT;
  readonly ref = undefined;
  readonly children = new Map<string, ChildCell>();
  readonly whenTerminated: Promise<void>;
  readonly #deadLetters: DeadLetters;
  readonly #events = new Topic<SystemEvent>('system event');
  readonly #dispatcher: Dispatcher;
  readonly #runtime: Runtime;
  readonly #outstandingAsks = new Set<Ask<unknown>>();
  readonly #signal: AbortSignal | undefined;
  readonly #shutdownDefaults: { readonly drain: boolean };
  #status: SystemStatus = 'running';
  #shutdown: Promise<void> | undefined;
  #failure: SluiceError | undefined;
  readonly #supervisor: SupervisorState<ChildCell>;
  #settle!: { resolve: () => void; reject: (error: unknown) => void };

  constructor(options: SystemOptions | undefined, schedule?: TurnScheduler, pick?: TurnPicker) {
    if (options !== undefined) isObject('options', options);
    const name = options?.name ?? 'sluice';
    if (typeof name !== 'string' || name.length === 0) throw new InvalidOptionError('name', 'a non-empty string', name);
    this.name = name;
    this.clock = options?.clock === undefined ? systemClock : validateClock(options.clock);
    if (options?.dispatcher !== undefined) isObject('dispatcher', options.dispatcher);
    const messageBudget = withDefault(options?.dispatcher?.messageBudget, 256, (v) =>
      positiveInteger('dispatcher.messageBudget', v),
    );
    const turnBudgetMs = withDefault(options?.dispatcher?.turnBudgetMs, 5, (v) =>
      positiveNumberOrInfinity('dispatcher.turnBudgetMs', v),
    );
    const askTimeoutMs = withDefault(options?.askTimeoutMs, 5000, (v) => positiveNumberOrInfinity('askTimeoutMs', v));
    const bufferSize = withDefault(options?.deadLetterBuffer, 100, (v) => positiveInteger('deadLetterBuffer', v));
    if (options?.shutdown !== undefined) isObject('shutdown', options.shutdown);
    this.#shutdownDefaults = { drain: resolveDrain('shutdown.drain', options?.shutdown?.drain, false) };
    const signal = options?.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw new InvalidOptionError('signal', 'an AbortSignal', signal);
    }
    if (options?.supervisor !== undefined) isObject('supervisor', options.supervisor);
    this.#supervisor = new SupervisorState(resolveSupervisor(options?.supervisor, 'supervisor'), this.clock);
    const freezeState = options?.freezeState ?? process.env['NODE_ENV'] !== 'production';
    if (typeof freezeState !== 'boolean') throw new InvalidOptionError('freezeState', 'a boolean', freezeState);
    const random = options?.random ?? Math.random;
    isFunction('random', random);
    this.#deadLetters = new DeadLetters(bufferSize);
    this.#dispatcher = new Dispatcher(turnBudgetMs, schedule, pick);
    this.#runtime = {
      system: this,
      clock: this.clock,
      dispatcher: this.#dispatcher,
      deadLetters: this.#deadLetters,
      events: this.#events,
      outstandingAsks: this.#outstandingAsks,
      askTimeoutMs,
      messageBudget,
      random,
      freezeState,
      spawn: (parent, definition, spawnOptions) => this.#spawn(parent, definition, spawnOptions),
    };
    this.whenTerminated = new Promise<void>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.whenTerminated.catch(() => undefined);
    this.#signal = signal;
    if (signal?.aborted) void this.shutdown();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get status(): SystemStatus {
    return this.#status;
  }

  get deadLetters(): DeadLetterOffice {
    return this.#deadLetters;
  }

  get events(): EventChannel<SystemEvent> {
    return this.#events;
  }

  spawn<TState, TMessage>(definition: ActorDefinition<TState, TMessage>, options?: SpawnOptions): ActorRef<TMessage> {
    return this.#spawn(this, definition, options);
  }

  lookup(path: string): AnyActorRef | undefined {
    if (typeof path !== 'string' || !path.startsWith(`${ROOT}/`)) return undefined;
    let children = this.children;
    let found: ChildCell | undefined;
    for (const segment of path.slice(ROOT.length + 1).split('/')) {
      found = children.get(segment);
      if (found === undefined) return undefined;
      children = found.children;
    }
    return found?.ref;
  }

  metrics(): SystemMetrics {
    const actors: ActorMetrics[] = [];
    const walk = (children: Map<string, ChildCell>): void => {
      for (const child of children.values()) {
        actors.push(child.stats());
        walk(child.children);
      }
    };
    walk(this.children);
    return { name: this.name, status: this.#status, deadLetters: this.#deadLetters.count, actors };
  }

  shutdown(options?: ShutdownOptions): Promise<void> {
    if (this.#shutdown !== undefined) return this.#shutdown;
    if (options !== undefined) isObject('options', options);
    const drain = resolveDrain('drain', options?.drain, this.#shutdownDefaults.drain);
    this.#status = 'stopping';
    this.#shutdown = this.#stopAll(drain);
    return this.#shutdown;
  }

  assertCanSpawn(): void {
    if (this.#status !== 'running') throw new SystemStoppedError(this.name);
  }

  childFailed(childPath: string, error: unknown): void {
    this.#fail(escalationError(childPath, error));
  }

  authorizeRestart(child: ChildCell, error: unknown): RestartTurn | undefined {
    const turn = this.#supervisor.authorize([...this.children.values()], child, error);
    if (turn === undefined) {
      const { maxRestarts, withinMs } = this.#supervisor.options;
      this.#fail(new RestartIntensityExceededError(ROOT, child.path, { maxRestarts, withinMs }, error));
    }
    return turn;
  }

  /** An escalation reached the top: the system stops and `whenTerminated` rejects with `error`. */
  #fail(error: SluiceError): void {
    if (this.#failure !== undefined || this.#status !== 'running') return;
    this.#failure = error;
    void this.shutdown();
  }

  #spawn<TState, TMessage>(
    parent: ParentSlot,
    definition: ActorDefinition<TState, TMessage>,
    options: SpawnOptions | undefined,
  ): ActorRef<TMessage> {
    validateDefinition(definition);
    const resolved = resolveSpawnOptions(options, this.#runtime.messageBudget);
    return new ActorCell(this.#runtime, parent, definition, resolved).ref;
  }

  async #stopAll(drain: boolean): Promise<void> {
    const mode = drain ? 'drain' : 'discard';
    for (const child of [...this.children.values()].reverse()) await child.requestStop(mode, 'shutdown');
    for (const ask of [...this.#outstandingAsks]) ask.fail(new ActorStoppedError(ask.recipient, ask.message));
    this.#dispatcher.close();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#status = this.#failure === undefined ? 'terminated' : 'failed';
    if (this.#events.hasSubscribers) {
      const event: SystemEvent =
        this.#failure === undefined
          ? { type: 'system-terminated', system: this.name, at: this.clock.now() }
          : { type: 'system-terminated', system: this.name, at: this.clock.now(), error: this.#failure };
      this.#events.publish(event);
    }
    if (this.#failure === undefined) this.#settle.resolve();
    else this.#settle.reject(this.#failure);
  }

  readonly #onAbort = (): void => {
    void this.shutdown();
  };
}
