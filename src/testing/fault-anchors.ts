/**
 * Resolving a generated fault plan against its case: kill points anchored at a planned checkpoint
 * or at the end of the input become concrete offsets, and a crash before a sink commit names a
 * checkpoint the case takes. The input's length and the schedule's checkpoints are drawn apart from
 * the faults, so only the case knows them; a resolved plan reads and replays as plain numbers.
 */
import type { CommitCrashFault, Fault, FaultPlan, KillAnchor, RescaleFault, UpgradePoint } from './faults.js';

function resolveKill<F extends { readonly afterRecords: number; readonly anchor?: KillAnchor | undefined }>(
  fault: F,
  records: number,
  checkpoints: readonly number[],
): F {
  const { anchor, ...rest } = fault;
  if (anchor === undefined) return fault;
  if (anchor === 'end') return { ...rest, afterRecords: records } as F;
  if (checkpoints.length === 0) return rest as F;
  const index = fault.afterRecords % checkpoints.length;
  const at = checkpoints[index] as number;
  // Killed at the offset where a planned checkpoint is taken: the kill is armed once it is durable.
  if (anchor === 'checkpoint') return { ...rest, afterRecords: at } as F;
  // Past it, before the next: the resumed run restores that checkpoint and replays what came after,
  // output a sink may have written included.
  const next = checkpoints[index + 1];
  const room = next === undefined ? records - at : next - at - 1;
  const past = room <= 0 ? 0 : 1 + (Math.floor(fault.afterRecords / checkpoints.length) % room);
  return { ...rest, afterRecords: at + past } as F;
}

/**
 * A resume upgrade strikes while the input is still being read (at the latest with its last record
 * waiting), so the next version always takes over: at the end, the old version could complete
 * first. A live swap may also come with the source waiting at the input's end: the old version has
 * read everything but not finished, and the next version finishes it from the swap's checkpoint.
 */
function resolveUpgrade(point: UpgradePoint, records: number, checkpoints: readonly number[]): UpgradePoint {
  const { anchor: _anchor, ...resolved } = resolveKill(point, records, checkpoints);
  const last = point.how === 'live' ? records : Math.max(0, records - 1);
  return { ...resolved, afterRecords: Math.min(resolved.afterRecords % (records + 1), last) };
}

/**
 * A commit crash names a checkpoint of the run: one of the planned ones, or the one taken at the
 * end of the input.
 */
function resolveCommitCrash(fault: CommitCrashFault, checkpoints: readonly number[]): CommitCrashFault {
  return { ...fault, checkpoint: 1 + ((fault.checkpoint - 1) % (checkpoints.length + 1)) };
}

/**
 * Each rescale changes the partition count: taken in the order they strike, one that would resume
 * with the count the job already has moves on to the next (wrapping after `maxPartitions`).
 */
function resolveRescales(faults: readonly Fault[], records: number, first: number | undefined, maxPartitions: number | undefined): Fault[] {
  if (first === undefined || maxPartitions === undefined || maxPartitions < 2) return [...faults];
  const order = faults
    .map((fault, index) => ({ fault, index }))
    .filter((entry): entry is { fault: RescaleFault; index: number } => entry.fault.kind === 'rescale')
    .sort((a, b) => (a.fault.afterRecords % (records + 1)) - (b.fault.afterRecords % (records + 1)) || a.index - b.index);
  const resolved = [...faults];
  let current = first;
  for (const { fault, index } of order) {
    const partitions = fault.partitions === current ? (current % maxPartitions) + 1 : fault.partitions;
    resolved[index] = { ...fault, partitions };
    current = partitions;
  }
  return resolved;
}

/**
 * `plan` with its anchors resolved for an input of `records` records whose runs take checkpoints
 * at `checkpoints` (offsets in range, ascending, as `checkpointOffsets` gives them), and its
 * rescales made to change the partition count (up to `maxPartitions`, when rescales are on).
 *
 * @example
 * ```ts
 * anchorFaults({ faults: [{ kind: 'crash', afterRecords: 1, steps: 0, anchor: 'checkpoint' }], delays: [] }, 10, [2, 6]);
 * // { faults: [{ kind: 'crash', afterRecords: 6, steps: 0 }], delays: [] }
 * ```
 */
export function anchorFaults(plan: FaultPlan, records: number, checkpoints: readonly number[], maxPartitions?: number): FaultPlan {
  const anchored = plan.faults.map((fault): Fault => {
    switch (fault.kind) {
      case 'crash':
      case 'rescale':
      case 'workers':
        return resolveKill(fault, records, checkpoints);
      case 'crash-before-commit':
        return resolveCommitCrash(fault, checkpoints);
      default:
        return fault;
    }
  });
  const faults = resolveRescales(anchored, records, plan.partitions, maxPartitions);
  return plan.upgrade === undefined ? { ...plan, faults } : { ...plan, faults, upgrade: resolveUpgrade(plan.upgrade, records, checkpoints) };
}
