/**
 * Which faults kill a run: a crash, a commit crash, a rescale and a workers fault each end the run
 * where it stands and start another from the last complete checkpoint, as an upgrade by resume
 * does. Only a case with one of them (or an upgrade) needs checkpoints, and each adds a run to it.
 */
import type { FaultKind, FaultPlan } from '../faults.js';

/** The kinds of fault that kill a run. */
export const KILL_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>(['crash', 'crash-before-commit', 'rescale', 'workers']);

/** Whether a case with `plan` ends a run before its end: a kill fault, or an upgrade. */
export function stopsRuns(plan: FaultPlan): boolean {
  return plan.upgrade !== undefined || plan.faults.some((fault) => KILL_KINDS.has(fault.kind));
}
