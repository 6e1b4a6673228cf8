/**
 * Entities against a model, as a property: whatever the order of tells and asks to a few entities,
 * explicit passivations, advances of time (idle passivations), a `maxActive` limit, the dispatcher's
 * interleaving of actors and a store whose saves take time, every ask is answered as one actor per
 * entity that was never passivated would answer it, nothing goes to dead letters, and no more than
 * `maxActive` entities are ever active.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySnapshotStore, spawnEntities, type Clock, type LoadResult, type Snapshot, type SnapshotStore } from '../../../src/index.js';
import { createTestKit } from '../../../src/testing/index.js';
import { add, tally, TOTAL } from './helpers.js';

const IDLE_MS = 100;
/** Long enough for any ask of a case, short enough that a lost one fails the case at the end. */
const ASK_MS = 100_000;
const IDS = ['a', 'b', 'c/1'] as const;

type Step =
  | { readonly kind: 'tell'; readonly id: string; readonly n: number }
  | { readonly kind: 'send'; readonly id: string; readonly n: number }
  | { readonly kind: 'ask'; readonly id: string }
  | { readonly kind: 'passivate'; readonly id: string }
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'settle' };

const idArb = fc.constantFrom(...IDS);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('tell' as const), id: idArb, n: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('send' as const), id: idArb, n: fc.integer({ min: 1, max: 9 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ask' as const), id: idArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('passivate' as const), id: idArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2 * IDLE_MS }) }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'settle' as const }) },
);

/** A memory store whose saves end `delayMs` later on `clock`: passivations that take time. */
class SlowStore implements SnapshotStore {
  readonly #inner = new MemorySnapshotStore();
  readonly #clock: Clock;
  readonly #delayMs: number;

  constructor(clock: Clock, delayMs: number) {
    this.#clock = clock;
    this.#delayMs = delayMs;
  }

  async save(key: string, snapshot: Snapshot): Promise<void> {
    if (this.#delayMs > 0) await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, this.#delayMs));
    await this.#inner.save(key, snapshot);
  }

  load(key: string): Promise<LoadResult> {
    return this.#inner.load(key);
  }

  delete(key: string): Promise<void> {
    return this.#inner.delete(key);
  }
}

describe('Entities (property)', () => {
  it('answers every ask as one never-passivated actor per entity would, losing nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(stepArb, { maxLength: 40 }),
        fc.constantFrom(1, 2, Infinity),
        fc.constantFrom(0, 30),
        fc.array(fc.nat(), { maxLength: 8 }),
        async (steps, maxActive, saveDelayMs, picks) => {
          const kit = createTestKit(picks.length === 0 ? {} : { picks });
          try {
            const store = new SlowStore(kit.clock, saveDelayMs);
            const entities = spawnEntities(kit.system, tally, { name: 'tallies', idleMs: IDLE_MS, maxActive, snapshot: { store } });
            const model = new Map<string, number>();
            const answers: Promise<unknown>[] = [];
            const expected: number[] = [];
            let sendsPending = 0;
            for (const step of steps) {
              switch (step.kind) {
                case 'tell':
                  expect(entities.tell(step.id, add(step.n))).toBe(true);
                  model.set(step.id, (model.get(step.id) ?? 0) + step.n);
                  break;
                case 'send':
                  sendsPending++;
                  void entities.send(step.id, add(step.n)).then(() => sendsPending--);
                  model.set(step.id, (model.get(step.id) ?? 0) + step.n);
                  break;
                case 'ask':
                  answers.push(entities.ask(step.id, TOTAL, { timeoutMs: ASK_MS }));
                  expected.push(model.get(step.id) ?? 0);
                  break;
                case 'passivate':
                  void entities.passivate(step.id);
                  break;
                case 'advance':
                  await kit.advance(step.ms);
                  break;
                case 'settle':
                  await kit.settle();
                  break;
              }
              const { active } = entities.metrics();
              expect(active).toBeLessThanOrEqual(maxActive);
            }
            // Every save in flight ends, every passivation completes.
            await kit.advance(10 * (IDLE_MS + saveDelayMs));
            for (const id of IDS) {
              answers.push(entities.ask(id, TOTAL, { timeoutMs: ASK_MS }));
              expected.push(model.get(id) ?? 0);
            }
            await kit.advance(2 * ASK_MS);
            expect(sendsPending).toBe(0);
            expect(await Promise.all(answers.map((answer) => answer.catch((error: unknown) => error)))).toEqual(expected);
            expect(kit.deadLetters).toEqual([]);
          } finally {
            await kit.shutdown();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
