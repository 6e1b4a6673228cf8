/**
 * Long-running hygiene: a pipeline fed continuously from a journal, with partitions restarting now
 * and then, checkpoints, truncation and live queries, in a child process of its own. After warm-up
 * the heap and RSS must not grow; after shutdown no handle or timer may be left, and the process
 * must exit by itself. 20 s by default; SLUICE_SOAK_SECONDS=600 for a longer soak.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../docs/markdown.js';

const run = promisify(execFile);
const seconds = Number(process.env['SLUICE_SOAK_SECONDS'] ?? '20');

interface Sample {
  at: number;
  heapMb: number;
  rssMb: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1] as number;
}

describe('soak', () => {
  it(
    `keeps heap and RSS flat after warm-up and leaves nothing behind (${seconds} s)`,
    async () => {
      const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/e2e/soak-child.ts', String(seconds)], {
        cwd: projectRoot,
        timeout: (seconds + 60) * 1000,
        maxBuffer: 16 * 1024 * 1024,
      });
      const report = JSON.parse(stdout) as {
        records: number;
        restarts: number;
        checkpoints: number;
        queries: number;
        journalStart: number;
        samples: Sample[];
        leftover: string[];
      };
      const { samples } = report;
      // Warm-up: the first quarter (JIT, mailboxes and key set filling up).
      const steady = samples.filter((s) => s.at >= seconds / 4);
      const third = Math.max(1, Math.floor(steady.length / 3));
      const early = steady.slice(0, third);
      const late = steady.slice(-third);
      const summary = {
        records: report.records,
        restarts: report.restarts,
        checkpoints: report.checkpoints,
        heapMb: [median(early.map((s) => s.heapMb)), median(late.map((s) => s.heapMb))],
        rssMb: [median(early.map((s) => s.rssMb)), median(late.map((s) => s.rssMb))],
      };
      console.info(`soak: ${JSON.stringify(summary)}`);

      expect(report.records).toBeGreaterThan(seconds * 10_000);
      expect(report.restarts).toBeGreaterThan(0);
      expect(report.checkpoints).toBeGreaterThanOrEqual(Math.floor(seconds / 2));
      expect(report.queries).toBeGreaterThan(0);
      expect(report.journalStart).toBeGreaterThan(0); // truncation kept up
      const [heapEarly, heapLate] = summary.heapMb as [number, number];
      const [rssEarly, rssLate] = summary.rssMb as [number, number];
      expect(heapLate, 'heap after warm-up').toBeLessThanOrEqual(heapEarly * 1.15 + 4);
      expect(rssLate, 'RSS after warm-up').toBeLessThanOrEqual(rssEarly * 1.15 + 16);
      expect(report.leftover, 'active resources after shutdown that were not there before').toEqual([]);
    },
    (seconds + 90) * 1000,
  );
});
