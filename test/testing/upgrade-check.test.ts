/**
 * Upgrade checks: the kit runs a pipeline's version 1, kills it at a moment fast-check picks (among
 * the other faults it draws), resumes its next version from the last checkpoint with the state
 * migrated, and compares the output with the model told where the upgrade took hold. Correct
 * upgrades pass; a wrong migration, a forgotten one and a renamed stage are found.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pipeline, type Keyed } from '../../src/index.js';
import { assertPipeline, definePipelineCheck, describeFaults, PipelineCheckError, type PipelineIO, type UpgradeMoment } from '../../src/testing/index.js';

interface Chars {
  readonly count: number;
  readonly chars: number;
}

const words = fc.array(fc.constantFrom('a', 'bé', '日本語', 'ok'), { maxLength: 16 });
const length = (word: string): number => [...word].length;

/** Version 1: a count per word, emitted once the input ends. */
const countV1 = ({ source, sink, partitions }: PipelineIO<string, Keyed<string, Chars>>) =>
  pipeline(source)
    .keyBy((w) => w, { partitions: partitions ?? 2 })
    .reduce(
      (n: number) => n + 1,
      () => 0,
      { emit: 'final', id: 'count' },
    )
    .map(({ key, value }) => ({ key, value: { count: value, chars: -1 } }))
    .to(sink);

/** Version 2: `{ count, chars }` per word, migrating version 1's counts with `migrate`. */
const countV2 =
  (migrate: ((count: unknown, from: number, word: string) => Chars) | undefined, id = 'count') =>
  ({ source, sink, partitions }: PipelineIO<string, Keyed<string, Chars>>) =>
    pipeline(source)
      .keyBy((w) => w, { partitions: partitions ?? 2 })
      .reduce(
        (state: Chars, w) => ({ count: state.count + 1, chars: state.chars + length(w) }),
        (): Chars => ({ count: 0, chars: 0 }),
        { emit: 'final', id, stateVersion: 2, migrate },
      )
      .to(sink);

const rightMigration = (count: unknown, _from: number, word: string): Chars => ({ count: count as number, chars: length(word) * (count as number) });

function modelV2(input: readonly string[]): Keyed<string, Chars>[] {
  const totals = new Map<string, Chars>();
  for (const w of input) {
    const before = totals.get(w) ?? { count: 0, chars: 0 };
    totals.set(w, { count: before.count + 1, chars: before.chars + length(w) });
  }
  return [...totals].map(([key, value]) => ({ key, value }));
}

function upgradeCheck(next: (io: PipelineIO<string, Keyed<string, Chars>>) => ReturnType<typeof countV1>) {
  return definePipelineCheck({
    build: countV1,
    upgrade: { build: next },
    input: words,
    model: modelV2,
    compare: 'multiset',
    faults: { throws: true, crashes: true, rescale: true },
  });
}

describe('upgrade checks', () => {
  it('pass a correct migration, upgraded at any moment among crashes, throws and rescales', async () => {
    await assertPipeline(upgradeCheck(countV2(rightMigration)), { numRuns: 60, seed: 11 });
  });

  it('tell the model where the upgrade took hold, for a changelog whose early output is the old version’s', async () => {
    type Out = Keyed<string, number | Chars>;
    const seen: UpgradeMoment[] = [];
    const check = definePipelineCheck({
      build: ({ source, sink }: PipelineIO<string, Out>) =>
        pipeline(source)
          .keyBy((w) => w, { partitions: 2 })
          .reduce(
            (n: number) => n + 1,
            () => 0,
            { id: 'count' },
          )
          .to(sink),
      upgrade: {
        build: ({ source, sink }: PipelineIO<string, Out>) =>
          pipeline(source)
            .keyBy((w) => w, { partitions: 2 })
            .reduce(
              (state: Chars, w) => ({ count: state.count + 1, chars: state.chars + length(w) }),
              (): Chars => ({ count: 0, chars: 0 }),
              { id: 'count', stateVersion: 2, migrate: rightMigration },
            )
            .to(sink),
      },
      input: words,
      model: (input, _params, upgrade) => {
        if (upgrade !== undefined) seen.push(upgrade);
        const after = upgrade?.after ?? 0;
        const counts = new Map<string, number>();
        return input.map((w, i): Out => {
          const count = (counts.get(w) ?? 0) + 1;
          counts.set(w, count);
          return { key: w, value: i < after ? count : { count, chars: count * length(w) } };
        });
      },
      compare: 'per-key-order',
      keyOf: (out) => out.key,
      faults: { crashes: true },
    });
    await assertPipeline(check, { numRuns: 40, seed: 5 });
    expect(seen.length).toBeGreaterThan(30);
    expect(seen.some(({ after }) => after > 0)).toBe(true);
  });

  it('find a wrong migration, and say the upgrade in the case', async () => {
    const wrong = (count: unknown, _from: number, word: string): Chars => ({ count: count as number, chars: length(word) });
    const error = await assertPipeline(upgradeCheck(countV2(wrong)), { numRuns: 100, seed: 3 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineCheckError);
    expect((error as Error).message).toMatch(/its next version resumed from its last checkpoint/);
    expect((error as Error).message).toMatch(/replay: await assertPipeline/);
  });

  it('find a forgotten migration and a renamed stage, by the errors the run fails with', async () => {
    const forgotten = await assertPipeline(upgradeCheck(countV2(undefined)), { numRuns: 100, seed: 3 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(forgotten?.message).toMatch(/STATE_VERSION/);
    const renamed = await assertPipeline(upgradeCheck(countV2(rightMigration, 'totals')), { numRuns: 100, seed: 3 }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(renamed?.message).toMatch(/DROPPED_STATE/);
  });

  it('describe an upgrade point in words', () => {
    expect(describeFaults({ faults: [], delays: [], upgrade: { afterRecords: 3, steps: 2 } }, ['a', 'b', 'c', 'd'])).toBe(
      'the pipeline is killed after 3 records and 2 more steps, and its next version resumed from its last checkpoint',
    );
  });
});
