/**
 * keyed-actor: an actor whose state is a KeyedState of `keys` keys takes `messages` messages, each
 * updating one key (value = previous + 1), with the runtime's restart-point snapshots on (keyed
 * state: one every 1000 messages). The floor: the same updates on a plain Map in a loop. Keys are
 * drawn uniformly (every access a likely cache miss: the worst case) or Zipf-like (skewed, as real
 * keys are).
 */
import { createSystem, defineActor, KeyedState } from '../../src/index.js';
import { defineCase, type BenchCase } from '../harness/bench-case.js';
import { filledKeys, incrementInMap, keySequence, zipfKeySequence } from './key-sequence.js';

type Msg = number | 'sum';

/** Which keys the messages update: uniformly drawn, or Zipf-like. */
export type KeyDistribution = 'uniform' | 'zipf';

/**
 * The keyed-actor case for one key distribution, named `keyed-actor-<distribution>`: 2,000,000
 * messages over 1,000,000 keys (500,000 over 100,000 with `--quick`).
 */
export function keyedActorCase(distribution: KeyDistribution): BenchCase {
  return defineCase({
    name: `keyed-actor-${distribution}`,
    unit: 'messages',
    input(scale) {
      const keys = scale === 'quick' ? 100_000 : 1_000_000;
      const messages = scale === 'quick' ? 500_000 : 2_000_000;
      return { keys, sequence: distribution === 'uniform' ? keySequence(keys, messages) : zipfKeySequence(keys, messages) };
    },
    operations: ({ sequence }) => sequence.length,
    implementations: [
      {
        impl: 'plain Map loop',
        role: 'floor',
        create({ keys, sequence }) {
          let map = new Map<number, number>();
          return {
            prepare() {
              map = new Map(filledKeys(keys));
            },
            run: () => incrementInMap(map, sequence),
          };
        },
      },
      {
        impl: 'sluice actor, KeyedState',
        role: 'sluice',
        create({ keys, sequence }) {
          let state = new KeyedState<number, number>();
          return {
            prepare() {
              state = new KeyedState(filledKeys(keys));
            },
            async run() {
              // The checksum lives on an object: a captured `let` written per message costs the
              // handler a context-slot store that would be charged to the runtime.
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
          };
        },
      },
    ],
  });
}
