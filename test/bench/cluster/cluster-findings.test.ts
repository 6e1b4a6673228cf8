import { describe, expect, it } from 'vitest';
import { clusterFindings, IN_PROCESS, IN_PROCESS_FROM_FILES, processesImpl } from '../../../bench/cluster/cluster-findings.js';
import type { MeasuredRow } from '../../../bench/harness/bench-case.js';

const LINES = 1_000_000;

/** A row at `usPerLine` µs a line (its median rate), with `observations` when given. */
function row(impl: string, usPerLine: number | null, observations?: MeasuredRow['observations']): MeasuredRow {
  const opsPerSec = usPerLine === null ? null : 1e6 / usPerLine;
  return { impl, operations: LINES, opsPerSec, samples: opsPerSec === null ? [] : [opsPerSec], observations };
}

/** Observations of passes, each `[firstRecordMs, completeMs, endedMs, runs]`; the first is the cold one. */
function passes(...each: readonly (readonly [number, number, number, number])[]): MeasuredRow['observations'] {
  const [first] = each;
  const column = (i: number): number[] => each.map((pass) => pass[i] as number);
  return {
    cold: { firstRecordMs: first?.[0] ?? -1, completeMs: first?.[1] ?? 0, endedMs: first?.[2] ?? 0, runs: first?.[3] ?? 0 },
    runs: { firstRecordMs: column(0), completeMs: column(1), endedMs: column(2), runs: column(3) },
  };
}

describe('processesImpl', () => {
  it('names the row by its number of worker processes', () => {
    expect([1, 2, 3].map(processesImpl)).toEqual([
      'sluice cluster, 1 worker process',
      'sluice cluster, 2 worker processes',
      'sluice cluster, 3 worker processes',
    ]);
  });
});

describe('clusterFindings', () => {
  const inProcess = [row('plain loop', 4), row(IN_PROCESS, 5), row(IN_PROCESS_FROM_FILES, 6)];

  it('gives the start, the cost a line after it and that cost over each in-process row, by the medians of the passes', () => {
    // Passes of 0.5 s to the first record and 12 s of work: 12 µs a line, 7 over memory, 6 over files.
    const observations = passes([600, 12_600, 13_100, 2], [500, 12_500, 13_000, 2], [400, 12_400, 12_900, 1]);
    const findings = clusterFindings([...inProcess, row(processesImpl(2), 13.5, observations)]);
    expect(findings).toEqual([
      'cluster, in process on one thread: 5.0 µs a line from memory, 6.0 µs from and to files',
      'sluice cluster, 2 worker processes: start to first record 0.50 s (first pass 0.60 s); then 12.0 µs a line (+7.0 µs over one thread in process, +6.0 µs over one thread from and to files); ' +
        'the whole pass 13.5 µs a line (+8.5 µs); 2 runs of the job a pass, the last process out 0.50 s after "complete" (medians of 3 passes, fresh processes each)',
    ]);
  });

  it('says a row failed rather than give figures for it, and leaves out what a failed in-process row would be compared with', () => {
    const findings = clusterFindings([
      row('plain loop', 4),
      row(IN_PROCESS, null),
      row(IN_PROCESS_FROM_FILES, 6),
      row(processesImpl(1), null),
      row(processesImpl(3), 8, passes([1_000, 7_000, 7_000, 1])),
    ]);
    expect(findings[0]).toBe('cluster, in process on one thread: n/a a line from memory, 6.0 µs from and to files');
    expect(findings[1]).toBe('sluice cluster, 1 worker process: no findings (the row failed)');
    expect(findings[2]).toMatch(
      /^sluice cluster, 3 worker processes: start to first record 1\.00 s \(first pass 1\.00 s\); then 6\.0 µs a line \(\+0\.0 µs over one thread from and to files\); the whole pass 8\.0 µs a line; 1 run of/,
    );
  });

  it('leaves out the passes in which no process said when its first record came', () => {
    const findings = clusterFindings([...inProcess, row(processesImpl(1), 10, passes([-1, 9_000, 9_000, 1], [300, 8_300, 8_300, 1]))]);
    expect(findings[1]).toMatch(/start to first record 0\.30 s; then 8\.0 µs a line/);
    expect(clusterFindings([...inProcess, row(processesImpl(1), 10, passes([-1, 9_000, 9_000, 1]))])[1]).toBe(
      'sluice cluster, 1 worker process: no findings (no process said when its first record came)',
    );
  });

  it('finds nothing in a run without cluster rows', () => {
    expect(clusterFindings(inProcess)).toEqual([]);
  });
});
