/**
 * One row of the results: an implementation's median rate and peak RSS, or a FAILURE. Judging is
 * pure: a row is a number only when every timed run of its child reproduced the floor's checksum;
 * a wrong answer, a crash or an unverifiable one (the floor itself failed) is a FAILURE instead.
 */
import type { BenchCase, Observations, Role } from '../harness/bench-case.js';
import type { ChildReport } from '../harness/child-protocol.js';
import { median } from '../harness/median.js';

/** One implementation's result in one case: what the table, `--json` and BENCHMARKS.md hold. */
export interface BenchResult {
  readonly case: string;
  readonly impl: string;
  readonly role: Role;
  readonly unit: string;
  /** Operations in one run; `null` when the child failed before saying. */
  readonly operations: number | null;
  /** The median over timed runs (the steady rate); `null` for a FAILURE, never a number for a wrong answer. */
  readonly opsPerSec: number | null;
  /** The first run's rate in a fresh process (the cold rate); `null` for a FAILURE. */
  readonly coldOpsPerSec: number | null;
  /** Operations per second of each timed run, in order. */
  readonly samples: readonly number[];
  /** Peak RSS of the implementation's own child process, in MB. */
  readonly peakRssMb: number | null;
  /** The checksum every timed run computed, when they agreed. */
  readonly checksum: number | null;
  /** Why this row is a FAILURE; `null` when it is not. */
  readonly error: string | null;
  /** Other Sluice rows of the case this one's ratios also divide by (the case's `compareWith`). */
  readonly compareWith?: readonly string[] | undefined;
  /** What the implementation observed besides its rates (see `Runner.observe`); absent when nothing. */
  readonly observations?: Observations | undefined;
}

/**
 * Judges one case's child reports: checks every timed run of every implementation against the
 * floor's checksum and takes the median rate of the rows that pass.
 *
 * @param reports - by implementation name; a missing one is a FAILURE ("not run").
 * @example
 * ```ts
 * judgeCase(wordcountCase, new Map([['plain loop', report], ...])); // one BenchResult per implementation
 * ```
 */
export function judgeCase(benchCase: Pick<BenchCase, 'name' | 'unit' | 'implementations'>, reports: ReadonlyMap<string, ChildReport>): BenchResult[] {
  const floor = benchCase.implementations.find((implementation) => implementation.role === 'floor');
  const floorReport = floor === undefined ? undefined : reports.get(floor.impl);
  const floorChecksums = floorReport?.kind === 'case' ? new Set(floorReport.checksums) : new Set<number>();
  const reference = floorChecksums.size === 1 ? [...floorChecksums][0] : undefined;

  return benchCase.implementations.map(({ impl, role, compareWith }) => {
    const report = reports.get(impl) ?? { kind: 'error', message: 'not run' };
    const row = (fields: Partial<BenchResult>): BenchResult => ({
      case: benchCase.name,
      impl,
      role,
      unit: benchCase.unit,
      operations: null,
      opsPerSec: null,
      coldOpsPerSec: null,
      samples: [],
      peakRssMb: null,
      checksum: null,
      error: null,
      ...(compareWith === undefined ? {} : { compareWith }),
      ...fields,
    });
    if (report.kind === 'error') return row({ error: report.message });
    if (report.kind !== 'case') return row({ error: `expected a case report, got a ${report.kind} report` });
    const measured = {
      operations: report.operations,
      samples: report.rates,
      peakRssMb: report.peakRssMb,
      ...(report.observations === undefined ? {} : { observations: report.observations }),
    };
    if (report.checksums.length === 0) return row({ ...measured, error: 'no timed runs' });
    const distinct = [...new Set([...report.checksums, report.coldChecksum])];
    if (distinct.length > 1) return row({ ...measured, error: `runs disagree: checksums ${distinct.join(', ')}` });
    const checksum = distinct[0] as number;
    if (reference === undefined) {
      return row({ ...measured, checksum, error: `not verified: the floor (${floor?.impl ?? 'none'}) has no checksum` });
    }
    if (checksum !== reference) {
      return row({ ...measured, checksum, error: `wrong answer: checksum ${checksum}, expected ${reference} from the floor (${floor?.impl})` });
    }
    return row({ ...measured, checksum, opsPerSec: median(report.rates), coldOpsPerSec: report.coldRate });
  });
}
