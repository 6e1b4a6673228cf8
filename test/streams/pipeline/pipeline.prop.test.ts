import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromArray, pipeline, toArray, type Keyed, type PartitionKey } from '../../../src/index.js';
import { checkPipeline, definePipelineCheck, type PipelineIO } from '../../../src/testing/index.js';

const recordsArb = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy', 'dee', 'eve', 'fay'), amount: fc.integer({ min: -50, max: 50 }) }), {
  maxLength: 120,
});

function modelTotals(records: readonly { user: string; amount: number }[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const { user, amount } of records) if (amount !== 0) totals.set(user, (totals.get(user) ?? 0) + amount * 2);
  return totals;
}

interface Payment {
  readonly user: string;
  readonly amount: number;
}

/** The changelog a keyed reduce emits with `emit: 'every'`: each key's value after each record. */
function changelog<TValue>(records: readonly Payment[], add: (value: TValue, record: Payment) => TValue, initial: TValue): Keyed<string, TValue>[] {
  const values = new Map<string, TValue>();
  return records.map((r) => {
    const value = add(values.get(r.user) ?? initial, r);
    values.set(r.user, value);
    return { key: r.user, value };
  });
}

// Against the exact output of a model, under any schedule (batches, mailbox room, which actor runs
// next, when time moves), partitions restarting mid-batch, and the whole job killed and resumed
// from its checkpoints.
const totalsCheck = definePipelineCheck({
  build: ({ source, sink }: PipelineIO<Payment, Keyed<string, number>>, { partitions, emit }: { partitions: number; emit: 'every' | 'final' }) =>
    pipeline(source)
      .filter((r) => r.amount !== 0)
      .map((r) => ({ ...r, amount: r.amount * 2 }))
      .keyBy((r) => r.user, { partitions })
      .reduce(
        (total: number, r) => total + r.amount,
        () => 0,
        { emit },
      )
      .to(sink),
  input: recordsArb,
  params: fc.record({ partitions: fc.integer({ min: 1, max: 8 }), emit: fc.constantFrom('every' as const, 'final' as const) }),
  model: (records, { emit }) => {
    const updates = changelog(
      records.filter((r) => r.amount !== 0),
      (total: number, r) => total + r.amount * 2,
      0,
    );
    return emit === 'every' ? updates : [...modelTotals(records)].map(([key, value]) => ({ key, value }));
  },
  compare: 'per-key-order',
  keyOf: (out) => out.key,
  faults: { throws: true, crashes: true },
});

/** Keys of every kind a keyed stage takes, mixed in one stream: strings (one led by NUL, which is escaped in the state), numbers, a tuple. */
const mixedKeyArb = fc.constantFrom<PartitionKey>('ada', 'bob', '', '\u0000ada', 7, -0, 2.5, ['ada', 1], 12n);
const mixedRecordsArb = fc.array(fc.record({ key: mixedKeyArb, amount: fc.integer({ min: 1, max: 9 }) }), { maxLength: 120 });

// Keys of different kinds meet in one partition's state, and in one batch: each must find its own
// one entry, however the state holds it (a string as itself, an escaped string, an encoded tuple).
const mixedTotalsCheck = definePipelineCheck({
  build: ({ source, sink }: PipelineIO<{ key: PartitionKey; amount: number }, Keyed<PartitionKey, number>>, partitions: number) =>
    pipeline(source)
      .keyBy((r) => r.key, { partitions })
      .reduce(
        (total: number, r) => total + r.amount,
        () => 0,
        { emit: 'every' },
      )
      .to(sink),
  input: mixedRecordsArb,
  params: fc.integer({ min: 1, max: 5 }),
  model: (records) => {
    const totals = new Map<string, number>();
    return records.map(({ key, amount }) => {
      const id = keyId(key);
      const value = (totals.get(id) ?? 0) + amount;
      totals.set(id, value);
      return { key: Object.is(key, -0) ? 0 : key, value };
    });
  },
  compare: 'per-key-order',
  keyOf: (out) => keyId(out.key),
  faults: { throws: true, crashes: true },
});

/** A key as a string that tells every key of `mixedKeyArb` apart; -0 is 0, as partitioning has it. */
function keyId(key: PartitionKey): string {
  return typeof key === 'bigint' ? `${key}n` : JSON.stringify(key);
}

