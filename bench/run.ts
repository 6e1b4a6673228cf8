/**
 * `npm run bench [-- --quick] [-- --case NAME] [-- --json FILE] [-- --markdown FILE]`: compiles the
 * bench to JavaScript, runs every case, each implementation in a child process of its own under
 * plain node, and prints a table of median rates and
 * peak RSS with Sluice's ratio to the floor and each peer, then what cases found beyond their
 * rows (and which were skipped, and why), then the probes' findings (pauses, latencies,
 * http-fairness). Exits 1 when any row is a FAILURE (a wrong answer, a crash), 2 for a command
 * line it cannot run; a skipped case is not a failure.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { renderBenchmarks } from './report/benchmarks-markdown.js';
import { parseBenchArgs, USAGE, UsageError, type BenchOptions } from './harness/cli-options.js';
import { describeMachine } from './report/machine.js';
import { extractRun, type PreviousRun } from './report/recorded-run.js';
import { loadCases, loadProbes, PROBE_NAMES } from './registry.js';
import { compareRuns, describeComparison } from './report/regression.js';
import { steadyAgainstCold } from './report/steady-vs-cold.js';
import { failureLines, resultTable } from './report/result-table.js';
import { buildBenchEntries } from './harness/build-entries.js';
import { runBench } from './harness/run-bench.js';
import { selectCases, selectProbes } from './harness/selection.js';
import { renderTextTable } from './report/table.js';

function usageExit(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

let options: BenchOptions;
try {
  options = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) usageExit(error.message);
  throw error;
}
if (options.help) {
  console.log(USAGE);
  process.exit(0);
}

const allCases = await loadCases();
const cases = selectCases(allCases, options.case);
const probes = selectProbes(await loadProbes(), cases, options.case);
if (cases.length === 0 && probes.length === 0) {
  usageExit(
    `No benchmark case or probe named \`${options.case}\`. Cases: ${allCases.map((benchCase) => benchCase.name).join(', ')}; ` +
      `probes: ${PROBE_NAMES.join(', ')}`,
  );
}

// Read the earlier run before spending minutes on this one: a broken record stops us here.
let previous: PreviousRun | undefined;
if (options.markdown !== undefined && existsSync(options.markdown)) {
  try {
    previous = extractRun(readFileSync(options.markdown, 'utf8'));
  } catch (error) {
    usageExit(`Cannot read the earlier run in ${options.markdown}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// Children run the bench compiled to JavaScript under plain node: what a user's service runs.
await buildBenchEntries();

const machine = describeMachine();
const date = new Date().toISOString();
console.log(
  `${options.scale} run: ${machine.cpuModel} × ${machine.cores}, ${machine.memoryGiB} GiB, Node ${machine.node} (${machine.platform}); ` +
    'each implementation in its own child process (compiled, plain node); progress on stderr\n',
);

const run = await runBench({
  cases,
  probes,
  scale: options.scale,
  onProgress: (line) => console.error(`  ${line}`),
});

const failures = failureLines(run.results);
// A probe run alone (`--case http-fairness`) has no table.
if (run.results.length > 0) console.log(`\n${renderTextTable(resultTable(run.results))}`);
if (failures.length > 0) console.log(`\n${failures.join('\n')}`);
if (run.results.length > 0) console.log(`\n${steadyAgainstCold(run.results).join('\n')}`);
if (run.findings.length > 0) console.log(`\n${run.findings.join('\n')}`);
if (run.probes.length > 0) console.log(`\n${run.probes.join('\n')}`);
console.log(`\nidle child (loads the bench, does nothing): ${run.idleRssMb === null ? 'FAILURE' : `peak RSS ${run.idleRssMb.toFixed(0)} MB`}`);

if (options.json !== undefined) {
  // The contract: an array of entries with at least { case, impl, opsPerSec, peakRssMb }. A probe
  // measures no rate, so its entry has `opsPerSec: null` (as a FAILURE's does) and its findings.
  const probes = run.probeOutcomes.map(({ probe, summary, values }) => ({ case: probe, impl: 'probe', opsPerSec: null, peakRssMb: null, summary, values }));
  writeFileSync(options.json, `${JSON.stringify([...run.results, ...probes], null, 2)}\n`);
  console.log(`results written to ${options.json}`);
}
if (options.markdown !== undefined) {
  const comparison = previous === undefined ? undefined : compareRuns(previous.results, run.results);
  const described = describeComparison(previous, comparison);
  console.log(`\n${[described.summary, ...described.items].join('\n')}`);
  const recorded = { scale: options.scale, date, machine, results: run.results };
  writeFileSync(
    options.markdown,
    renderBenchmarks({
      run: recorded,
      plans: run.plans,
      interleaved: run.interleaved,
      idleRssMb: run.idleRssMb,
      findings: run.findings,
      probes: run.probes,
      previous: previous === undefined || comparison === undefined ? undefined : { run: previous, comparison },
    }),
  );
  console.log(`${options.markdown} written`);
}

process.exitCode = failures.length > 0 || run.probeFailures > 0 || run.idleRssMb === null ? 1 : 0;
