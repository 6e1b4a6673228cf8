/**
 * `npm run hunt [-- --bug NAME] [-- --seeds 1,2,3] [-- --json FILE]`: for each planted bug of the
 * corpus and each seed, how many runs `sluice/testing`'s check and a plain fast-check property
 * each take to find the bug (first failure, before shrinking; at most 100 runs), and the time per
 * case; then whether each correct twin passes both over 100 runs on seed 1. Prints a markdown table
 * and a summary. Exits 1 when a correct twin fails (the corpus is broken), 2 for a command line it
 * cannot run.
 */
import { writeFileSync } from 'node:fs';
import { CORPUS } from './corpus.js';
import { HUNT_RUNS, huntBug, TWIN_SEED } from './hunt-bug.js';
import { UsageError } from '../harness/cli-options.js';
import { parseHuntArgs, USAGE, type HuntOptions } from './hunt-options.js';
import type { BugHunt } from './hunt-result.js';
import { brokenTwins, huntFigures, renderHuntTable, renderSummary } from './hunt-table.js';

let options: HuntOptions;
try {
  options = parseHuntArgs(
    process.argv.slice(2),
    CORPUS.map((bug) => bug.name),
  );
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`npm run hunt: ${error.message}`);
  process.exit(2);
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const bugs = CORPUS.filter((bug) => options.bug === undefined || bug.name === options.bug);
const results: BugHunt[] = [];
for (const bug of bugs) results.push(await huntBug(bug, options.seeds, (line) => console.error(line)));

console.log(renderHuntTable(results, options.seeds));
console.log();
console.log(renderSummary(results, { runs: HUNT_RUNS, twinSeed: TWIN_SEED }));

if (options.json !== undefined) {
  const summary = {
    kit: huntFigures(results.flatMap((r) => r.kit)),
    plain: huntFigures(results.flatMap((r) => r.plain)),
  };
  // A hunt that found nothing has runs null; JSON has no Infinity, so a median past every finding is null too.
  const finite = (key: string, value: unknown): unknown =>
    (key === 'runs' && value === undefined) || (typeof value === 'number' && !Number.isFinite(value)) ? null : value;
  writeFileSync(options.json, `${JSON.stringify({ runs: HUNT_RUNS, seeds: options.seeds, twinSeed: TWIN_SEED, bugs: results, summary }, finite, 2)}\n`);
}

process.exitCode = brokenTwins(results).length > 0 ? 1 : 0;
