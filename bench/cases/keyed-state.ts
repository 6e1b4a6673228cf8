/**
 * keyed-state: an actor holding `keys` keys updates one key per message (value = previous + 1), over
 * a fixed pseudo-random key sequence. The floor: the same loop on a plain Map. KeyedState runs with
 * one view active, as the runtime always has one (the last snapshot, its restart point); a fresh
 * view is taken at the start of every run, so each run pays the undo recording of first writes
 * instead of finding every key already recorded by earlier runs.
 */
import { KeyedState, type KeyedStateView } from '../../src/state/keyed-state.js';
import { defineCase } from '../harness/bench-case.js';
import { filledKeys, incrementInMap, keySequence } from './key-sequence.js';

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

interface Input {
  readonly keys: number;
  readonly sequence: Uint32Array;
  readonly drift: number;
}

/**
 * The keyed-state case: 2,000,000 updates over 1,000,000 keys (500,000 over 100,000 with
 * `--quick`). The states are built on first use, outside any timed run's loop but inside the first
 * (warm-up) run.
 */
export const keyedStateCase = defineCase({
  name: 'keyed-state',
  unit: 'updates',
  input(scale): Input {
    const keys = scale === 'quick' ? 100_000 : 1_000_000;
    const sequence = keySequence(keys, scale === 'quick' ? 500_000 : 2_000_000);
    return { keys, sequence, drift: sumOfSquaredCounts(keys, sequence) };
  },
  operations: ({ sequence }) => sequence.length,
  implementations: [
    {
      impl: 'plain Map',
      role: 'floor',
      create({ keys, sequence, drift }) {
        let map: Map<number, number> | undefined;
        let runs = 0;
        return {
          run() {
            map ??= new Map(filledKeys(keys));
            return incrementInMap(map, sequence) - drift * runs++;
          },
        };
      },
    },
    {
      impl: 'KeyedState (1 view active)',
      role: 'sluice',
      create({ keys, sequence, drift }) {
        let state: KeyedState<number, number> | undefined;
        let view: KeyedStateView<number, number> | undefined;
        let runs = 0;
        return {
          run() {
            state ??= new KeyedState(filledKeys(keys));
            view?.release();
            view = state.snapshot();
            let sum = 0;
            for (let i = 0; i < sequence.length; i++) {
              const key = sequence[i] as number;
              const value = (state.get(key) as number) + 1;
              state.set(key, value);
              sum += value;
            }
            return sum - drift * runs++;
          },
        };
      },
    },
  ],
});
