/**
 * The context an event-sourced actor's handlers see: its actor context (one object per actor,
 * reached through the prototype, so everything the runtime adds to contexts is there too) with
 * the persistence id, the last sequence number and `persist` on top, and `snapshot` saving the
 * actor's own snapshots. Made once per actor.
 */
import type { ActorContext } from '../../actors/context.js';
import type { EventSourcedContext } from '../event-sourced-actor.js';
import { PersistEffect } from './persist-effect.js';

/** Where the context reads what changes as the actor lives. */
export interface ContextSources {
  readonly persistenceId: () => string;
  readonly lastSequence: () => number;
  /** `ctx.snapshot()`: the event-sourced actor's own snapshots, not the runtime's. */
  readonly snapshot: () => Promise<void>;
}

export function eventSourcedContext<TCommand, TState, TEvent>(
  ctx: ActorContext<TCommand>,
  sources: ContextSources,
): EventSourcedContext<TCommand, TState, TEvent> {
  return Object.create(ctx, {
    persistenceId: { get: sources.persistenceId, enumerable: true },
    lastSequence: { get: sources.lastSequence, enumerable: true },
    snapshot: { value: sources.snapshot, enumerable: true },
    persist: {
      value: (events: readonly TEvent[], afterPersist?: (state: TState) => void) => new PersistEffect<TEvent, TState>(events, afterPersist),
      enumerable: true,
    },
  }) as EventSourcedContext<TCommand, TState, TEvent>;
}
