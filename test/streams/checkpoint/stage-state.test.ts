/**
 * Stable stage ids and versioned state: a run resumes each stateful stage's state from the stage
 * of the checkpoint with the same id, whatever changed around it; state of a stage that is gone is
 * refused unless dropped on purpose; state written at an older version goes through the stage's
 * migration, and state from a newer version (or a migration that throws) fails the run before
 * anything is written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DroppedStateError,
  InvalidOptionError,
  InvalidPipelineError,
  MemoryCheckpointStorage,
  StateMigrationError,
  StateVersionError,
  fromArray,
  pipeline,
  toArray,
  tumbling,
  type Keyed,
  type PipelineHandle,
  type KeyedOutputOptions,
  type StageStateOptions,
  type Stream,
  type WindowResult,
} from '../../../src/index.js';
import { encodeManifest, type Manifest } from '../../../src/streams/checkpoint/manifest.js';
import { migrateProcessEntry } from '../../../src/streams/run/operators/process-operator.js';
import { mapWindowAccumulators } from '../../../src/streams/time/window-engine.js';

interface Chars {
  readonly count: number;
  readonly chars: number;
}

const codePoints = (word: string): number => [...word].length;

/** Stops the run (with a checkpoint) once `stopAfter` records have been read by it. */
function stopper(stopAfter: number): { tap: () => void; bind: (handle: PipelineHandle) => PipelineHandle } {
  let seen = 0;
  let handle: PipelineHandle | undefined;
  return {
    tap: () => {
      if (++seen === stopAfter) void handle?.stop();
    },
    bind: (h) => (handle = h),
  };
}

/** Version 1: a count per word, under stage id `count`. */
function countV1(words: readonly string[], storage: MemoryCheckpointStorage, options: { partitions?: number; stopAfter?: number; name?: string } = {}) {
  const out = toArray<Keyed<string, number>>();
  const stop = stopper(options.stopAfter ?? Infinity);
  const handle = stop.bind(
    pipeline(fromArray(words))
      .tap(stop.tap)
      .keyBy((w) => w, { partitions: options.partitions ?? 2 })
      .reduce(
        (n: number) => n + 1,
        () => 0,
        { emit: 'final', id: 'count', name: options.name ?? 'count' },
      )
      .to(out)
      .run({ checkpoint: { storage, interval: Infinity }, batchSize: 8 }),
  );
  return { handle, out };
}

/** Version 2: `{ count, chars }` per word (state version 2), migrating version 1's counts. */
function countV2(
  words: readonly string[],
  storage: MemoryCheckpointStorage,
  options: { partitions?: number; migrate?: (state: unknown, from: number, key: string) => Chars; extraStageFirst?: boolean } = {},
) {
  const out = toArray<Keyed<string, Chars>>();
  const migrate =
    options.migrate ?? ((state: unknown, _from: number, key: string): Chars => ({ count: state as number, chars: codePoints(key) * (state as number) }));
  let stream = pipeline(fromArray(words));
  if (options.extraStageFirst === true) stream = stream.rebalance({ partitions: 3 });
  const handle = stream
    .keyBy((w) => w, { partitions: options.partitions ?? 2 })
    .aggregate(
      {
        create: (): Chars => ({ count: 0, chars: 0 }),
        add: (acc: Chars, word: string) => ({ count: acc.count + 1, chars: acc.chars + codePoints(word) }),
        result: (acc: Chars) => acc,
      },
      { emit: 'final', id: 'count', name: 'totals', stateVersion: 2, migrate },
    )
    .to(out)
    .run({ checkpoint: { storage, interval: Infinity }, batchSize: 8 });
  return { handle, out };
}

function modelV2(words: readonly string[]): Map<string, Chars> {
  const model = new Map<string, Chars>();
  for (const w of words) {
    const before = model.get(w) ?? { count: 0, chars: 0 };
    model.set(w, { count: before.count + 1, chars: before.chars + codePoints(w) });
  }
  return model;
}

