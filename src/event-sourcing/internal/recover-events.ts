/**
 * Recovery of an event-sourced actor: its newest intact snapshot, then every event after it, in
 * order, through `apply`. Exact or refused: a snapshot newer than the journal, events deleted that
 * no snapshot covers, a gap or repeat in the numbering, an event that cannot be read, or `apply`
 * throwing all fail it with an EventRecoveryError, and nothing is written either way.
 */
import { EventRecoveryError } from '../../errors.js';
import { yieldToEventLoop } from '../../state/chunks.js';
import type { SkippedSnapshot, SnapshotStore } from '../../state/snapshot-store.js';
import type { EventLog } from '../event-journal.js';
import { stateOfSnapshot } from './event-snapshot.js';

/** Events applied between two yields to the event loop, so a long history never blocks the process. */
const YIELD_EVERY = 10_000;

/** What a recovery starts from. */
export interface RecoveryInput<TState, TEvent> {
  readonly log: EventLog<TEvent>;
  readonly snapshots: SnapshotStore | undefined;
  readonly initialState: () => TState;
  readonly apply: (state: TState, event: TEvent) => TState;
  /** Also keep the state as it was just before this event, if the journal has it. */
  readonly keepBefore: number | undefined;
}

/** Where a recovery ended. */
export interface RecoveredEvents<TState> {
  readonly state: TState;
  /** The last event applied (the snapshot's, when no event came after it; 0 for none). */
  readonly sequence: number;
  readonly snapshotSequence: number | undefined;
  readonly replayed: number;
  readonly skipped: readonly SkippedSnapshot[];
  /** The state just before event `keepBefore`, when it was asked for and that event is in the journal. */
  readonly before: { readonly state: TState } | undefined;
}

/**
 * Recovers the state `log` and `snapshots` hold.
 * @throws (rejects) EventRecoveryError; what the snapshot store threw.
 */
export async function recoverEvents<TState, TEvent>(input: RecoveryInput<TState, TEvent>): Promise<RecoveredEvents<TState>> {
  const { log, snapshots, apply, keepBefore } = input;
  const id = log.persistenceId;
  let state: TState;
  let snapshotSequence: number | undefined;
  let skipped: readonly SkippedSnapshot[] = [];
  const loaded = snapshots === undefined ? undefined : await snapshots.load(id);
  if (loaded?.snapshot === undefined) {
    state = input.initialState();
  } else {
    state = stateOfSnapshot<TState>(id, loaded.snapshot);
    snapshotSequence = loaded.snapshot.sequence;
  }
  skipped = loaded?.skipped ?? [];
  const from = (snapshotSequence ?? 0) + 1;
  const last = log.lastSequence;
  if (from > last + 1) throw new EventRecoveryError(id, `snapshot ${from - 1} is newer than the journal's last event, ${last}`);
  if (log.firstSequence > from) {
    throw new EventRecoveryError(id, `events ${from} to ${log.firstSequence - 1} were deleted from the journal, and no snapshot holds them`);
  }
  let expected = from;
  let before: { readonly state: TState } | undefined;
  try {
    for await (const { sequence, event } of log.read(from)) {
      if (sequence !== expected) throw new EventRecoveryError(id, `the journal gave event ${sequence} where event ${expected} belongs`);
      if (sequence === keepBefore) before = { state };
      state = applyStored(id, apply, state, event, sequence);
      expected++;
      if ((expected - from) % YIELD_EVERY === 0) await yieldToEventLoop();
    }
  } catch (error) {
    if (error instanceof EventRecoveryError) throw error;
    throw new EventRecoveryError(id, `event ${expected} could not be read`, error);
  }
  if (expected !== last + 1) throw new EventRecoveryError(id, `the journal's events ended at ${expected - 1}, before its last event, ${last}`);
  return { state, sequence: last, snapshotSequence, replayed: expected - from, skipped, before };
}

function applyStored<TState, TEvent>(id: string, apply: (state: TState, event: TEvent) => TState, state: TState, event: TEvent, sequence: number): TState {
  try {
    return apply(state, event);
  } catch (error) {
    throw new EventRecoveryError(id, `apply threw on event ${sequence}`, error);
  }
}
