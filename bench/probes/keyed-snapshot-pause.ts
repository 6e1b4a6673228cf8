/**
 * keyed-snapshot-pause: how long an actor holding a million keys (100,000 with `--quick`) stops
 * processing to take one snapshot, and the longest event-loop block while that snapshot is saved
 * to a store (entries are encoded in chunks, so the block should stay short whatever the size).
 */
import { KeyedState, MemorySnapshotStore } from '../../src/index.js';
import { filledKeys } from '../cases/key-sequence.js';
import type { Probe } from '../harness/probe.js';

/** Runs with the keyed-actor cases, whose actor takes these snapshots. */
export const keyedSnapshotPauseProbe: Probe = {
  name: 'keyed-snapshot-pause',
  cases: ['keyed-actor-uniform', 'keyed-actor-zipf'],
  async run(scale) {
    const keys = scale === 'quick' ? 100_000 : 1_000_000;
    const state = new KeyedState<number, number>(filledKeys(keys));
    const started = performance.now();
    const view = state.snapshot();
    const captureMs = performance.now() - started;
    let longest = 0;
    let last = performance.now();
    let saving = true;
    const watch = (): void => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      if (saving) setImmediate(watch);
    };
    setImmediate(watch);
    await new MemorySnapshotStore().save('bench', { sequence: 1, meta: {}, entries: view });
    saving = false;
    view.release();
    return {
      summary:
        `keyed-actor snapshot at ${keys.toLocaleString('en-US')} keys: capture pauses the actor ${captureMs.toFixed(3)} ms; ` +
        `saving it blocks the event loop at most ${longest.toFixed(1)} ms at a time`,
      values: { keys, captureMs, longestSaveBlockMs: longest },
    };
  },
};
