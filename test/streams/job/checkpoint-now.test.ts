import { describe, expect, it } from 'vitest';
import { CheckpointCoordinator } from '../../../src/streams/checkpoint/coordinator.js';
import { MemoryCheckpointStorage } from '../../../src/streams/checkpoint/memory-checkpoint-storage.js';
import type { RunCheckpoints } from '../../../src/streams/checkpoint/run-checkpoints.js';
import { checkpointNow } from '../../../src/streams/job/checkpoint-now.js';

/**
 * Checkpoints whose barrier the "driver" injects a few promise callbacks after the request, and
 * whose only partition and sink acknowledge a few more later: no timer, no I/O, no event loop turn.
 */
function checkpoints(): { readonly checkpoints: RunCheckpoints; readonly requests: number[] } {
  const coordinator = new CheckpointCoordinator({
    store: new MemoryCheckpointStorage(),
    keep: 2,
    sourceName: 'test',
    stages: [{ name: 'sum', partitions: 1, maxParallelism: 128 }],
    lastId: 4,
    commit: async () => undefined,
    now: () => 0,
    failed: (error) => {
      throw error;
    },
  });
  const requests: number[] = [];
  const later = async (turns: number): Promise<void> => {
    for (let i = 0; i < turns; i++) await Promise.resolve();
  };
  const made = {
    coordinator,
    get stats() {
      return coordinator.stats;
    },
    request() {
      requests.push(requests.length + 1);
      void later(3).then(() => {
        const { id } = coordinator.begin(10, Number.NEGATIVE_INFINITY, false);
        void later(3).then(() => {
          coordinator.snapshot(id, 0, 0, [['k', 1]], () => undefined);
          coordinator.preCommitted(id, null);
        });
      });
    },
  };
  return { checkpoints: made as unknown as RunCheckpoints, requests };
}

describe('checkpointNow', () => {
  it('resolves with the id of the checkpoint it asked for once that completes, without waiting for the event loop', async () => {
    const { checkpoints: target, requests } = checkpoints();
    let loopTurned = false;
    setImmediate(() => (loopTurned = true));
    const never = new Promise<void>(() => undefined);
    const id = await checkpointNow({ checkpoints: target, started: Promise.resolve(), over: never, ended: () => false });
    expect(id).toBe(5);
    expect(requests).toEqual([1]);
    expect(loopTurned).toBe(false);
  });

  it('rejects when the run ends before the checkpoint begins', async () => {
    const { checkpoints: target } = checkpoints();
    (target as unknown as { request: () => void }).request = () => undefined;
    let ended = false;
    let end!: () => void;
    const over = new Promise<void>((resolve) => (end = resolve));
    const asked = checkpointNow({ checkpoints: target, started: Promise.resolve(), over, ended: () => ended });
    ended = true;
    end();
    await expect(asked).rejects.toThrow(/a finished one/);
  });
});
