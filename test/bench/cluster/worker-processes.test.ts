/**
 * A pass of worker processes that goes wrong leaves nothing running: a process that exits with an
 * error, or a pass past its time, has every process killed and awaited, and its timer cleared,
 * before the pass rejects. Run from source (bin/sluice.js under tsx), the way the bench runs
 * unbuilt.
 */
import { describe, expect, it } from 'vitest';
import { freshJobId, natsUrl } from '../../../bench/cluster/nats-service.js';
import { runWorkerProcesses } from '../../../bench/cluster/worker-processes.js';

/** The kinds of resources keeping the event loop alive, counted. */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** Expects no more resources of any kind than `before` held. */
async function expectNoneLeft(before: Map<string, number>): Promise<void> {
  // A handle closed in this turn of the event loop leaves the list in its close phase, which comes
  // after the check phase that runs the first immediate: two turns.
  for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
  for (const [kind, count] of resources()) expect({ kind, count }).toEqual({ kind, count: Math.min(count, before.get(kind) ?? 0) });
}

describe('runWorkerProcesses', () => {
  it('rejects naming the process and quoting its standard error when one exits with an error, the others killed', async () => {
    const before = resources();
    const jobId = freshJobId();
    // No --output: each worker refuses its command line (exit 2) before it connects to NATS.
    const pass = runWorkerProcesses({ processes: 2, natsUrl: natsUrl(), jobId, jobArgs: ['--input', 'nowhere.jsonl'], timeoutMs: 60_000 });
    await expect(pass).rejects.toThrow(new RegExp(`^worker process w[12] of job ${jobId} exited 2:\\n[^]*--output`));
    await expectNoneLeft(before);
  }, 60_000);

  it('kills every process and rejects when the pass outlives its time', async () => {
    const before = resources();
    const jobId = freshJobId();
    // 300 ms: the processes are still starting, long before they could reach NATS.
    const pass = runWorkerProcesses({ processes: 3, natsUrl: natsUrl(), jobId, jobArgs: ['--input', 'in.jsonl', '--output', 'out.jsonl'], timeoutMs: 300 });
    await expect(pass).rejects.toThrow(`the 3 worker processes of job ${jobId} had not ended after 0.3 s: killed`);
    await expectNoneLeft(before);
  }, 60_000);
});
