/**
 * Upgrade checks: the kit runs a pipeline's version 1 and, at a moment fast-check picks (among the
 * other faults it draws), takes it to its next version with the state migrated — by a kill and a
 * resume from the last checkpoint, or by a live swap (`handle.upgrade`) at a checkpoint taken
 * there — and compares the output with the model told where the upgrade took hold. Correct
 * upgrades pass either way; a wrong migration, a forgotten one and a renamed stage are found, and
 * a next version that cannot start live is reported with the old version going on.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DroppedStateError, InvalidOptionError, pipeline, UpgradeFailedError, type Keyed } from '../../src/index.js';
import {
  assertPipeline,
  DEFAULT_SCHEDULE,
  definePipelineCheck,
  describeFaults,
  PipelineCheckError,
  upgradePointArb,
  type FaultPlan,
  type PipelineCase,
  type PipelineIO,
  type UpgradeMode,
  type UpgradeMoment,
} from '../../src/testing/index.js';

interface Chars {
  readonly count: number;
  readonly chars: number;
}

const words = fc.array(fc.constantFrom<string>('a', 'bé', '日本語', 'ok'), { maxLength: 16 });
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

function upgradeCheck(next: (io: PipelineIO<string, Keyed<string, Chars>>) => ReturnType<typeof countV1>, how?: UpgradeMode) {
  return definePipelineCheck({
    build: countV1,
    upgrade: { build: next, how },
    input: words,
    model: modelV2,
    compare: 'multiset',
    faults: { throws: true, crashes: true, rescale: true },
  });
}

/** The changelog's version 1: a running count per word. */
const changelogV1 = ({ source, sink }: PipelineIO<string, Keyed<string, number | Chars>>) =>
  pipeline(source)
    .keyBy((w) => w, { partitions: 2 })
    .reduce(
      (n: number) => n + 1,
      () => 0,
      { id: 'count' },
    )
    .to(sink);

/** The changelog's version 2: a running `{ count, chars }` per word, version 1's counts migrated. */
const changelogV2 = ({ source, sink }: PipelineIO<string, Keyed<string, number | Chars>>) =>
  pipeline(source)
    .keyBy((w) => w, { partitions: 2 })
    .reduce(
      (state: Chars, w) => ({ count: state.count + 1, chars: state.chars + length(w) }),
      (): Chars => ({ count: 0, chars: 0 }),
      { id: 'count', stateVersion: 2, migrate: rightMigration },
    )
    .to(sink);

/** Version 1's output for the first `after` records, version 2's for the rest. */
function changelogModel(input: readonly string[], upgrade: UpgradeMoment | undefined): Keyed<string, number | Chars>[] {
  const after = upgrade?.after ?? 0;
  const counts = new Map<string, number>();
  return input.map((w, i) => {
    const count = (counts.get(w) ?? 0) + 1;
    counts.set(w, count);
    return { key: w, value: i < after ? count : { count, chars: count * length(w) } };
  });
}