function asMap<T>(records: readonly Keyed<string, T>[]): Map<string, T> {
  return new Map(records.map(({ key, value }) => [key, value]));
}

/** Each word's count, as a final value, by a stage with `options` (its id, name, state version). */
function counted(input: readonly string[], options: StageStateOptions<number, string> & KeyedOutputOptions = {}): Stream<Keyed<string, number>> {
  return pipeline(fromArray(input))
    .keyBy((w) => w, { partitions: 2 })
    .reduce(
      (n: number) => n + 1,
      () => 0,
      { ...options, emit: 'final' },
    );
}

const words = Array.from({ length: 400 }, (_, i) => ['ab', 'ça', 'x', 'naïve', '日本', 'zzz'][(i * 7) % 6] as string);

describe('stage ids', () => {
  it('finds a stage’s state by its id when its name and the stages before it change', async () => {
    const storage = new MemoryCheckpointStorage();
    expect(await countV1(words, storage, { stopAfter: 150 }).handle.done).toMatchObject({ stopped: true });
    // Version 2 renames the stage and puts a rebalance stage before it: the id still finds the state.
    const next = countV2(words, storage, { extraStageFirst: true });
    expect(await next.handle.done).toMatchObject({ resumedFrom: 1, recordsRead: 250 });
    expect(asMap(next.out.records)).toEqual(modelV2(words));
  });

  it('refuses state of a stage the pipeline lost, listing the ids on both sides, and drops it when allowed', async () => {
    const storage = new MemoryCheckpointStorage();
    await countV1(words, storage, { stopAfter: 100 }).handle.done;
    const other = () => counted(words, { id: 'tally' }).to(toArray<Keyed<string, number>>());
    const refused = other().run({ checkpoint: { storage, interval: Infinity } });
    const error = await refused.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DroppedStateError);
    expect(error).toMatchObject({ dropped: ['count'], checkpointStages: ['count'], pipelineStages: ['tally'] });
    expect((error as Error).message).toContain('the checkpoint’s stages: count; the pipeline’s: tally'.replaceAll('’', "'"));

    // Allowed: the new stage starts empty, from where the source was.
    const out = toArray<Keyed<string, number>>();
    const dropped = counted(words, { id: 'tally' })
      .to(out)
      .run({ checkpoint: { storage, interval: Infinity }, allowDroppedState: true });
    expect(await dropped.done).toMatchObject({ resumedFrom: 1, recordsRead: 300 });
    const rest = new Map<string, number>();
    for (const w of words.slice(100)) rest.set(w, (rest.get(w) ?? 0) + 1);
    expect(asMap(out.records)).toEqual(rest);
  });

  it('starts a stage added since the checkpoint empty, beside the stages it finds', async () => {
    const storage = new MemoryCheckpointStorage();
    await countV1(words, storage, { stopAfter: 120 }).handle.done;
    const counts: Keyed<string, number>[] = [];
    const byLength = toArray<Keyed<number, number>>();
    const handle = counted(words, { id: 'count' })
      .tap((c) => void counts.push(c))
      .keyBy((c) => codePoints(c.key), { partitions: 2 })
      .reduce(
        (n: number, c) => n + c.value,
        () => 0,
        { emit: 'final', id: 'by-length' },
      )
      .to(byLength)
      .run({ checkpoint: { storage, interval: Infinity }, batchSize: 8 });
    expect(await handle.done).toMatchObject({ resumedFrom: 1, recordsRead: 280 });
    const total = new Map<string, number>();
    const lengths = new Map<number, number>();
    for (const w of words) {
      total.set(w, (total.get(w) ?? 0) + 1);
      lengths.set(codePoints(w), (lengths.get(codePoints(w)) ?? 0) + 1);
    }
    expect(asMap(counts)).toEqual(total);
    expect(new Map(byLength.records.map(({ key, value }) => [key, value]))).toEqual(lengths);
  });

  it('derives ids from names, numbering repeats, and refuses two stages with one id', () => {
    expect(() =>
      pipeline(fromArray(words))
        .keyBy((w) => w, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { id: 'same' },
        )
        .keyBy((c) => c.key, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { id: 'same' },
        )
        .to(toArray())
        .run(),
    ).toThrow(InvalidPipelineError);
    expect(() =>
      pipeline(fromArray(words))
        .keyBy((w) => w, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { id: '' },
        ),
    ).toThrow(InvalidOptionError);
    expect(() =>
      pipeline(fromArray(words))
        .keyBy((w) => w, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { stateVersion: 0 },
        ),
    ).toThrow(/stateVersion/);
  });

  it('resumes a checkpoint written before stages had ids by the ids derived from its names', async () => {
    const storage = new MemoryCheckpointStorage();
    await countV1(words, storage, { stopAfter: 90, name: 'count' }).handle.done;
    // Strip what older versions did not write: the stages' ids, versions and kinds.
    const restored = await storage.latest();
    const old: Manifest = {
      ...(restored?.manifest as Manifest),
      stages: (restored?.manifest as Manifest).stages.map(({ id: _id, stateVersion: _v, stateful: _s, ...rest }) => rest),
    };
    expect(encodeManifest(old)).not.toMatch(/"(stateVersion|stateful)"/);
    expect(old.stages.every((stage) => stage.id === undefined)).toBe(true);
    await storage.writeManifest(old);
    const next = countV1(words, storage);
    expect(await next.handle.done).toMatchObject({ resumedFrom: 1, recordsRead: 310 });
    const total = new Map<string, number>();
    for (const w of words) total.set(w, (total.get(w) ?? 0) + 1);
    expect(asMap(next.out.records)).toEqual(total);
  });
});

