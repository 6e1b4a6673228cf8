/**
 * The actor system as its users see it: the options `createSystem` takes and the `ActorSystem` it
 * returns. Types only: the implementation is in `internal/local-actor-system.ts`, so nothing that
 * names a system imports the machinery behind it.
 */
import type { DeadLetterOffice } from '../mailbox/dead-letters.js';
import type { SupervisorOptions } from '../supervision/strategy.js';
import type { Clock } from '../clock.js';
import type { ActorRef, AnyActorRef } from './actor-ref.js';
import type { ActorDefinition } from './behavior.js';
import type { EventChannel, SystemEvent } from './events.js';
import type { SystemMetrics } from './actor-metrics.js';
import type { SpawnOptions } from './spawn-options.js';

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
