/**
 * memory-bound: the same pipeline over 1M and 10M records into a slow sink, each run in a child
 * process of its own so peak RSS is the run's alone. Bounded mailboxes mean the peak should not
 * grow with the record count.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const child = fileURLToPath(new URL('./memory-child.ts', import.meta.url));

export interface MemoryRun {
  readonly records: number;
  readonly written: number;
  readonly peakRssMb: number;
  readonly recordsPerSec: number;
}

export async function measureMemoryBound(counts: readonly number[]): Promise<MemoryRun[]> {
  const runs: MemoryRun[] = [];
  for (const records of counts) {
    const { stdout } = await exec(process.execPath, ['--import', 'tsx', child, String(records)], { maxBuffer: 1 << 20 });
    const run = JSON.parse(stdout) as MemoryRun;
    if (run.written !== records) throw new Error(`memory-bound: ${records} records in, ${run.written} written`);
    runs.push(run);
  }
  return runs;
}
