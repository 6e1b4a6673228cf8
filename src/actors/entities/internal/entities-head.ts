/**
 * The actor at the entities' path: the parent of every live entity, so it supervises them with the
 * `supervisor` options, and the one told (by death watch) when an entity stops, whatever the
 * reason. It never sees a message for an entity. A failure it cannot handle — an entity that
 * escalates, restarts beyond the limit — it escalates to its own parent.
 */
import { defineActor, type ActorDefinition } from '../../behavior.js';
import type { Terminated } from '../../terminated.js';

/** What the head handles: an entity's death-watch notification, with the entity's id. */
export interface EntityStopped {
  readonly type: 'entity-stopped';
  readonly id: string;
  readonly terminated: Terminated;
}

/** The entities' side of their head. */
export interface EntitiesHeadHooks {
  /** The head started, or started again after a restart. */
  started(): void;
  /** The head restarts (its parent restarts it): its entities have been stopped. */
  restarting(): void;
  entityStopped(id: string, terminated: Terminated): void;
  /** The head is stopping and its entities have stopped. */
  stopping(): void;
}

export function entitiesHead(hooks: EntitiesHeadHooks): ActorDefinition<null, EntityStopped> {
  return defineActor<null, EntityStopped>({
    initialState: () => null,
    started: () => hooks.started(),
    restarting: () => hooks.restarting(),
    receive(state, message) {
      hooks.entityStopped(message.id, message.terminated);
      return state;
    },
    stopping: () => hooks.stopping(),
  });
}
