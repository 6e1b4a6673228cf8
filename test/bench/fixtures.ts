/** Builders for bench results and child reports, so each test states only the fields it is about. */
import type { BenchResult } from '../../bench/report/bench-result.js';
import type { ChildReport } from '../../bench/harness/child-protocol.js';

/** A passing result; `fields` override the defaults. */
export function result(fields: Partial<BenchResult> = {}): BenchResult {
  return {
    case: 'sum',
    impl: 'plain loop',
    role: 'floor',
    unit: 'numbers',
    operations: 1000,
    opsPerSec: 1e6,
    samples: [1e6],
    peakRssMb: 100,
    checksum: 42,
    error: null,
    ...fields,
  };
}

/** A child's case report with the given checksums, one run per checksum. */
export function caseReport(checksums: readonly number[], rates: readonly number[] = checksums.map(() => 1000)): ChildReport {
  return { kind: 'case', operations: 1000, rates, checksums, peakRssMb: 90 };
}
