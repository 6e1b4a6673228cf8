/**
 * The actor system: the root of an actor tree (`/user/...`), the dispatcher its actors share, its
 * dead letters and events, and its shutdown. Invariant: after `shutdown()` resolves, no actor runs,
 * no ask is pending, and the system holds no timer, immediate or listener.
 */
import { ActorStoppedError, InvalidOptionError, RestartIntensityExceededError, SystemStoppedError, type SluiceError } from '../../errors.js';
import { Topic } from '../../internal/topic.js';
import { isFunction, isObject, positiveInteger, positiveNumberOrInfinity, withDefault } from '../../internal/validate.js';
import { DeadLetters, type DeadLetterOffice } from '../../mailbox/dead-letters.js';
import { resolveSupervisor } from '../../supervision/strategy.js';
import { systemClock, type Clock } from '../../clock.js';
import type { ActorSystem, ShutdownOptions, SystemOptions, SystemStatus } from '../actor-system.js';
import type { AnyActorRef, ActorRef } from '../actor-ref.js';
import { validateDefinition, type ActorDefinition } from '../behavior.js';
import type { EventChannel, SystemEvent } from '../events.js';
import type { ActorMetrics, SystemMetrics } from '../actor-metrics.js';
import { resolveSpawnOptions, type SpawnOptions } from '../spawn-options.js';
import { ActorCell } from './actor-cell.js';
import type { Ask } from './ask.js';
import { Dispatcher, type TurnPicker, type TurnScheduler } from './dispatcher.js';
import { ChildRegistry, type ReadonlyChildren } from './child-registry.js';
import { stopInTurn } from './stop-in-turn.js';
import type { ChildCell, ParentSlot, SystemServices } from './system-services.js';
import { SupervisorState, escalationError, type RestartTurn } from './supervisor-state.js';

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

export class LocalActorSystem implements ActorSystem, ParentSlot {
  readonly name: string;
  readonly clock: Clock;
  readonly path = ROOT;
  readonly ref = undefined;
  readonly children = new ChildRegistry<ChildCell>();
  readonly whenTerminated: Promise<void>;
  readonly #deadLetters: DeadLetters;
  readonly #events = new Topic<SystemEvent>('system event');
  readonly #dispatcher: Dispatcher;
  readonly #services: SystemServices;
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
    const messageBudget = withDefault(options?.dispatcher?.messageBudget, 256, (v) => positiveInteger('dispatcher.messageBudget', v));
    const turnBudgetMs = withDefault(options?.dispatcher?.turnBudgetMs, 5, (v) => positiveNumberOrInfinity('dispatcher.turnBudgetMs', v));
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
    this.#services = {
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
    let children: ReadonlyChildren<ChildCell> = this.children;
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
    const walk = (children: ReadonlyChildren<ChildCell>): void => {
      for (const child of children.list()) {
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

  addChild(child: ChildCell): void {
    this.children.add(child);
  }

  removeChild(child: ChildCell): void {
    this.children.remove(child);
  }

  childFailed(childPath: string, error: unknown): void {
    this.#fail(escalationError(childPath, error));
  }

  authorizeRestart(child: ChildCell, error: unknown): RestartTurn | undefined {
    const turn = this.#supervisor.authorize(this.children.list(), child, error);
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

  #spawn<TState, TMessage>(parent: ParentSlot, definition: ActorDefinition<TState, TMessage>, options: SpawnOptions | undefined): ActorRef<TMessage> {
    validateDefinition(definition);
    const resolved = resolveSpawnOptions(options, this.#services.messageBudget, definition.supervisor);
    return new ActorCell(this.#services, parent, definition, resolved, options?.name).ref;
  }

  async #stopAll(drain: boolean): Promise<void> {
    const mode = drain ? 'drain' : 'discard';
    await stopInTurn(this.children.list(), mode, 'shutdown');
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
