/**
 * Builders for bench results and child reports, so each test states only the fields it is about,
 * and a check that every implementation of a case computes the floor's answer.
 */
import { expect } from 'vitest';
import type { BenchCase } from '../../bench/harness/bench-case.js';
import type { ChildReport } from '../../bench/harness/child-protocol.js';
import { measure } from '../../bench/harness/measure.js';
import type { BenchResult } from '../../bench/report/bench-result.js';

/** A passing result; `fields` override the defaults. */
export function result(fields: Partial<BenchResult> = {}): BenchResult {
  return {
    case: 'sum',
    impl: 'plain loop',
    role: 'floor',
    unit: 'numbers',
    operations: 1000,
    opsPerSec: 1e6,
    coldOpsPerSec: 5e5,
    samples: [1e6],
    peakRssMb: 100,
    checksum: 42,
    error: null,
    ...fields,
  };
}

/** A child's case report with the given checksums, one run per checksum; its cold run agreed with the first. */
export function caseReport(checksums: readonly number[], rates: readonly number[] = checksums.map(() => 1000), coldChecksum = checksums[0] ?? 0): ChildReport {
  return { kind: 'case', operations: 1000, rates, checksums, coldRate: 500, coldChecksum, peakRssMb: 90 };
}

/**
 * Runs every implementation of `benchCase` once at quick scale (the cold run and one timed run) and
 * returns each one's checksums, by implementation, in the case's order.
 */
export async function checksumsOfEveryImplementation(benchCase: BenchCase): Promise<Map<string, number[]>> {
  const checksums = new Map<string, number[]>();
  for (const { impl } of benchCase.implementations) {
    const { operations, runner } = benchCase.load(impl, 'quick');
    const measured = await measure(runner, operations, { warmups: 0, runs: 1 });
    checksums.set(impl, [measured.coldChecksum, ...measured.checksums]);
  }
  return checksums;
}

/** Expects every implementation's every checksum to be `floor`, naming the first that is not. */
export function expectAllEqual(checksums: ReadonlyMap<string, readonly number[]>, floor: number | undefined): void {
  expect(floor).toBeTypeOf('number');
  for (const [impl, sums] of checksums) expect({ impl, sums }).toEqual({ impl, sums: sums.map(() => floor) });
}
