/**
 * keyed-state: an actor holding `keys` keys updates one key per message (value = previous + 1), over
 * a fixed pseudo-random key sequence. Baseline: the same loop on a plain Map. KeyedState runs with
 * one view active, as the runtime always has one (the last snapshot, its restart point); a fresh
 * view is taken at the start of every run, so each run pays the undo recording of first writes
 * instead of finding every key already recorded by earlier runs.
 */
import { KeyedState, type KeyedStateView } from '../../src/state/keyed-state.js';
import { median, type BenchCase } from '../measure.js';
import { incrementInMap, keySequence } from './key-sequence.js';

/**
 * Σ c(k)² over the sequence, where c(k) is how often key k occurs. State persists across runs (the
 * warm-ups and timed runs reuse one map, as rebuilding a million keys would swamp the timing), so
 * in run r each key's values sit r·c(k) higher than in run 0 and the run's sum of new values is
 * higher by r·Σ c(k)². Subtracting that makes every run's checksum equal while it still depends on
 * each read returning the previous write.
 */
function sumOfSquaredCounts(keys: number, sequence: Uint32Array): number {
  const counts = new Uint32Array(keys);
  for (let i = 0; i < sequence.length; i++) counts[sequence[i] as number]! += 1;
  let sum = 0;
  for (let k = 0; k < keys; k++) sum += (counts[k] as number) ** 2;
  return sum;
}

/**
 * The keyed-state case: `updates` updates over `keys` keys, plain Map against KeyedState with one
 * view active. The states are built on first use, outside any timed run's loop but inside the
 * first (warm-up) run.
 */
export function keyedStateCase(keys: number, updates: number): BenchCase {
  const sequence = keySequence(keys, updates);
  const drift = sumOfSquaredCounts(keys, sequence);

  let map: Map<number, number> | undefined;
  let mapRuns = 0;
  let state: KeyedState<number, number> | undefined;
  let view: KeyedStateView<number, number> | undefined;
  let stateRuns = 0;

  return {
    name: 'keyed-state',
    unit: 'updates',
    operations: updates,
    implementations: [
      {
        impl: 'plain Map',
        baseline: true,
        run() {
          map ??= new Map(Array.from({ length: keys }, (_, k) => [k, 0] as const));
          return incrementInMap(map, sequence) - drift * mapRuns++;
        },
      },
      {
        impl: 'KeyedState (1 view active)',
        run() {
          state ??= new KeyedState(Array.from({ length: keys }, (_, k) => [k, 0] as const));
          view?.release();
          view = state.snapshot();
          let sum = 0;
          for (let i = 0; i < sequence.length; i++) {
            const key = sequence[i] as number;
            const value = (state.get(key) as number) + 1;
            state.set(key, value);
            sum += value;
          }
          return sum - drift * stateRuns++;
        },
      },
    ],
  };
}

/**
 * The pause an actor holding `keys` keys takes to snapshot its state, and to restore that snapshot
 * after `changes` keys were updated (restore costs O(changes), not O(keys)): the median of
 * `trials` snapshot → update → restore → release cycles on one state, after one untimed cycle.
 *
 * @param changes - keys updated between each snapshot and its restore.
 * @defaultValue changes - `min(keys, 10_000)`; trials - 5
 * @example
 * ```ts
 * measureSnapshotPause(1_000_000); // { snapshotMs: 0.01, restoreMs: 1.2 }
 * ```
 */
export function measureSnapshotPause(
  keys: number,
  changes: number = Math.min(keys, 10_000),
  trials = 5,
): { snapshotMs: number; restoreMs: number } {
  const state = new KeyedState<number, number>(Array.from({ length: keys }, (_, k) => [k, 0] as const));
  const sequence = keySequence(keys, changes);
  const snapshotMs: number[] = [];
  const restoreMs: number[] = [];
  for (let trial = 0; trial <= trials; trial++) {
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
  return { snapshotMs: median(snapshotMs), restoreMs: median(restoreMs) };
}