describe('pipeline', () => {
  test.prop([totalsCheck.cases], { numRuns: 50 })(
    'computes per-key totals equal to a plain model, for any records, partitions, schedules and faults',
    totalsCheck.check,
  );

  test.prop([mixedTotalsCheck.cases], { numRuns: 40 })(
    'keeps one total per key when keys of every kind share partitions, under any schedules and faults',
    mixedTotalsCheck.check,
  );

  it('keeps each key’s updates in input order through any number of partitions, schedules and restarts', async () => {
    await fc.assert(
      checkPipeline({
        build: ({ source, sink }: PipelineIO<Payment, Keyed<string, readonly number[]>>, partitions: number) =>
          pipeline(source)
            .keyBy((r) => r.user, { partitions })
            .reduce(
              (seen: readonly number[], r) => [...seen, r.amount],
              () => [],
            )
            .to(sink),
        input: recordsArb,
        params: fc.integer({ min: 1, max: 6 }),
        model: (records) => changelog(records, (seen: readonly number[], r) => [...seen, r.amount], []),
        compare: 'per-key-order',
        keyOf: (out) => out.key,
        faults: { throws: true },
      }),
      { numRuns: 40 },
    );
  });

  it('chains keyed stages: totals per user, then users per total bucket, equal to the model under any faults', async () => {
    await fc.assert(
      checkPipeline({
        build: ({ source, sink }: PipelineIO<Payment, Keyed<string, number>>, { first, second }: { first: number; second: number }) =>
          pipeline(source)
            .keyBy((r) => r.user, { partitions: first })
            .reduce(
              (total: number, r) => total + r.amount,
              () => 0,
              { emit: 'final' },
            )
            .keyBy((entry) => (entry.value >= 0 ? 'gain' : 'loss'), { partitions: second })
            .reduce(
              (users: number) => users + 1,
              () => 0,
              { emit: 'final' },
            )
            .to(sink),
        input: recordsArb,
        params: fc.record({ first: fc.integer({ min: 1, max: 4 }), second: fc.integer({ min: 1, max: 4 }) }),
        model: (records) => {
          const totals = new Map<string, number>();
          for (const r of records) totals.set(r.user, (totals.get(r.user) ?? 0) + r.amount);
          const buckets = new Map<string, number>();
          for (const total of totals.values()) {
            const bucket = total >= 0 ? 'gain' : 'loss';
            buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
          }
          return [...buckets].map(([key, value]) => ({ key, value }));
        },
        compare: 'multiset',
        faults: { throws: true, crashes: true },
      }),
      { numRuns: 40 },
    );
  });

  it('runs a stateless pipeline straight into the sink, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer(), { maxLength: 200 }), fc.integer({ min: 1, max: 50 }), async (numbers, batchSize) => {
        const out = toArray<number>();
        await pipeline(fromArray(numbers))
          .flatMap((n) => (n % 3 === 0 ? [] : [n, n]))
          .tap(() => undefined)
          .to(out)
          .run({ batchSize }).done;
        expect(out.records).toEqual(numbers.flatMap((n) => (n % 3 === 0 ? [] : [n, n])));
      }),
      { numRuns: 40 },
    );
  });
});

describe('pipeline under injected crashes', () => {
  it('gives the same output as an uninterrupted run: partitions restart from their snapshots', async () => {
    await fc.assert(
      fc.asyncProperty(
        recordsArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.integer(),
        async (records, partitions, batchSize, crashRate, seed) => {
          const run = async (chaos: { crashRate: number; seed: number } | undefined) => {
            const out = toArray<Keyed<string, readonly number[]>>();
            const handle = pipeline(fromArray(records))
              .keyBy((r) => r.user, { partitions })
              .reduce(
                (seen: readonly number[], r) => [...seen, r.amount],
                () => [],
              )
              .keyBy((entry) => entry.key, { partitions })
              .reduce(
                (updates: number) => updates + 1,
                () => 0,
                { emit: 'every' },
              )
              .to(toArray())
              .run({ batchSize, ...(chaos === undefined ? {} : { chaos }) });
            const clean = pipeline(fromArray(records))
              .keyBy((r) => r.user, { partitions })
              .reduce(
                (seen: readonly number[], r) => [...seen, r.amount],
                () => [],
              )
              .to(out)
              .run({ batchSize, ...(chaos === undefined ? {} : { chaos }) });
            const [first] = await Promise.all([handle.done, clean.done]);
            // Partitions interleave at the sink as scheduling (and restarts) go; each key's updates are ordered.
            const perKey = new Map<string, (readonly number[])[]>();
            for (const { key, value } of out.records) perKey.set(key, [...(perKey.get(key) ?? []), value]);
            return { updates: first.recordsWritten, perKey, restarts: handle.metrics().restarts + clean.metrics().restarts };
          };
          const calm = await run(undefined);
          const stormy = await run({ crashRate, seed });
          expect(stormy.perKey).toEqual(calm.perKey);
          expect(stormy.updates).toBe(calm.updates);
          if (crashRate === 0) expect(stormy.restarts).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('rejects a crash rate outside [0, 1), naming it', () => {
    expect(() =>
      pipeline(fromArray([1]))
        .to(toArray())
        .run({ chaos: { crashRate: 1, seed: 1 } }),
    ).toThrow('`chaos.crashRate`');
  });
});

describe('pipeline partitioning', () => {
  it('rebalances stateless work over any number of actors without losing or duplicating a record', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { maxLength: 150 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        async (numbers, partitions, batchSize) => {
          const out = toArray<number>();
          await pipeline(fromArray(numbers))
            .rebalance({ partitions })
            .map((n) => n * 2)
            .to(out)
            .run({ batchSize }).done;
          expect([...out.records].sort((a, b) => a - b)).toEqual(numbers.map((n) => n * 2).sort((a, b) => a - b));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('partitions by key range and still matches the model per key', async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb, fc.integer({ min: 1, max: 8 }), async (records, batchSize) => {
        const out = toArray<Keyed<string, number>>();
        await pipeline(fromArray(records))
          .keyBy((r) => r.user, { boundaries: ['bob', 'dee'] })
          .reduce(
            (total: number, r) => total + r.amount * 2,
            () => 0,
            { emit: 'final' },
          )
          .to(out)
          .run({ batchSize }).done;
        const totals = new Map<string, number>();
        for (const r of records) totals.set(r.user, (totals.get(r.user) ?? 0) + r.amount * 2);
        expect(new Map(out.records.map(({ key, value }) => [key, value]))).toEqual(totals);
      }),
      { numRuns: 40 },
    );
  });
});
