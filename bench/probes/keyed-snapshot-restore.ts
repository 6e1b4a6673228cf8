/**
 * keyed-snapshot-restore: the pause an actor holding a million keys (100,000 with `--quick`) takes
 * to snapshot its state, and to restore that snapshot after 10,000 keys were updated (restore costs
 * O(changes), not O(keys)): the median of 5 snapshot → update → restore → release cycles on one
 * state, after one untimed cycle.
 */
import { KeyedState } from '../../src/index.js';
import { filledKeys, keySequence } from '../cases/key-sequence.js';
import { median } from '../harness/median.js';
import type { Probe } from '../harness/probe.js';

const TRIALS = 5;

/** Runs with the keyed-state case, whose state it snapshots. */
export const keyedSnapshotRestoreProbe: Probe = {
  name: 'keyed-snapshot-restore',
  cases: ['keyed-state'],
  run(scale) {
    const keys = scale === 'quick' ? 100_000 : 1_000_000;
    const changes = Math.min(keys, 10_000);
    const state = new KeyedState<number, number>(filledKeys(keys));
    const sequence = keySequence(keys, changes);
    const snapshotMs: number[] = [];
    const restoreMs: number[] = [];
    for (let trial = 0; trial <= TRIALS; trial++) {
      let started = performance.now();
      const view = state.snapshot();
      const snapshotted = performance.now() - started;
      for (let i = 0; i < sequence.length; i++) state.set(sequence[i] as number, trial * changes + i + 1);
      started = performance.now();
      state.restore(view);
      const restored = performance.now() - started;
      view.release();
      // Trial 0 warms up the code paths and is not counted.
      if (trial > 0) {
        snapshotMs.push(snapshotted);
        restoreMs.push(restored);
      }
    }
    const snapshot = median(snapshotMs);
    const restore = median(restoreMs);
    return {
      summary:
        `keyed-state at ${keys.toLocaleString('en-US')} keys: a snapshot takes ${snapshot.toFixed(3)} ms; ` +
        `restoring it after ${changes.toLocaleString('en-US')} updates takes ${restore.toFixed(2)} ms (median of ${TRIALS})`,
      values: { keys, changes, snapshotMs: snapshot, restoreMs: restore },
    };
  },
};