describe('versioned state', () => {
  it('migrates every key of an older version once, with its key, at any new partition count', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom('a', 'bé', '日本語', 'ok', 'x y'), { minLength: 2, maxLength: 120 }),
        fc.nat(),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        async (input, cut, before, after) => {
          const stopAfter = 1 + (cut % (input.length - 1));
          const storage = new MemoryCheckpointStorage();
          await countV1(input, storage, { stopAfter, partitions: before }).handle.done;
          const calls: [unknown, number, string][] = [];
          const next = countV2(input, storage, {
            partitions: after,
            migrate: (state, from, key) => {
              calls.push([state, from, key]);
              return { count: state as number, chars: codePoints(key) * (state as number) };
            },
          });
          await next.handle.done;
          expect(asMap(next.out.records)).toEqual(modelV2(input));
          const seen = new Map<string, number>();
          for (const w of input.slice(0, stopAfter)) seen.set(w, (seen.get(w) ?? 0) + 1);
          expect(new Map(calls.map(([state, , key]) => [key, state]))).toEqual(seen);
          expect(calls.length).toBe(seen.size);
          expect(calls.every(([, from]) => from === 1)).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses state from a newer version than the code, naming both versions', async () => {
    const storage2 = new MemoryCheckpointStorage();
    const stop = stopper(40);
    await stop.bind(
      pipeline(fromArray(words))
        .tap(stop.tap)
        .keyBy((w) => w, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { emit: 'final', id: 'count', stateVersion: 3 },
        )
        .to(toArray())
        .run({ checkpoint: { storage: storage2, interval: Infinity } }),
    ).done;
    const older = countV2(words, storage2);
    await expect(older.handle.done).rejects.toThrow(StateVersionError);
    await expect(older.handle.done).rejects.toThrow(/stage count was written at state version 3, a newer version than this code's 2/);
  });

  it('refuses older state when the code has no migration', async () => {
    const storage = new MemoryCheckpointStorage();
    await countV1(words, storage, { stopAfter: 50 }).handle.done;
    const handle = counted(words, { id: 'count', stateVersion: 2 })
      .to(toArray())
      .run({ checkpoint: { storage, interval: Infinity } });
    await expect(handle.done).rejects.toThrow(/written at state version 1, an older version than this code's 2, and the code has no migrate/);
  });

  it('fails the run before anything is written when a migration throws, and the fixed code resumes the same checkpoint', async () => {
    const storage = new MemoryCheckpointStorage();
    await countV1(words, storage, { stopAfter: 200 }).handle.done;
    const before = await storage.latest();
    const broken = countV2(words, storage, {
      migrate: (state, _from, key) => {
        if (key === 'naïve') throw new Error('no migration for accents');
        return { count: state as number, chars: 0 };
      },
    });
    const error = await broken.handle.done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StateMigrationError);
    expect(error).toMatchObject({ entry: { key: 'naïve' }, fromVersion: 1, toVersion: 2, subject: 'stage count' });
    expect((error as Error).message).toContain('no migration for accents');
    expect(broken.out.records).toEqual([]);
    expect(await storage.highestId()).toBe(before?.manifest.id);
    expect((await storage.latest())?.entries).toEqual(before?.entries);

    const fixed = countV2(words, storage);
    await fixed.handle.done;
    expect(asMap(fixed.out.records)).toEqual(modelV2(words));
  });

  it('migrates each window accumulator of a key, and windows fire as the new version would', async () => {
    const events = Array.from({ length: 300 }, (_, i) => ({ user: `u${i % 5}`, ts: i * 10 }));
    const storage = new MemoryCheckpointStorage();
    const stop = stopper(130);
    await stop.bind(
      pipeline(fromArray(events))
        .tap(stop.tap)
        .withTimestamps((e) => e.ts)
        .keyBy((e) => e.user, { partitions: 2 })
        .window(tumbling(500), { id: 'clicks' })
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(toArray())
        .run({ checkpoint: { storage, interval: Infinity }, batchSize: 8 }),
    ).done;
    const out = toArray<WindowResult<string, { n: number }>>();
    await pipeline(fromArray(events))
      .withTimestamps((e) => e.ts)
      .keyBy((e) => e.user, { partitions: 2 })
      .window(tumbling(500), { id: 'clicks', stateVersion: 2, migrate: (n) => ({ n: n as number }) })
      .reduce(
        (acc: { n: number }) => ({ n: acc.n + 1 }),
        () => ({ n: 0 }),
      )
      .to(out)
      .run({ checkpoint: { storage, interval: Infinity }, batchSize: 8 }).done;
    const model = new Map<string, number>();
    for (const e of events) {
      const at = `${e.user}@${Math.floor(e.ts / 500) * 500}`;
      model.set(at, (model.get(at) ?? 0) + 1);
    }
    // Windows that fired before the checkpoint went out with version 1; the rest fire now, migrated.
    for (const r of out.records) expect(r.value.n).toBe(model.get(`${r.key}@${r.window.start}`));
    expect(out.records.length).toBeGreaterThan(0);
  });

  it('brings window slots and panes, and a process entry’s state, forward without touching the rest', () => {
    const slots = [{ start: 0, end: 10, accumulator: 2, fired: false, seq: 4 }];
    expect(mapWindowAccumulators(slots, (n) => ({ n }))).toEqual([{ start: 0, end: 10, accumulator: { n: 2 }, fired: false, seq: 4 }]);
    const panes = { starts: [0, 5], seqs: [1, 2], accumulators: [1, 3], watermark: 7 };
    expect(mapWindowAccumulators(panes, (n) => (n as number) * 10)).toEqual({ ...panes, accumulators: [10, 30] });
    const entry = { state: 3, hasState: true, eventTimers: [100], processingTimers: [] };
    expect(migrateProcessEntry(entry, (s) => ({ total: s }))).toEqual({ ...entry, state: { total: 3 } });
    const cleared = { state: undefined, hasState: false, eventTimers: [5], processingTimers: [] };
    expect(migrateProcessEntry(cleared, () => 'never')).toBe(cleared);
  });
});
