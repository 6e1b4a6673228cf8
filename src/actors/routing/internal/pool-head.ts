/**
 * The actor at a pool's path: the parent of its routees, so it supervises them with the pool's
 * `supervisor` options; the one told when a routee stops; and the one that applies the sizes the
 * automatic resizer decides on. It never sees a routed message. A failure it cannot handle itself — a routee
 * that escalates, restarts beyond the limit, a routee that cannot be spawned — it escalates to its
 * own parent, as a supervisor that gives up does.
 */
import type { ActorDefinition } from '../../behavior.js';
import { defineActor } from '../../behavior.js';
import type { Terminated } from '../../terminated.js';

/** What the head handles: a routee's death-watch notification, or the size the resizer decided on. */
export type PoolHeadMessage = { readonly type: 'routee-stopped'; readonly terminated: Terminated } | { readonly type: 'resize'; readonly size: number };

/** The pool's side of its head. */
export interface PoolHeadHooks {
  /** The head started, or started again after a restart. */
  started(): void;
  /** The head restarts (its parent restarts it with a sibling): its routees have been stopped. */
  restarting(): void;
  routeeStopped(terminated: Terminated): void;
  resize(size: number): void;
  /** The head is stopping and its routees have stopped: no routee will come back. */
  stopping(): void;
}

export function toRouteeStopped(terminated: Terminated): PoolHeadMessage {
  return { type: 'routee-stopped', terminated };
}

export function poolHead(hooks: PoolHeadHooks): ActorDefinition<null, PoolHeadMessage> {
  return defineActor<null, PoolHeadMessage>({
    initialState: () => null,
    started: () => hooks.started(),
    restarting: () => hooks.restarting(),
    receive(state, message) {
      if (message.type === 'routee-stopped') hooks.routeeStopped(message.terminated);
      else hooks.resize(message.size);
      return state;
    },
    stopping: () => hooks.stopping(),
  });
}
