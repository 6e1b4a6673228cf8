/**
 * What an actor cell needs from its system and its parent, as narrow interfaces, so the cell does
 * not depend on the system's class and a parent can be either another actor or the system itself.
 */
import type { DeadLetters } from '../../mailbox/dead-letters.js';
import type { Topic } from '../../internal/topic.js';
import type { Clock } from '../../clock.js';
import type { ActorRef, AnyActorRef } from '../actor-ref.js';
import type { ActorMetrics } from '../actor-metrics.js';
import type { Ask } from './ask.js';
import type { ActorDefinition } from '../behavior.js';
import type { Dispatcher } from './dispatcher.js';
import type { RestartableChild, RestartTurn } from './supervisor-state.js';
import type { SystemEvent } from '../events.js';
import type { SpawnOptions } from '../spawn-options.js';
import type { ActorSystem } from '../actor-system.js';
import type { StopReason } from '../terminated.js';
import type { ReadonlyChildren, Sibling } from './child-registry.js';

/** How a stopping actor treats the messages already in its mailbox. */
export type StopMode = 'drain' | 'discard';

/** The system-wide services every cell uses. */
export interface SystemServices {
  readonly system: ActorSystem;
  readonly clock: Clock;
  readonly dispatcher: Dispatcher;
  readonly deadLetters: DeadLetters;
  readonly events: Topic<SystemEvent>;
  readonly outstandingAsks: Set<Ask<unknown>>;
  readonly askTimeoutMs: number;
  readonly messageBudget: number;
  /** Uniform random numbers in [0, 1), for backoff jitter. */
  readonly random: () => number;
  /** Shallow-freeze each new plain-object state, to catch mutation in development. */
  readonly freezeState: boolean;
  /** Validates options and spawns a child of `parent`. */
  spawn<TState, TMessage>(parent: ParentSlot, definition: ActorDefinition<TState, TMessage>, options: SpawnOptions | undefined): ActorRef<TMessage>;
}

/**
 * A child as its parent sees it; a parent restarts it in its turn when a sibling restarts
 * (one-for-all, rest-for-one), and keeps it in its registry of children (`child-registry.ts`).
 */
export interface ChildCell extends RestartableChild, Sibling<ChildCell> {
  readonly name: string;
  readonly path: string;
  readonly ref: AnyActorRef;
  /** Its own live children. */
  readonly children: ReadonlyChildren<ChildCell>;
  requestStop(mode: StopMode, reason: StopReason): Promise<void>;
  /**
   * Requests a stop as `requestStop` does, without a promise: returns true when the actor has
   * stopped already, else calls `next` once it has.
   */
  stopThen(mode: StopMode, reason: StopReason, next: () => void): boolean;
  /** Stops it at once, abandoning whatever is in progress: its parent's stop was forced. */
  forceStop(): void;
  /** Its counters now, for `system.metrics()`. */
  stats(): ActorMetrics;
}

/** A parent as its children see it: an actor, or the system's top level (`/user`). */
export interface ParentSlot {
  readonly path: string;
  /** The parent's ref; undefined at the top level. */
  readonly ref: AnyActorRef | undefined;
  /** Live children, in start order. */
  readonly children: ReadonlyChildren<ChildCell>;
  /** Throws when the parent can no longer take children. */
  assertCanSpawn(): void;
  /** Registers a child just spawned under its name (which the child checked is free). */
  addChild(child: ChildCell): void;
  /** Forgets a child that stopped, unless its name now belongs to another. */
  removeChild(child: ChildCell): void;
  /** A child escalated `error`, or the supervisor gave up on its children with it. */
  childFailed(childPath: string, error: unknown): void;
  /**
   * A child is about to restart after `error`: counts the restart against the intensity limit and
   * restarts the siblings the strategy names, in start order. Returns the child's turn among them
   * (it restarts when the turn is ready), or undefined when the limit is exceeded: the supervisor
   * then gives up (stopping its children) and escalates, and the child must not restart.
   */
  authorizeRestart(child: ChildCell, error: unknown): RestartTurn | undefined;
}
