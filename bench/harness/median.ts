/** The median of a sample: what the bench reports, as it shrugs off a run slowed by a neighbour. */

/**
 * The middle value of `values` (the mean of the two middle ones for an even count).
 *
 * @throws Error when `values` is empty: a median of nothing is no number to report.
 * @example
 * ```ts
 * median([3, 1, 2]); // 2
 * median([4, 1, 3, 2]); // 2.5
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('Expected at least one value to take the median of, got none');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
