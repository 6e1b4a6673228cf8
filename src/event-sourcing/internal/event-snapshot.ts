/**
 * What an event-sourced actor's snapshot holds in a `SnapshotStore`: the state after the event
 * whose sequence number is the snapshot's `sequence`, in `meta`, marked so that a snapshot saved by
 * a plain actor under the same key is refused rather than taken for state.
 */
import { EventRecoveryError } from '../../errors.js';
import type { RestoredSnapshot, Snapshot } from '../../state/snapshot-store.js';

/** The `meta` of an event-sourced snapshot; `eventSourced` is its format version. */
interface EventSnapshotMeta {
  readonly eventSourced: 1;
  readonly state: unknown;
}

/** The snapshot of `state`, the state after event `sequence`. */
export function eventSnapshot(sequence: number, state: unknown): Snapshot {
  const meta: EventSnapshotMeta = { eventSourced: 1, state };
  return { sequence, meta };
}

/**
 * The state a restored snapshot holds.
 * @throws EventRecoveryError when it is not an event-sourced actor's snapshot.
 */
export function stateOfSnapshot<TState>(persistenceId: string, snapshot: RestoredSnapshot): TState {
  const meta = snapshot.meta as Partial<EventSnapshotMeta> | null | undefined;
  if (typeof meta !== 'object' || meta === null || meta.eventSourced !== 1 || !('state' in meta) || snapshot.entries.length > 0) {
    throw new EventRecoveryError(persistenceId, `snapshot ${snapshot.sequence} is not the snapshot of an event-sourced actor`);
  }
  return meta.state as TState;
}
