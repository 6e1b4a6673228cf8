/**
 * The hunt's report: a markdown table with a row per bug (runs to find it per seed, for the kit
 * and the plain property, and the time per case of each) and a summary over every bug and seed —
 * median runs to find, and how many hunts found their bug within 50 and within 100 runs. A hunt
 * that found nothing counts as more runs than any that did. Pure.
 */
import type { BugHunt, Hunt } from './hunt-result.js';

/** Runs to find a bug, or `not found`. */
export function formatRuns(runs: number | undefined): string {
  return runs === undefined ? 'not found' : String(runs);
}

/** Milliseconds per case over every seed's search: total time over total runs. */
export function msPerCase(hunts: readonly Hunt[]): number {
  const cases = hunts.reduce((sum, h) => sum + h.cases, 0);
  return cases === 0 ? 0 : hunts.reduce((sum, h) => sum + h.ms, 0) / cases;
}

/**
 * The median of runs to find, a hunt that found nothing counting as infinitely many; the mean of
 * the two middle values for an even count. Undefined for no hunts.
 *
 * @example
 * ```ts
 * medianRuns([3, 9, undefined]); // 9
 * medianRuns([3, 9]); // 6
 * medianRuns([3, undefined]); // Infinity: half the hunts found nothing
 * ```
 */
export function medianRuns(runs: readonly (number | undefined)[]): number | undefined {
  if (runs.length === 0) return undefined;
  const sorted = runs.map((r) => r ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return sorted[middle];
  return ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The figures of the summary, for one way of hunting (the kit or the plain property). */
export interface HuntFigures {
  readonly hunts: number;
  readonly median: number | undefined;
  readonly within50: number;
  readonly within100: number;
}

/** Figures over every bug and seed of one way of hunting. */
export function huntFigures(hunts: readonly Hunt[]): HuntFigures {
  const within = (limit: number): number => hunts.filter((h) => h.runs !== undefined && h.runs <= limit).length;
  return { hunts: hunts.length, median: medianRuns(hunts.map((h) => h.runs)), within50: within(50), within100: within(100) };
}

/** A median in words: past every finding (half the hunts or more found nothing) it is more than the runs. */
function formatMedian(median: number | undefined, runs: number): string {
  if (median === undefined) return 'none';
  return Number.isFinite(median) ? String(median) : `more than ${runs}`;
}

/** The table, one row per bug; `seeds` heads the runs columns. */
export function renderHuntTable(results: readonly BugHunt[], seeds: readonly number[]): string {
  const runs = (hunts: readonly Hunt[]): string => hunts.map((h) => formatRuns(h.runs)).join(', ');
  const seedList = `seed${seeds.length === 1 ? '' : 's'} ${seeds.join(', ')}`;
  const lines = [
    `| bug | needs | kit runs (${seedList}) | plain runs (${seedList}) | kit ms/case | plain ms/case |`,
    '| --- | --- | --- | --- | ---: | ---: |',
  ];
  for (const r of results) {
    lines.push(`| ${r.name} | ${r.needs} | ${runs(r.kit)} | ${runs(r.plain)} | ${msPerCase(r.kit).toFixed(1)} | ${msPerCase(r.plain).toFixed(1)} |`);
  }
  return lines.join('\n');
}

/** The correct twins that failed, one line each; empty when every twin passed. */
export function brokenTwins(results: readonly BugHunt[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    if (!r.twin.kit.passed) lines.push(`BROKEN CORPUS: the correct twin of ${r.name} fails its kit check: ${r.twin.kit.failure ?? ''}`);
    if (!r.twin.plain.passed) lines.push(`BROKEN CORPUS: the correct twin of ${r.name} fails its plain property: ${r.twin.plain.failure ?? ''}`);
  }
  return lines;
}

/** The summary under the table, as markdown lines. */
export function renderSummary(results: readonly BugHunt[], limits: { readonly runs: number; readonly twinSeed: number }): string {
  const kit = huntFigures(results.flatMap((r) => r.kit));
  const plain = huntFigures(results.flatMap((r) => r.plain));
  const seeds = results[0]?.kit.length ?? 0;
  const twins = results.filter((r) => r.twin.kit.passed && r.twin.plain.passed).length;
  return [
    `- median runs to find: kit ${formatMedian(kit.median, limits.runs)}, plain ${formatMedian(plain.median, limits.runs)} ` +
      `(over ${kit.hunts} hunt${kit.hunts === 1 ? '' : 's'}: ${results.length} bug${results.length === 1 ? '' : 's'} × ${seeds} seed${seeds === 1 ? '' : 's'}; ` +
      `a hunt that found nothing in ${limits.runs} runs counts as more than any that did)`,
    `- found within 50 runs: kit ${kit.within50}/${kit.hunts}, plain ${plain.within50}/${plain.hunts}`,
    `- found within 100 runs: kit ${kit.within100}/${kit.hunts}, plain ${plain.within100}/${plain.hunts}`,
    `- correct twins passing their kit check and plain property (${limits.runs} runs, seed ${limits.twinSeed}): ${twins}/${results.length}`,
    ...brokenTwins(results).map((line) => `- ${line}`),
  ].join('\n');
}
