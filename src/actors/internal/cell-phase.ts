/**
 * Where an actor cell is in its life: exactly one phase at a time. A stop request is not a phase
 * but an overlay kept beside it (the cell's `stop`), because a stop can come in any phase and the
 * work in progress finishes first; the public `ActorStatus` is read from both.
 *
 *     new ─▶ starting ─▶ ready ⇄ handling          (a failure in handling may go to restarting)
 *              │           ⇅
 *              ▼        restarting
 *        start-failed      │
 *              └──────▶ closing ─▶ stopped        (from new, start-failed or ready, once a stop finds nothing in progress;
 *                                                 from any phase at once when a stop is forced after its `shutdownMs`)
 *
 * - `new`: spawned; its first slice starts it (unless a discarding stop came first).
 * - `starting`: the start step runs (restore from the snapshot store, the `started` hook).
 * - `start-failed`: the start step failed and requested a stop; nothing more starts.
 * - `ready`: started, between messages. User messages are taken while no stop is requested, or a
 *   draining one is (or, for a replay that must finish before a stop, what is left of it).
 * - `handling`: a handler runs, or the promise it returned is pending.
 * - `restarting`: a restart step runs (backoff, turn among siblings, children stopped,
 *   `restarting`, roll back or start afresh, `started`).
 * - `closing`: a stop found nothing in progress: the mailbox is discarded, children stop, the
 *   final snapshot is saved, `stopping` runs.
 * - `stopped`: watchers and linked actors were told; nothing runs again. A step still in progress
 *   when a forced stop got here finds this phase when it resumes, and drops what it would do next.
 *
 * `handling`, `starting` and `restarting` are the busy phases: the cell is out of the run queue
 * and takes nothing else until they end.
 */
export type CellPhase = 'new' | 'starting' | 'start-failed' | 'ready' | 'handling' | 'restarting' | 'closing' | 'stopped';
