/**
 * BENCHMARKS.md, written whole from one run: how to rerun, the machine, the table, the probes, the
 * regressions against the run the file held before, and this run recorded for the next one to
 * compare with. No number in it is typed by hand. Pure.
 */
import type { RunPlan } from '../harness/bench-case.js';
import { embedRun, type PreviousRun, type RecordedRun } from './recorded-run.js';
import { describeComparison, REGRESSION_THRESHOLD, type Comparison } from './regression.js';
import { steadyAgainstCold } from './steady-vs-cold.js';
import { failureLines, resultTable } from './result-table.js';
import { renderMarkdownTable } from './table.js';

/** Everything BENCHMARKS.md is written from. */
export interface BenchmarksDocument {
  readonly run: RecordedRun;
  /** The run plan of each case in the run. */
  readonly plans: ReadonlyMap<string, RunPlan>;
  /** The cases whose children took turns (see `run-in-turns.ts`); none when absent. */
  readonly interleaved?: readonly string[] | undefined;
  /** Peak RSS of a child that loads the bench and does nothing; `null` if it failed. */
  readonly idleRssMb: number | null;
  /** What the cases found beyond their rows, and the cases skipped; none when absent. */
  readonly findings?: readonly string[] | undefined;
  /** One line per probe. */
  readonly probes: readonly string[];
  /** The run the file held before, if any, and how this one compares with it. */
  readonly previous?: { readonly run: PreviousRun; readonly comparison: Comparison } | undefined;
}

/**
 * "median of 7 timed runs after 3 warm-ups", naming the cases whose plan differs from the most
 * common one.
 *
 * @example
 * ```ts
 * describePlans(new Map([['a', { warmups: 3, runs: 7 }], ['b', { warmups: 1, runs: 3 }], ['c', { warmups: 3, runs: 7 }]]));
 * // 'median of 7 timed runs after 3 warm-ups (b: 3 after 1)'
 * ```
 */
export function describePlans(plans: ReadonlyMap<string, RunPlan>): string {
  const byPlan = new Map<string, { plan: RunPlan; names: string[] }>();
  for (const [name, plan] of plans) {
    const key = `${plan.runs}/${plan.warmups}`;
    byPlan.set(key, { plan, names: [...(byPlan.get(key)?.names ?? []), name] });
  }
  const [common, ...others] = [...byPlan.values()].sort((a, b) => b.names.length - a.names.length);
  if (common === undefined) return 'no runs';
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  const exceptions = others.map(({ plan, names }) => `${names.join(', ')}: ${plan.runs} after ${plan.warmups}`).join('; ');
  return `median of ${plural(common.plan.runs, 'timed run')} after ${plural(common.plan.warmups, 'warm-up')}` + (exceptions === '' ? '' : ` (${exceptions})`);
}

/**
 * The clause naming the cases whose children took turns; '' when none did.
 * @example
 * ```ts
 * describeTurns(['cpu-heavy']); // ' (for cpu-heavy, the children alive together, taking turns run by run, so a slow spell of the host falls on every row alike)'
 * ```
 */
export function describeTurns(interleaved: readonly string[]): string {
  if (interleaved.length === 0) return '';
  return ` (for ${interleaved.join(', ')}, the children alive together, taking turns run by run, so a slow spell of the host falls on every row alike)`;
}

/**
 * The whole of BENCHMARKS.md.
 *
 * @example
 * ```ts
 * writeFileSync('BENCHMARKS.md', renderBenchmarks({ run, plans, idleRssMb, probes, previous }));
 * ```
 */
export function renderBenchmarks(document: BenchmarksDocument): string {
  const { run, previous } = document;
  const { machine } = run;
  const comparison = describeComparison(previous?.run, previous?.comparison);
  const failures = failureLines(run.results);
  const otherMeasurements = [...(document.findings ?? []), ...document.probes];
  const scale =
    run.scale === 'full'
      ? 'full (`npm run bench -- --markdown BENCHMARKS.md`)'
      : 'quick: smaller inputs (`npm run bench -- --quick --markdown BENCHMARKS.md`), not the full sizes';
  return [
    '# Benchmarks',
    '',
    '<!-- Written by `npm run bench -- --markdown BENCHMARKS.md` (bench/run.ts): change the bench, not this file. -->',
    '',
    'Sluice against a plain single-threaded loop (the floor) and peers doing the same job, each',
    "implementation in a child process of its own. Every implementation's answer is checked against the",
    "floor's checksum: a wrong answer is a FAILURE, never a number. Sluice's ratio to a peer is its",
    "rate divided by the peer's (above 1: Sluice is faster); a Sluice row with checkpoints is also",
    "divided by the same job's row without them. The Nexmark cases run the queries of",
    "[bench/nexmark](bench/nexmark/README.md) over the same generated events: the floor is the query's",
    'model, a plain loop, and Sluice runs its pipeline with checkpoints every second.',
    '',
    '## Rerun',
    '',
    '```sh',
    'npm run bench                              # every case at full size: a few minutes',
    'npm run bench -- --quick                   # smaller inputs: about a minute',
    'npm run bench -- --case wordcount          # one case; keyed-actor, memory-bound or nexmark select every variant',
    "npm run bench -- --case http-fairness      # one probe: an HTTP server's latency beside a pipeline running flat out",
    'npm run bench -- --json results.json       # the results as a JSON array',
    'npm run bench -- --markdown BENCHMARKS.md  # rewrite this file, comparing with the run it holds',
    '```',
    '',
    '## Machine',
    '',
    `- CPU: ${machine.cpuModel}, ${machine.cores} cores`,
    `- memory: ${machine.memoryGiB} GiB`,
    `- Node: ${machine.node} (${machine.platform})`,
    `- date: ${run.date}`,
    `- run: ${scale}`,
    `- measured: ${describePlans(document.plans)} (the median rate, steady), and the first run in the fresh child timed as the cold rate; each implementation in its own child process${describeTurns(document.interleaved ?? [])}, running the bench compiled to JavaScript (esbuild) under plain node`,
    `- idle child: ${document.idleRssMb === null ? 'FAILURE' : `${document.idleRssMb.toFixed(0)} MB peak RSS`} (a child that loads the bench and does nothing; every peak RSS below includes it)`,
    '',
    'Rates move from one run to the next, more so on a shared or busy machine;',
    `the regressions below only call out drops of more than ${REGRESSION_THRESHOLD * 100}%.`,
    '',
    '## Results',
    '',
    renderMarkdownTable(resultTable(run.results)),
    ...(failures.length === 0 ? [] : ['', ...failures.map((line) => `- ${line}`)]),
    '',
    '## Steady against cold',
    '',
    ...steadyAgainstCold(run.results).map((line, index) => (index === 0 ? line : `- ${line}`)),
    '',
    '## Other measurements',
    '',
    ...(otherMeasurements.length === 0 ? ['None in this run.'] : otherMeasurements.map((line) => `- ${line}`)),
    '',
    '## Regressions',
    '',
    comparison.summary,
    ...(comparison.items.length === 0 ? [] : ['', ...comparison.items.map((line) => `- ${line}`)]),
    '',
    embedRun(run),
    '',
  ].join('\n');
}
