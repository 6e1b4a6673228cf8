/**
 * What the cluster case found beyond its rates, worked out from its rows once judged: for each
 * number of worker processes, the start (start of the pass to the first record, as the processes
 * said), the cost per line from there to the leader's "complete", and that cost over the job on one
 * thread in process, measured in the same run, as microseconds a line. A pass's time splits into
 * start, work and end: the row's rate divides the lines by all three; the cost per line by the
 * work alone, restarts of the job while its workers join included. Pure.
 */
import type { MeasuredRow, Observations } from '../harness/bench-case.js';
import { median } from '../harness/median.js';

/** The in-process row from memory: the cpu-heavy case's one-thread row. */
export const IN_PROCESS = 'sluice, 1 worker';

/** The in-process row from and to the files the worker processes use. */
export const IN_PROCESS_FROM_FILES = 'sluice, 1 worker, file to file';

/**
 * The name of the row of `processes` worker processes.
 * @example
 * ```ts
 * processesImpl(2); // 'sluice cluster, 2 worker processes'
 * ```
 */
export function processesImpl(processes: number): string {
  return `sluice cluster, ${processes} worker process${processes === 1 ? '' : 'es'}`;
}

/** What a cluster row's runner observes of each pass: times in ms from the pass's start, and `runs`. */
export type PassObservation = {
  /** To the first record reaching a process; -1 when none said so. */
  readonly firstRecordMs: number;
  /** To the leader's `job ID complete`: the output is in place. */
  readonly completeMs: number;
  /** To the last process's exit. */
  readonly endedMs: number;
  /** Runs the job started: more than 1 when it started again as workers joined, or after a failure. */
  readonly runs: number;
};

const us = (value: number): string => `${value.toFixed(1)} µs`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : word.endsWith('s') ? 'es' : 's'}`;
const signed = (value: number): string => `${value >= 0 ? '+' : '−'}${us(Math.abs(value))}`;

/** Microseconds a line of a row at its median rate; `undefined` for a FAILURE. */
function usPerLine(row: MeasuredRow | undefined): number | undefined {
  return row?.opsPerSec === null || row?.opsPerSec === undefined ? undefined : 1e6 / row.opsPerSec;
}

/** Each pass a row observed, in order. */
function passesOf(runs: Observations['runs']): PassObservation[] {
  const column = (name: keyof PassObservation): readonly number[] => runs[name] ?? [];
  const [firstRecord, ended, started] = [column('firstRecordMs'), column('endedMs'), column('runs')];
  return column('completeMs').map((completeMs, i) => ({
    firstRecordMs: firstRecord[i] ?? -1,
    completeMs,
    endedMs: ended[i] ?? completeMs,
    runs: started[i] ?? 1,
  }));
}

/** One line about a row of worker processes, set against the in-process µs a line (undefined when that row failed). */
function describeProcesses(row: MeasuredRow, inProcess: number | undefined, fromFiles: number | undefined): string {
  const name = row.impl;
  const runs = row.observations?.runs;
  const lines = row.operations;
  if (row.opsPerSec === null || runs === undefined || lines === null) return `${name}: no findings (the row failed)`;
  const passes = passesOf(runs);
  const timed = passes.filter((pass) => pass.firstRecordMs >= 0);
  if (timed.length === 0) return `${name}: no findings (no process said when its first record came)`;
  const start = median(timed.map((pass) => pass.firstRecordMs));
  const work = median(timed.map((pass) => ((pass.completeMs - pass.firstRecordMs) * 1000) / lines));
  const coldStart = row.observations?.cold['firstRecordMs'];
  const over = [
    ...(inProcess === undefined ? [] : [`${signed(work - inProcess)} over one thread in process`]),
    ...(fromFiles === undefined ? [] : [`${signed(work - fromFiles)} over one thread from and to files`]),
  ];
  const whole = 1e6 / row.opsPerSec;
  return (
    `${name}: start to first record ${seconds(start)}` +
    (coldStart === undefined || coldStart < 0 ? '' : ` (first pass ${seconds(coldStart)})`) +
    `; then ${us(work)} a line${over.length === 0 ? '' : ` (${over.join(', ')})`}` +
    `; the whole pass ${us(whole)} a line${inProcess === undefined ? '' : ` (${signed(whole - inProcess)})`}` +
    `; ${plural(median(passes.map((pass) => pass.runs)), 'run')} of the job a pass, the last process out ${seconds(median(passes.map((pass) => pass.endedMs - pass.completeMs)))} after "complete"` +
    ` (medians of ${plural(passes.length, 'pass')}, fresh processes each)`
  );
}

/**
 * The cluster case's findings: the in-process cost per line, then a line per number of processes.
 * @example
 * ```ts
 * clusterFindings(rows);
 * // ['cluster, in process on one thread: 6.0 µs a line from memory, 5.3 µs from and to files',
 * //  'sluice cluster, 2 worker processes: start to first record 0.29 s (first pass 0.25 s); then 16.0 µs a line (+10.0 µs over one thread in process, …); …']
 * ```
 */
export function clusterFindings(rows: readonly MeasuredRow[]): string[] {
  const inProcess = usPerLine(rows.find((row) => row.impl === IN_PROCESS));
  const fromFiles = usPerLine(rows.find((row) => row.impl === IN_PROCESS_FROM_FILES));
  const clusterRows = rows.filter((row) => row.impl.startsWith('sluice cluster, '));
  if (clusterRows.length === 0) return [];
  const baseline =
    inProcess === undefined && fromFiles === undefined
      ? 'cluster, in process: no baseline (its rows failed)'
      : `cluster, in process on one thread: ${inProcess === undefined ? 'n/a' : us(inProcess)} a line from memory, ${fromFiles === undefined ? 'n/a' : us(fromFiles)} from and to files`;
  return [baseline, ...clusterRows.map((row) => describeProcesses(row, inProcess, fromFiles))];
}
