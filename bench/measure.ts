/**
 * Measurement: warm up, run several times, keep the median, and check every run's result against
 * the baseline's checksum, so a fast wrong answer is reported as a failure rather than a number.
 */

/** One implementation of a case: runs the job once and returns its checksum. */
export interface Implementation {
  readonly impl: string;
  /** Whether Sluice's numbers are compared with this one. */
  readonly baseline?: boolean;
  /** Untimed set-up before every run (building a large initial state, say). */
  prepare?(): Promise<void> | void;
  run(): Promise<number> | number;
}

/** One benchmark case: a job of `operations` units done by several implementations. */
export interface BenchCase {
  readonly name: string;
  /** What one operation is, for the table ("messages", "records"). */
  readonly unit: string;
  readonly operations: number;
  readonly implementations: readonly Implementation[];
}

export interface Measurement {
  readonly case: string;
  readonly impl: string;
  readonly unit: string;
  readonly opsPerSec: number;
  readonly runs: number;
  readonly checksum: number;
  readonly baseline: boolean;
}

export interface MeasureOptions {
  readonly warmups: number;
  readonly runs: number;
}

export class ChecksumMismatchError extends Error {
  constructor(benchCase: string, impl: string, expected: number, actual: number) {
    super(`${benchCase}/${impl} computed ${actual}, expected ${expected}: a wrong answer is not a benchmark result`);
    this.name = 'ChecksumMismatchError';
  }
}

export async function measureCase(benchCase: BenchCase, options: MeasureOptions): Promise<Measurement[]> {
  const results: Measurement[] = [];
  let expected: number | undefined;
  for (const implementation of benchCase.implementations) {
    for (let i = 0; i < options.warmups; i++) {
      await implementation.prepare?.();
      await implementation.run();
    }
    const rates: number[] = [];
    let checksum = Number.NaN;
    for (let i = 0; i < options.runs; i++) {
      await implementation.prepare?.();
      const started = performance.now();
      checksum = await implementation.run();
      const seconds = (performance.now() - started) / 1000;
      rates.push(benchCase.operations / seconds);
      expected ??= checksum;
      if (checksum !== expected) throw new ChecksumMismatchError(benchCase.name, implementation.impl, expected, checksum);
    }
    results.push({
      case: benchCase.name,
      impl: implementation.impl,
      unit: benchCase.unit,
      opsPerSec: median(rates),
      runs: rates.length,
      checksum,
      baseline: implementation.baseline === true,
    });
  }
  return results;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
