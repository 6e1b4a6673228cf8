/**
 * The system's event stream: one typed union of lifecycle and failure events, published
 * synchronously. Events are built only when somebody subscribed, so an unobserved system pays
 * nothing for them.
 */
import type { Unsubscribe } from '../internal/topic.js';
import type { SkippedSnapshot } from '../state/snapshot-store.js';
import type { Directive } from '../supervision/directive.js';
import type { StopReason } from './terminated.js';

interface ActorEventBase {
  /** Path of the actor the event is about. */
  readonly path: string;
  /** Its id. */
  readonly id: string;
  /** When it happened, by the system's clock. */
  readonly at: number;
}

/** An actor ran its `started` hook and takes messages. */
export interface ActorStartedEvent extends ActorEventBase {
  readonly type: 'actor-started';
}

/** An actor stopped; its watchers are being told. */
export interface ActorStoppedEvent extends ActorEventBase {
  readonly type: 'actor-stopped';
  readonly reason: StopReason;
  /** Set when the stop took longer than its `shutdownMs` and was forced. */
  readonly forced?: true | undefined;
}

/** An actor's handler threw; `directive` is what its decider chose. */
export interface ActorFailedEvent extends ActorEventBase {
  readonly type: 'actor-failed';
  readonly error: unknown;
  /** The message being processed, or undefined when a child's escalation failed this actor. */
  readonly message: unknown;
  readonly directive: Directive;
  /** How many times in a row this message has failed, this time included. */
  readonly attempt: number;
}

/** An actor restarted: from its last snapshot (replaying what it took since), or afresh. */
export interface ActorRestartedEvent extends ActorEventBase {
  readonly type: 'actor-restarted';
  /** How many times this actor has been restarted in all. */
  readonly restarts: number;
  /** The failure that caused it (undefined for a `'permanent'` actor that stopped itself). */
  readonly error: unknown;
  /** `'snapshot'`: from the last snapshot; `'initial-state'`: a fresh start. */
  readonly from: 'snapshot' | 'initial-state';
  /** How many messages it will process again. */
  readonly replayed: number;
}

/** A message failed `maxRetries` times in a row and went to dead letters; the actor goes on. */
export interface PoisonMessageEvent extends ActorEventBase {
  readonly type: 'poison-message';
  readonly message: unknown;
  readonly error: unknown;
  readonly attempts: number;
}

/** A snapshot reached the actor's store. */
export interface SnapshotSavedEvent extends ActorEventBase {
  readonly type: 'snapshot-saved';
  readonly sequence: number;
  readonly durationMs: number;
}

/** Saving a snapshot failed; the previous one in the store is intact and the actor goes on. */
export interface SnapshotFailedEvent extends ActorEventBase {
  readonly type: 'snapshot-failed';
  readonly sequence: number;
  readonly error: unknown;
}

/**
 * An actor with a store looked for its snapshot at start. `sequence` is the one it starts from
 * (undefined: none, it starts from `initialState()`); `skipped` lists newer ones found damaged;
 * `migratedFrom` is set when the snapshot's state was of an older `stateVersion` and `migrate`
 * brought it to the definition's.
 */
export interface SnapshotRestoredEvent extends ActorEventBase {
  readonly type: 'snapshot-restored';
  readonly sequence: number | undefined;
  readonly skipped: readonly SkippedSnapshot[];
  /** The state version the snapshot was saved under, when it was migrated. */
  readonly migratedFrom?: number | undefined;
}

/** An actor escalated a failure to its parent (or, at the top, to the system). */
export interface ActorEscalatedEvent extends ActorEventBase {
  readonly type: 'actor-escalated';
  readonly error: unknown;
}

/**
 * A lifecycle hook, `initialState` during a restart, a supervision decider, or the restore from a
 * snapshot store threw. A failed `started`, `initialState` or `restore` stops the actor, a failed
 * decider counts as `'stop'`; a failed `stopping` or `restarting` is reported and the lifecycle
 * goes on.
 */
export interface HookFailedEvent extends ActorEventBase {
  readonly type: 'hook-failed';
  readonly hook: 'started' | 'stopping' | 'restarting' | 'initialState' | 'decide' | 'restore';
  readonly error: unknown;
}

/**
 * An event-sourced actor recovered its state, at start or after a restart: from the snapshot of
 * `snapshotSequence` (undefined: none), then `replayed` events from the journal, up to `sequence`.
 * `skipped` lists newer snapshots found damaged and passed over.
 */
export interface EventsRecoveredEvent extends ActorEventBase {
  readonly type: 'events-recovered';
  readonly persistenceId: string;
  readonly snapshotSequence: number | undefined;
  readonly replayed: number;
  /** The sequence number of the last event applied: where the actor goes on from. */
  readonly sequence: number;
  readonly skipped: readonly SkippedSnapshot[];
  readonly durationMs: number;
}

/** An event-sourced actor had the journal delete its events up to `toSequence` (or fewer: see the journal). */
export interface EventsDeletedEvent extends ActorEventBase {
  readonly type: 'events-deleted';
  readonly persistenceId: string;
  readonly toSequence: number;
}

/** Deleting events after a snapshot failed; they stay in the journal, and the actor goes on. */
export interface EventsDeleteFailedEvent extends ActorEventBase {
  readonly type: 'events-delete-failed';
  readonly persistenceId: string;
  readonly toSequence: number;
  readonly error: unknown;
}

/** The system stopped; `error` is set when an escalation reached the top. */
export interface SystemTerminatedEvent {
  readonly type: 'system-terminated';
  readonly system: string;
  readonly error?: unknown;
  readonly at: number;
}

/** Every event on `system.events`. */
export type SystemEvent =
  | ActorStartedEvent
  | ActorStoppedEvent
  | ActorFailedEvent
  | ActorRestartedEvent
  | ActorEscalatedEvent
  | PoisonMessageEvent
  | SnapshotSavedEvent
  | SnapshotFailedEvent
  | SnapshotRestoredEvent
  | HookFailedEvent
  | EventsRecoveredEvent
  | EventsDeletedEvent
  | EventsDeleteFailedEvent
  | SystemTerminatedEvent;

/**
 * A subscription point for {@link SystemEvent}s.
 *
 * @example
 * ```ts
 * system.events.subscribe((event) => { if (event.type === 'actor-failed') console.error(event.error); });
 * ```
 */
export interface EventChannel<TEvent> {
  /** Calls `listener` with each event from now on; returns a function that stops it. */
  subscribe(listener: (event: TEvent) => void): Unsubscribe;
}
