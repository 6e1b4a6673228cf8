/**
 * The cpu-heavy job's pipeline over any source and sink: parse, pseudonymise, then per-user totals
 * in {@link PARTITIONS} keyed partitions. Both of its job modules build it here, so the rows that
 * read the lines from memory and those that read them from a file run the very same steps.
 */
import { pipeline, type Keyed, type Pipeline, type Sink, type Source } from '../../src/index.js';
import { parseAccess, toVisit, userTotals, type AccessEvent, type UserTotals } from './access-log.js';

/** Keyed partitions of the per-user totals, placed on the threads (or processes) by key-group ranges. */
export const PARTITIONS = 4;

/**
 * Parse (by `parse`, {@link parseAccess} unless a job wraps it), pseudonymise, then totals per user.
 * @example
 * ```ts
 * defineJob(import.meta.url, () => accessLogPipeline(fromArray(lines), toArray()));
 * ```
 */
export function accessLogPipeline<TOffset>(
  source: Source<string, TOffset>,
  sink: Sink<Keyed<string, UserTotals>>,
  parse: (line: string) => AccessEvent = parseAccess,
): Pipeline {
  return pipeline(source)
    .map(parse, 'parse')
    .map(toVisit, 'pseudonymise')
    .keyBy((visit) => visit.user, { partitions: PARTITIONS })
    .aggregate(userTotals, { emit: 'final', name: 'per-user' })
    .to(sink);
}
