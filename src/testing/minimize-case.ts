/**
 * Shrinking a failing case to a minimum, after fast-check's own shrinking: records, faults and
 * schedule are tried away one at a time, together, until no single one can go without the case
 * passing. fast-check shrinks each part of a case through its arbitrary, and a part that only
 * fails with another (a crash and the record it follows) can leave both larger than they need be;
 * this pass asks the pipeline directly. Every attempt is one deterministic run of the case.
 */
import type { FaultPlan, Retime } from './faults.js';
import { minimizeGreedily, without } from './internal/greedy-minimize.js';
import type { Schedule } from './schedule.js';

/** What a case is made of, before its delivery order is worked out. */
export interface CaseParts<TRecord, TParams> {
  readonly input: readonly TRecord[];
  readonly params: TParams;
  readonly schedule: Schedule;
  readonly faults: FaultPlan;
}

/** The result of {@link minimizeParts}. */
export interface Minimized<TRecord, TParams> {
  readonly parts: CaseParts<TRecord, TParams>;
  /** Cases run while minimizing. */
  readonly attempts: number;
  /** True when no single record, fault or schedule item can be removed; false when the budget ran out first. */
  readonly minimal: boolean;
}

/** The plan's delays and retimes with record `index` gone: later records move down one. */
function planWithoutRecord(plan: FaultPlan, index: number): FaultPlan {
  const shift = (i: number): number => (i > index ? i - 1 : i);
  const retimes = plan.retimes
    ?.filter((r) => r.record !== index && r.like !== index)
    .map((r): Retime => ({ ...r, record: shift(r.record), like: shift(r.like) }));
  return { ...plan, delays: index < plan.delays.length ? without(plan.delays, index) : plan.delays, ...(retimes === undefined ? {} : { retimes }) };
}

/** Every case one step simpler than `parts`: one fault, record, tick, checkpoint, pick or delay less, or smaller batches. */
function* simpler<TRecord, TParams>(parts: CaseParts<TRecord, TParams>): Generator<CaseParts<TRecord, TParams>> {
  const { input, schedule, faults: plan } = parts;
  for (let i = 0; i < plan.faults.length; i++) yield { ...parts, faults: { ...plan, faults: without(plan.faults, i) } };
  for (let i = 0; i < input.length; i++) yield { ...parts, input: without(input, i), faults: planWithoutRecord(plan, i) };
  for (let i = 0; i < schedule.ticks.length; i++) yield { ...parts, schedule: { ...schedule, ticks: without(schedule.ticks, i) } };
  for (let i = 0; i < schedule.checkpoints.length; i++) yield { ...parts, schedule: { ...schedule, checkpoints: without(schedule.checkpoints, i) } };
  if (schedule.picks.length > 0) yield { ...parts, schedule: { ...schedule, picks: [] } };
  for (let i = 0; i < schedule.picks.length; i++) yield { ...parts, schedule: { ...schedule, picks: without(schedule.picks, i) } };
  if (schedule.batchSize > 1) yield { ...parts, schedule: { ...schedule, batchSize: 1 } };
  if (schedule.mailboxBatches > 1) yield { ...parts, schedule: { ...schedule, mailboxBatches: 1 } };
  for (let i = 0; i < plan.delays.length; i++) {
    if (plan.delays[i] !== 0) yield { ...parts, faults: { ...plan, delays: plan.delays.map((d, j) => (j === i ? 0 : d)) } };
  }
}

/**
 * Removes parts of a failing case one at a time, keeping each removal after which it still fails,
 * until none can go or `budget` cases have run.
 *
 * @param fails - runs a candidate; true when it still fails the way the original did.
 * @example
 * ```ts
 * const { parts, minimal } = await minimizeParts(shrunk, async (candidate) => !(await passes(candidate)));
 * ```
 */
export async function minimizeParts<TRecord, TParams>(
  parts: CaseParts<TRecord, TParams>,
  fails: (candidate: CaseParts<TRecord, TParams>) => Promise<boolean>,
  budget = 1_000,
): Promise<Minimized<TRecord, TParams>> {
  const { value, attempts, minimal } = await minimizeGreedily(parts, simpler, fails, budget);
  return { parts: value, attempts, minimal };
}
