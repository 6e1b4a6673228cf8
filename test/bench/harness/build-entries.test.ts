/**
 * The compiled bench runs job modules on worker threads under plain node: each job module is built
 * as a file of its own, which a worker thread imports by its URL and finds its job in.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BENCH_BUILD_ENV, BENCH_JOB_MODULES, jobModuleUrl } from '../../../bench/harness/bench-entry.js';
import { buildBenchEntries } from '../../../bench/harness/build-entries.js';
import { runInChild } from '../../../bench/harness/run-in-child.js';
import { runInTurns } from '../../../bench/harness/run-in-turns.js';
import { loadCase } from '../../../bench/registry.js';

// Inside the project, so the build's packages resolve from its node_modules.
const OUT_DIR = fileURLToPath(new URL(`../../../node_modules/.cache/sluice-bench-test-${randomUUID()}`, import.meta.url));

describe('buildBenchEntries', () => {
  const previous = process.env[BENCH_BUILD_ENV];
  beforeAll(async () => {
    await buildBenchEntries(OUT_DIR);
  }, 60_000);
  afterAll(() => {
    if (previous === undefined) delete process.env[BENCH_BUILD_ENV];
    else process.env[BENCH_BUILD_ENV] = previous;
    rmSync(OUT_DIR, { recursive: true, force: true });
  });

  it('builds each job module as a file of its own that defines its job at its own URL', () => {
    for (const module of BENCH_JOB_MODULES) {
      const url = jobModuleUrl(module);
      expect(url).toBe(`file://${join(OUT_DIR, `${module}.js`)}`);
      const file = fileURLToPath(url);
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toMatch(/defineJob\(\s*import\.meta\.url/);
    }
  });

  it.each([
    ['cpu-heavy', 'sluice, 2 workers'],
    ['wordcount', 'sluice pipeline, 4 partitions, 2 workers'],
  ])(
    'runs %s / %s on worker threads in a child under plain node, with the floor’s answer',
    async (name, impl) => {
      const report = await runInChild({ kind: 'case', case: name, impl, scale: 'quick' }, 90_000);
      if (report.kind !== 'case') throw new Error(`the child failed: ${JSON.stringify(report)}`);
      const floor = await (await loadCase(name)).load('plain loop', 'quick').runner.run();
      expect([report.coldChecksum, ...report.checksums]).toEqual([floor, floor, floor, floor]);
    },
    120_000,
  );

  it('runs the children of a case side by side taking turns, each with the floor’s answer on every run', async () => {
    const impls = ['plain loop', 'sluice pipeline, 4 partitions'];
    const reports = await runInTurns(
      impls.map((impl) => ({ kind: 'case', case: 'wordcount-records', impl, scale: 'quick' }) as const),
      90_000,
    );
    const floor = await (await loadCase('wordcount-records')).load('plain loop', 'quick').runner.run();
    for (const report of reports) {
      if (report.kind !== 'case') throw new Error(`a child failed: ${JSON.stringify(report)}`);
      expect([report.coldChecksum, ...report.checksums]).toEqual([floor, floor, floor, floor]);
    }
  }, 120_000);
});
