/**
 * Fairness, standalone: the `http-fairness` probe of `npm run bench` with every knob on the
 * command line, a line per round on stderr, and the maxima and event-loop delays in the report.
 * What it measures and how: bench/fairness/measure-fairness.ts.
 *
 *   npx tsx bench/http-fairness.ts [--seconds 3] [--rate 200] [--repeat 10] [--turn-budget-ms 5] [--json FILE]
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fairnessLines, percentile, summarizeFairness } from './fairness/fairness-report.js';
import { measureFairness } from './fairness/measure-fairness.js';

function positive(values: Record<string, string | boolean | undefined>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Expected \`--${name}\` to be a positive number, got \`${String(raw)}\``);
  return value;
}

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: true,
  options: {
    seconds: { type: 'string' },
    rate: { type: 'string' },
    repeat: { type: 'string' },
    'turn-budget-ms': { type: 'string' },
    json: { type: 'string' },
  },
});
const seconds = positive(values, 'seconds', 3);
const rate = positive(values, 'rate', 200);
const repeat = Math.round(positive(values, 'repeat', 10));
const turnBudgetMs = values['turn-budget-ms'] === undefined ? undefined : positive(values, 'turn-budget-ms', 5);
const settings = { rate, windowMs: seconds * 1000, turnBudgetMs };

const p99 = (latencies: readonly number[]): string =>
  percentile(
    [...latencies].sort((a, b) => a - b),
    0.99,
  ).toFixed(2);
const rounds = await measureFairness({
  ...settings,
  rounds: repeat,
  warmupMs: 500,
  onRound: (round, index) =>
    process.stderr.write(
      `round ${index}: p99 alone ${p99(round.alone.latencies)} / with pipeline ${p99(round.withPipeline.latencies)} ms; ` +
        `pipeline ${(round.soloRate / 1e6).toFixed(2)} → ${(round.sharedRate / 1e6).toFixed(2)} M records/s; ` +
        `event-loop delay p99 ${round.loopDelayAlone.toFixed(1)} → ${round.loopDelayWithPipeline.toFixed(1)} ms\n`,
    ),
});
const summary = summarizeFairness(rounds, settings);
process.stdout.write(`${fairnessLines(summary).join('\n')}\n`);
if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify(summary, null, 2)}\n`);
