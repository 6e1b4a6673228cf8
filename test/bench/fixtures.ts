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