/** A case made by hand: `input` in order, checkpoints where given, the upgrade and faults as given. */
function handMade(
  input: readonly string[],
  upgrade: NonNullable<FaultPlan['upgrade']>,
  extra: Partial<FaultPlan> = {},
  checkpoints: number[] = [],
): PipelineCase<string> {
  return {
    input,
    params: undefined,
    schedule: { ...DEFAULT_SCHEDULE, batchSize: 1, mailboxBatches: 1, checkpoints },
    faults: { faults: [], delays: [], ...extra, upgrade },
    delivered: input,
  };
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('upgrade checks', () => {
  it('pass a correct migration, upgraded by resume and live at any moment among crashes, throws and rescales', async () => {
    const check = upgradeCheck(countV2(rightMigration));
    const kinds = new Map<UpgradeMode | undefined, number>();
    await fc.assert(
      fc.asyncProperty(check.cases, async (testCase) => {
        const how = testCase.faults.upgrade?.how;
        kinds.set(how, (kinds.get(how) ?? 0) + 1);
        await check.check(testCase);
      }),
      { numRuns: 60, seed: 11 },
    );
    expect(kinds.get('resume')).toBeGreaterThan(10);
    expect(kinds.get('live')).toBeGreaterThan(10);
    expect(kinds.get(undefined)).toBeUndefined();
  });

  it('tell the model where the upgrade took hold, for a changelog whose early output is the old version’s: after the swap’s checkpoint, when live', async () => {
    const seen: { readonly how: UpgradeMode | undefined; readonly point: number; readonly after: number }[] = [];
    let current: PipelineCase<string> | undefined;
    const check = definePipelineCheck({
      build: changelogV1,
      upgrade: { build: changelogV2 },
      input: words,
      model: (input, _params, upgrade) => {
        const point = current?.faults.upgrade;
        if (upgrade !== undefined && point !== undefined) seen.push({ how: point.how, point: point.afterRecords, after: upgrade.after });
        return changelogModel(input, upgrade);
      },
      compare: 'per-key-order',
      keyOf: (out) => out.key,
      faults: { crashes: true },
    });
    await fc.assert(
      fc.asyncProperty(check.cases, async (testCase) => {
        current = testCase;
        await check.check(testCase);
      }),
      { numRuns: 40, seed: 5 },
    );
    const live = seen.filter(({ how }) => how === 'live');
    expect(seen.length).toBeGreaterThan(30);
    expect(live.length).toBeGreaterThan(10);
    expect(seen.some(({ how, after }) => how === 'resume' && after > 0)).toBe(true);
    // A live swap stops the old version right where it is asked to: its checkpoint covers what was read.
    expect(live.every(({ point, after }) => after === point)).toBe(true);
    expect(live.some(({ after }) => after > 0)).toBe(true);
  });

  it('find a wrong migration, and say the upgrade in the case', async () => {
    const wrong = (count: unknown, _from: number, word: string): Chars => ({ count: count as number, chars: length(word) });
    const error = await rejection(assertPipeline(upgradeCheck(countV2(wrong)), { numRuns: 100, seed: 3 }));
    expect(error).toBeInstanceOf(PipelineCheckError);
    expect((error as Error).message).toMatch(/its next version (resumed from its last checkpoint|started from it in the same host)/);
    expect((error as Error).message).toMatch(/replay: await assertPipeline/);
  });

  it('find a wrong migration by a live swap, and say it in the case and in what happened', async () => {
    const wrong = (count: unknown, _from: number, word: string): Chars => ({ count: count as number, chars: length(word) });
    const error = await rejection(assertPipeline(upgradeCheck(countV2(wrong), 'live'), { numRuns: 100, seed: 3 }));
    expect(error).toBeInstanceOf(PipelineCheckError);
    const message = (error as Error).message;
    expect(message).toMatch(
      /the pipeline is upgraded live after \d+ records?.*: stopped at a checkpoint there, and its next version started from it in the same host/,
    );
    expect(message).toMatch(/the next version took over live from checkpoint \d+, after \d+ records? \(run \d\)/);
    // By hand: one swap after two records of one word, with no other fault.
    const check = upgradeCheck(countV2(wrong));
    await expect(check.check(handMade(['ok', 'ok', 'ok'], { afterRecords: 2, steps: 0, how: 'live' }))).rejects.toThrow(
      'unexpected (1): {"key":"ok","value":{"count":3,"chars":4}}',
    );
    await check.check(handMade(['ok', 'ok', 'ok'], { afterRecords: 0, steps: 0, how: 'live' }));
  });

  it('find a forgotten migration and a renamed stage, by the errors the run fails with', async () => {
    const forgotten = (await rejection(assertPipeline(upgradeCheck(countV2(undefined)), { numRuns: 100, seed: 3 }))) as Error | undefined;
    expect(forgotten?.message).toMatch(/STATE_VERSION/);
    const renamed = (await rejection(assertPipeline(upgradeCheck(countV2(rightMigration, 'totals'), 'resume'), { numRuns: 100, seed: 3 }))) as
      Error | undefined;
    expect(renamed?.message).toMatch(/DROPPED_STATE/);
  });

  it('fail a live upgrade whose next version cannot start, saying that the old version went on', async () => {
    const check = upgradeCheck(countV2(rightMigration, 'totals'));
    const error = await rejection(check.check(handMade(['a', 'ok', 'a'], { afterRecords: 2, steps: 1, how: 'live' })));
    expect(error).toBeInstanceOf(PipelineCheckError);
    const failure = error as PipelineCheckError;
    expect(failure.message).toMatch(
      /^the next version could not start live \(UPGRADE_FAILED, DROPPED_STATE\): The checkpoint .* holds state of stage count.*; the old version went on\n/,
    );
    expect(failure.events).toContain("the next version could not start live, and the old version went on from the swap's checkpoint (run 2)");
    expect(failure.cause).toBeInstanceOf(UpgradeFailedError);
    expect((failure.cause as UpgradeFailedError).cause).toBeInstanceOf(DroppedStateError);
    const live = (await rejection(assertPipeline(upgradeCheck(countV2(rightMigration, 'totals'), 'live'), { numRuns: 20, seed: 3 }))) as Error | undefined;
    expect(live?.message).toMatch(/UPGRADE_FAILED, DROPPED_STATE/);
  });

  it('swap live with the source waiting at the input’s end: the next version finishes the job from the migrated state', async () => {
    const check = upgradeCheck(countV2(rightMigration));
    await check.check(handMade(['a', 'bé', 'a'], { afterRecords: 3, steps: 0, how: 'live' }));
    await check.check(handMade(['a', 'bé', 'a'], { afterRecords: 3, steps: 5, how: 'live' }, {}, [1, 3]));
  });

  it('resume the next version after a crash that follows a live swap', async () => {
    const check = definePipelineCheck({
      build: changelogV1,
      upgrade: { build: changelogV2 },
      input: words,
      model: (input, _params, upgrade) => changelogModel(input, upgrade),
      compare: 'per-key-order',
      keyOf: (out) => out.key,
      faults: { crashes: true },
    });
    const input = ['a', 'ok', 'a', 'bé', 'ok', 'a'];
    // Swapped after 2 records, a checkpoint after 4, killed after 5: the resumed run must be version 2.
    await check.check(handMade(input, { afterRecords: 2, steps: 0, how: 'live' }, { faults: [{ kind: 'crash', afterRecords: 5, steps: 2 }] }, [4]));
    // Killed once version 2's first checkpoint was durable, before its sink committed it: version 2 resumes and commits it.
    await check.check(handMade(input, { afterRecords: 2, steps: 0, how: 'live' }, { faults: [{ kind: 'crash-before-commit', checkpoint: 2 }] }, [4]));
  });

  it('replay a live upgrade among faults the same way every time', async () => {
    const wrong = (count: unknown, _from: number, word: string): Chars => ({ count: count as number, chars: length(word) });
    const check = upgradeCheck(countV2(wrong), 'live');
    const outcome = (testCase: PipelineCase<string>) =>
      check.check(testCase).then(
        () => 'passed',
        (error: unknown) => (error as Error).message,
      );
    for (const testCase of fc.sample(check.cases, { numRuns: 12, seed: 8 })) {
      expect(await outcome(testCase)).toBe(await outcome(testCase));
    }
  });

  it('describe an upgrade point in words, by resume and live', () => {
    expect(describeFaults({ faults: [], delays: [], upgrade: { afterRecords: 3, steps: 2 } }, ['a', 'b', 'c', 'd'])).toBe(
      'the pipeline is killed after 3 records and 2 more steps, and its next version resumed from its last checkpoint',
    );
    expect(describeFaults({ faults: [], delays: [], upgrade: { afterRecords: 1, steps: 0, how: 'live' } }, ['a', 'b'])).toBe(
      'the pipeline is upgraded live after 1 record: stopped at a checkpoint there, and its next version started from it in the same host',
    );
  });

  it('draw both kinds of upgrade, shrinking toward a resume unless only a live swap fails', () => {
    const drawn = fc.sample(upgradePointArb(), { numRuns: 200, seed: 1 });
    expect(new Set(drawn.map((point) => point.how))).toEqual(new Set(['resume', 'live']));
    const anyFails = fc.check(
      fc.property(upgradePointArb(), () => false),
      { seed: 2 },
    );
    expect(anyFails.counterexample?.[0]).toEqual({ afterRecords: 0, steps: 0, how: 'resume' });
    const liveFails = fc.check(
      fc.property(upgradePointArb(), (point) => point.how !== 'live'),
      { seed: 2 },
    );
    expect(liveFails.counterexample?.[0]).toEqual({ afterRecords: 0, steps: 0, how: 'live' });
    expect(fc.sample(upgradePointArb('live'), { numRuns: 50, seed: 1 }).every((point) => point.how === 'live')).toBe(true);
  });

  it('reject an upgrade kind that is neither resume nor live, naming the option', () => {
    const hot = 'hot' as UpgradeMode;
    expect(() => upgradePointArb(hot)).toThrow(new InvalidOptionError('how', "'resume' or 'live'", hot));
    expect(() => definePipelineCheck({ build: countV1, upgrade: { build: countV1, how: hot }, input: words, model: modelV2, compare: 'multiset' })).toThrow(
      new InvalidOptionError('upgrade.how', "'resume' or 'live'", hot),
    );
  });
});
