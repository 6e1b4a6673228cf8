/**
 * The cluster case at a tiny size, as `npm run bench` runs it: the bench built first, so the worker
 * processes run the built `sluice` command on the built job module. Needs NATS and the NATS client
 * packages; skipped with a printed reason without them.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterBenchCase, clusterCase } from '../../../bench/cases/cluster.js';
import { natsUnavailable, NATS_URL_ENV } from '../../../bench/cluster/nats-service.js';
import { BENCH_BUILD_ENV } from '../../../bench/harness/bench-entry.js';
import { buildBenchEntries } from '../../../bench/harness/build-entries.js';
import { measure } from '../../../bench/harness/measure.js';
import type { ChildReport } from '../../../bench/harness/child-protocol.js';
import { judgeCase } from '../../../bench/report/bench-result.js';
import { connectNats } from '../../../src/nats/connect-nats.js';
import { natsClient } from '../../../src/nats/nats-peer.js';
import { checkNats } from '../../helpers/services.js';

const nats = await checkNats();
/** Whether the NATS client packages the workers load are installed: they are optional peer dependencies. */
const packagesInstalled = await natsClient().then(
  () => true,
  () => false,
);
/** Why the case cannot run though NATS answers (the workers' NATS packages are missing), said as a skip is. */
const unavailable = nats.url === undefined ? nats.skipped : await natsUnavailable();
if (nats.url !== undefined && unavailable !== undefined) {
  if (process.env['SLUICE_REQUIRE_SERVICES'] === '1') throw new Error(`SLUICE_REQUIRE_SERVICES=1 but the cluster case cannot run: ${unavailable}`);
  console.warn(`skipping the cluster case's run: ${unavailable}`);
}
const LINES = 2_000;
const PROCESS_ROWS = ['sluice cluster, 1 worker process', 'sluice cluster, 2 worker processes', 'sluice cluster, 3 worker processes'];

/** The streams of the bench's cluster jobs (their buckets) on the server now. */
async function benchJobStreams(nc: NatsConnection): Promise<string[]> {
  const names: string[] = [];
  for await (const name of (await jetstreamManager(nc)).streams.names()) if (name.includes('sluice-bench-cluster-')) names.push(name);
  return names.sort();
}

describe('clusterBenchCase', () => {
  it('has the rows read by name from outside: the floor, one thread in process from memory and from files, then 1, 2 and 3 worker processes', () => {
    expect(clusterBenchCase.implementations).toEqual([
      { impl: 'plain loop', role: 'floor' },
      { impl: 'sluice, 1 worker', role: 'sluice' },
      { impl: 'sluice, 1 worker, file to file', role: 'sluice', compareWith: ['sluice, 1 worker'] },
      ...PROCESS_ROWS.map((impl) => ({ impl, role: 'sluice', compareWith: ['sluice, 1 worker', 'sluice, 1 worker, file to file'] })),
    ]);
    expect(clusterBenchCase.plan('full')).toEqual({ warmups: 1, runs: 5 });
  });

  it.skipIf(!packagesInstalled)('is unavailable, saying why and what to set, when NATS does not answer', async () => {
    const previous = process.env[NATS_URL_ENV];
    // Port 1 on this host: nothing listens there.
    process.env[NATS_URL_ENV] = 'nats://127.0.0.1:1';
    try {
      expect(await natsUnavailable()).toMatch(/^NATS does not answer at nats:\/\/127\.0\.0\.1:1 \(set SLUICE_NATS_URL to another address/);
      expect(await clusterBenchCase.unavailable()).toMatch(/^NATS does not answer/);
    } finally {
      if (previous === undefined) delete process.env[NATS_URL_ENV];
      else process.env[NATS_URL_ENV] = previous;
    }
  });

  it.skipIf(packagesInstalled)('is unavailable, naming the packages to install, when the NATS client packages are missing', async () => {
    expect(await clusterBenchCase.unavailable()).toMatch(/^the worker processes cannot run here: .* npm install @nats-io\//);
  });
});

describe.skipIf(unavailable !== undefined)('clusterCase at 2,000 lines, against NATS', () => {
  // Inside the project, so the build's packages resolve from its node_modules.
  const outDir = fileURLToPath(new URL(`../../../node_modules/.cache/sluice-bench-test-${randomUUID()}`, import.meta.url));
  const previousBuild = process.env[BENCH_BUILD_ENV];
  let nc: NatsConnection;

  beforeAll(async () => {
    await buildBenchEntries(outDir);
    nc = await connectNats({ servers: nats.url as string });
  }, 60_000);
  afterAll(async () => {
    if (previousBuild === undefined) delete process.env[BENCH_BUILD_ENV];
    else process.env[BENCH_BUILD_ENV] = previousBuild;
    rmSync(outDir, { recursive: true, force: true });
    await nc?.close();
  });

  it('runs every row to the floor’s totals, observes each pass of worker processes, finds a cost per line for each, and leaves no job, file or process behind', async () => {
    const tiny = clusterCase({ lines: { quick: LINES, full: LINES }, plans: { quick: { warmups: 0, runs: 1 }, full: { warmups: 0, runs: 1 } } });
    const streamsBefore = await benchJobStreams(nc);
    const reports = new Map<string, ChildReport>();
    for (const { impl } of tiny.implementations) {
      const { operations, runner } = tiny.load(impl, 'quick');
      expect(operations).toBe(LINES);
      reports.set(impl, { kind: 'case', operations, peakRssMb: 0, ...(await measure(runner, operations, tiny.plan('quick'))) });
    }
    const rows = judgeCase(tiny, reports);
    expect(rows.map(({ impl, error }) => ({ impl, error }))).toEqual(tiny.implementations.map(({ impl }) => ({ impl, error: null })));
    for (const row of rows) expect(row.opsPerSec).toBeGreaterThan(0);

    for (const impl of PROCESS_ROWS) {
      const observations = rows.find((row) => row.impl === impl)?.observations;
      const first = (name: string): number => observations?.runs[name]?.[0] ?? Number.NaN;
      const [firstRecordMs, completeMs, endedMs, runs] = [first('firstRecordMs'), first('completeMs'), first('endedMs'), first('runs')];
      expect({ impl, firstRecordMs }).toEqual({ impl, firstRecordMs: expect.any(Number) });
      expect(firstRecordMs).toBeGreaterThan(0);
      expect(completeMs).toBeGreaterThan(firstRecordMs);
      expect(endedMs).toBeGreaterThanOrEqual(completeMs);
      expect(runs).toBeGreaterThanOrEqual(1);
      expect(observations?.cold).toEqual({ firstRecordMs, completeMs, endedMs, runs });
    }

    const findings = tiny.findings(rows);
    expect(findings).toHaveLength(4);
    expect(findings[0]).toMatch(/^cluster, in process on one thread: \d+\.\d µs a line from memory, \d+\.\d µs from and to files$/);
    for (const [i, impl] of PROCESS_ROWS.entries()) {
      expect(findings[i + 1]).toMatch(
        new RegExp(`^${impl}: start to first record \\d+\\.\\d\\d s .*; then \\d+\\.\\d µs a line \\([+−]\\d+\\.\\d µs over one thread in process`),
      );
    }

    expect(await benchJobStreams(nc)).toEqual(streamsBefore);
    expect(readdirSync(tmpdir()).filter((entry) => entry.startsWith('sluice-bench-cluster-'))).toEqual([]);
    // Every worker process exited (its handle leaves the list in the close phase after the check phase: two turns).
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    expect(process.getActiveResourcesInfo().filter((kind) => kind === 'ProcessWrap')).toEqual([]);
  }, 120_000);
});
