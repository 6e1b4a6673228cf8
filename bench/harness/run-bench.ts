/**
 * The parent's side of a run: every implementation of every selected case, then every probe, then
 * an idle child, one child process at a time (an interleaved case's children alive together, taking
 * turns run by run), judged against the floors. The parent itself does no
 * measured work, so its own memory and JIT state touch no number. A case that says it cannot run
 * here (a service it needs is away) is skipped, with its reason, before any of its children start.
 */
import type { BenchCase, RunPlan, Scale } from './bench-case.js';
import { judgeCase, type BenchResult } from '../report/bench-result.js';
import type { ChildReport } from './child-protocol.js';
import type { Probe } from './probe.js';
import { formatRate } from '../report/result-table.js';
import { runInChild } from './run-in-child.js';
import { runInTurns } from './run-in-turns.js';

/** How long one child may run before it is killed and its row is a FAILURE. */
const CHILD_TIMEOUT_MS: Readonly<Record<Scale, number>> = { quick: 120_000, full: 900_000 };

/** What {@link runBench} runs. */
export interface RunBenchOptions {
  readonly cases: readonly BenchCase[];
  readonly probes: readonly Probe[];
  readonly scale: Scale;
  /** Called with one line as each child finishes: a full run takes minutes. */
  readonly onProgress: (line: string) => void;
}

/** One probe's outcome as `--json` records it: its finding's numbers, or `null` when it failed. */
export interface ProbeOutcome {
  readonly probe: string;
  /** The finding's summary, or the FAILURE line. */
  readonly summary: string;
  readonly values: Readonly<Record<string, number>> | null;
}

/** What a run found. */
export interface BenchRun {
  readonly results: readonly BenchResult[];
  /** What the cases found beyond their rows (see `CaseSpec.findings`), and each case skipped, with why. */
  readonly findings: readonly string[];
  /** One line per probe: its summary, or a FAILURE line. */
  readonly probes: readonly string[];
  /** Each probe's outcome with its numbers, in the same order. */
  readonly probeOutcomes: readonly ProbeOutcome[];
  readonly probeFailures: number;
  /** Peak RSS of a child that loads the bench and does nothing; `null` if it failed. */
  readonly idleRssMb: number | null;
  /** The run plan each case used. */
  readonly plans: ReadonlyMap<string, RunPlan>;
  /** The cases whose children took turns. */
  readonly interleaved: readonly string[];
}

/**
 * Runs the selected cases and probes, each implementation and probe in a child process of its own.
 *
 * @example
 * ```ts
 * const run = await runBench({ cases: CASES, probes: PROBES, scale: 'quick', onProgress: console.error });
 * ```
 */
export async function runBench(options: RunBenchOptions): Promise<BenchRun> {
  const timeoutMs = CHILD_TIMEOUT_MS[options.scale];
  const results: BenchResult[] = [];
  const findings: string[] = [];
  for (const benchCase of options.cases) {
    const unavailable = await benchCase.unavailable();
    if (unavailable !== undefined) {
      findings.push(`${benchCase.name}: skipped, ${unavailable}`);
      options.onProgress(`${benchCase.name}: skipped, ${unavailable}`);
      continue;
    }
    const reports = await runCase(benchCase, options, timeoutMs);
    const judged = judgeCase(benchCase, reports);
    results.push(...judged);
    findings.push(...benchCase.findings(judged));
  }

  const probes: string[] = [];
  const probeOutcomes: ProbeOutcome[] = [];
  let probeFailures = 0;
  for (const probe of options.probes) {
    const started = performance.now();
    const report = await runInChild({ kind: 'probe', probe: probe.name, scale: options.scale }, timeoutMs);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const line = report.kind === 'probe' ? report.finding.summary : `FAILURE probe ${probe.name}: ${describeReport(report, '')}`;
    if (report.kind !== 'probe') probeFailures++;
    probes.push(line);
    probeOutcomes.push({ probe: probe.name, summary: line, values: report.kind === 'probe' ? report.finding.values : null });
    options.onProgress(`${probe.name}: ${line} (child ran ${seconds} s)`);
  }

  const idle = await runInChild({ kind: 'idle' }, timeoutMs);
  options.onProgress(`idle child: ${describeReport(idle, '')}`);

  return {
    results,
    findings,
    probes,
    probeOutcomes,
    probeFailures,
    idleRssMb: idle.kind === 'idle' ? idle.peakRssMb : null,
    plans: new Map(options.cases.map((benchCase) => [benchCase.name, benchCase.plan(options.scale)])),
    interleaved: options.cases.filter((benchCase) => benchCase.interleaved).map((benchCase) => benchCase.name),
  };
}

/**
 * Runs every implementation of `benchCase`, one child after another or, for an interleaved case,
 * side by side taking turns; reports progress as each child ends (or, taking turns, once all have).
 */
async function runCase(benchCase: BenchCase, options: RunBenchOptions, timeoutMs: number): Promise<Map<string, ChildReport>> {
  const reports = new Map<string, ChildReport>();
  const tasks = benchCase.implementations.map(({ impl }) => ({ kind: 'case', case: benchCase.name, impl, scale: options.scale }) as const);
  const progress = (impl: string, report: ChildReport, started: number, what: string): void => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    options.onProgress(`${benchCase.name} / ${impl}: ${describeReport(report, benchCase.unit)} (${what} ${seconds} s)`);
  };
  if (benchCase.interleaved) {
    const started = performance.now();
    const all = await runInTurns(tasks, timeoutMs);
    tasks.forEach(({ impl }, index) => {
      const report = all[index] as ChildReport;
      reports.set(impl, report);
      progress(impl, report, started, 'children took turns for');
    });
    return reports;
  }
  for (const task of tasks) {
    const started = performance.now();
    const report = await runInChild(task, timeoutMs);
    reports.set(task.impl, report);
    progress(task.impl, report, started, 'child ran');
  }
  return reports;
}

/** A child's report in a few words, for progress lines: not yet judged against the floor. */
function describeReport(report: ChildReport, unit: string): string {
  switch (report.kind) {
    case 'case':
      return `cold ${formatRate(report.coldRate)}, then ${report.rates.map((rate) => formatRate(rate)).join(', ')} ${unit}/s; peak RSS ${report.peakRssMb.toFixed(0)} MB`;
    case 'probe':
      return report.finding.summary;
    case 'idle':
      return `peak RSS ${report.peakRssMb.toFixed(0)} MB`;
    case 'error':
      return report.message;
  }
}
