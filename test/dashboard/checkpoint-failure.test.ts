/**
 * A checkpoint that cannot be written: the run publishes `checkpoint-failed` with the reason, fails
 * with it, and the dashboard's timeline shows the failure beside the checkpoints that completed.
 */
import { describe, expect, it } from 'vitest';
import type { JobView } from '../../src/dashboard/dashboard-view.js';
import { DashboardSampler } from '../../src/dashboard/sampler.js';
import {
  fromArray,
  MemoryCheckpointStorage,
  pipeline,
  toArray,
  type CheckpointFailedEvent,
  type CheckpointManifest,
  type PipelineHandle,
} from '../../src/index.js';

/** Memory checkpoints whose third manifest cannot be written. */
class FailingThirdManifest extends MemoryCheckpointStorage {
  #manifests = 0;
  override async writeManifest(manifest: CheckpointManifest): Promise<void> {
    if (++this.#manifests === 3) throw new Error('disk full');
    await super.writeManifest(manifest);
  }
}

describe('a failed checkpoint', () => {
  it('is published with its reason and shown on the dashboard timeline after the completed ones', async () => {
    const failures: CheckpointFailedEvent[] = [];
    let handle!: PipelineHandle;
    let read = 0;
    handle = pipeline(fromArray(Array.from({ length: 5_000 }, (_, i) => i)))
      .map((n: number) => {
        // A checkpoint every 500 records, asked for from inside the run: no timer involved.
        if (++read % 500 === 0) void handle.checkpoint().catch(() => undefined);
        return n;
      })
      .keyBy((n) => n % 4, { partitions: 2 })
      .reduce(
        (sum: number, n: number) => sum + n,
        () => 0,
      )
      .to(toArray())
      .run({ batchSize: 50, checkpoint: { storage: new FailingThirdManifest(), interval: Number.POSITIVE_INFINITY } });
    const sampler = new DashboardSampler({ handles: () => [handle], intervalMs: 3_600_000, title: 'failing' });
    handle.events.subscribe((event) => {
      if (event.type === 'checkpoint-failed') failures.push(event);
    });
    await expect(handle.done).rejects.toThrow('disk full');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ type: 'checkpoint-failed', id: 3 });
    const view = sampler.sample().jobs[0] as JobView;
    expect(view.checkpoints?.map((c) => [c.id, c.failure])).toEqual([
      [1, undefined],
      [2, undefined],
      [3, 'disk full'],
    ]);
    sampler.close();
  });
});
