/**
 * When the first record reached a worker process of the bench's cluster job: the job's parse step,
 * wrapped, writes one line on standard error the first time it runs in a process (a Unix time in
 * ms), and the case reads the earliest such line of the pass's processes. One check of a flag per
 * record is all it adds to the step.
 */

/** What the line starts with; the time follows it. */
export const FIRST_RECORD_LINE = 'sluice-bench: first record at ';

/**
 * `step`, writing {@link FIRST_RECORD_LINE} and the time on standard error the first time it runs.
 * @example
 * ```ts
 * pipeline(source).map(markingFirstRecord(parseAccess), 'parse');
 * ```
 */
export function markingFirstRecord<TIn, TOut>(step: (record: TIn) => TOut): (record: TIn) => TOut {
  let marked = false;
  return (record) => {
    if (!marked) {
      marked = true;
      process.stderr.write(`${FIRST_RECORD_LINE}${Date.now()}\n`);
    }
    return step(record);
  };
}

/**
 * The earliest time a line of `stderr` says the first record came, or `undefined` when none does.
 * @example
 * ```ts
 * firstRecordAt('sluice worker: w1 joined\nsluice-bench: first record at 1767225600123\n'); // 1767225600123
 * ```
 */
export function firstRecordAt(stderr: string): number | undefined {
  let earliest: number | undefined;
  for (const line of stderr.split('\n')) {
    if (!line.startsWith(FIRST_RECORD_LINE)) continue;
    const at = Number(line.slice(FIRST_RECORD_LINE.length));
    if (Number.isFinite(at) && (earliest === undefined || at < earliest)) earliest = at;
  }
  return earliest;
}
