/**
 * keyed-actor: an actor whose state is a KeyedState of `keys` keys takes `messages` messages, each
 * updating one key (value = previous + 1), with the runtime's restart-point snapshots on (keyed
 * state: one every 1000 messages). Baseline: the same updates on a plain Map in a loop. Keys are
 * drawn uniformly (every access a likely cache miss: the worst case) or Zipf-like (skewed, as real
 * keys are).
 */
import { createSystem, defineActor, KeyedState, MemorySnapshotStore } from '../../src/index.js';
import type { BenchCase } from '../measure.js';
import { incrementInMap, keySequence, zipfKeySequence } from './key-sequence.js';

type Msg = number | 'sum';

function filled(keys: number): Iterable<readonly [number, number]> {
  return Array.from({ length: keys }, (_, k) => [k, 0] as const);
}

export function keyedActorCase(keys: number, messages: number, distribution: 'uniform' | 'zipf'): BenchCase {
  const sequence = distribution === 'uniform' ? keySequence(keys, messages) : zipfKeySequence(keys, messages);
  let map = new Map<number, number>();
  let state = new KeyedState<number, number>();
  return {
    name: `keyed-actor-${distribution}`,
    unit: 'messages',
    operations: messages,
    implementations: [
      {
        impl: 'plain Map loop',
        baseline: true,
        prepare() {
          map = new Map(filled(keys));
        },
        run() {
          return incrementInMap(map, sequence);
        },
      },
      {
        impl: 'sluice actor, KeyedState',
        prepare() {
          state = new KeyedState(filled(keys));
        },
        async run() {
          // The checksum lives on an object: a captured `let` written per message costs the handler
          // a context-slot store that would be charged to the runtime.
          const acc = { sum: 0 };
          const system = createSystem({ name: 'bench' });
          const ref = system.spawn(
            defineActor<KeyedState<number, number>, Msg>({
              initialState: () => state,
              receive(state, key, ctx) {
                if (key === 'sum') {
                  ctx.reply(acc.sum);
                  return state;
                }
                acc.sum += state.update(key, (value = 0) => value + 1);
                return state;
              },
            }),
            { mailbox: { capacity: 4096 } },
          );
          for (let i = 0; i < sequence.length; i++) {
            const key = sequence[i] as number;
            if (!ref.tell(key)) await ref.send(key);
          }
          const total = await ref.ask<number>('sum');
          await system.shutdown();
          return total;
        },
      },
    ],
  };
}

/**
 * How long an actor holding `keys` keys stops processing to take one snapshot, and the longest
 * event-loop block while that snapshot is saved to a store (entries are encoded in chunks).
 */
export async function measureKeyedSnapshotPause(keys: number): Promise<{ captureMs: number; longestSaveBlockMs: number }> {
  const state = new KeyedState<number, number>(filled(keys));
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
  return { captureMs, longestSaveBlockMs: longest };
}
