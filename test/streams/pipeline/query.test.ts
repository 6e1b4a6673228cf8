/** `handle.query`: reading one key's live state from the partition that owns it. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { InvalidKeyError, InvalidOptionError, fromArray, pipeline, toCallback, tumbling } from '../../../src/index.js';
import { until } from '../../metrics/helpers.js';
import { controlledSource } from './controlled-source.js';

const discard = toCallback(() => undefined);

describe('PipelineHandle', () => {
  describe('query', () => {
    it('answers a reduce stage’s value from the live state, covering records still waiting for a full batch', async () => {
      const source = controlledSource<{ user: string; n: number }>();
      const handle = pipeline(source)
        .keyBy((e) => e.user, { partitions: 3 })
        .reduce(
          (sum: number, e) => sum + e.n,
          () => 0,
        )
        .to(discard)
        // Batches would wait a long while for company: the query must send them on itself.
        .run({ lingerMs: 60_000 });
      source.push({ user: 'ada', n: 2 }, { user: 'bob', n: 5 }, { user: 'ada', n: 3 });
      await until(() => handle.metrics().operators[0]?.recordsIn === 3);
      expect(handle.metrics().operators[1]?.recordsIn).toBe(0);
      expect(await handle.query('reduce', 'ada')).toBe(5);
      expect(await handle.query('reduce', 'bob')).toBe(5);
      expect(await handle.query('reduce', 'cyd')).toBeUndefined();
      source.end();
      await handle.done;
    });

    it('answers an aggregate with its result, a process stage with the key’s state, and a tuple key by value', async () => {
      const source = controlledSource<{ key: [string, number]; v: number }>();
      const handle = pipeline(source)
        .keyBy((e) => e.key, { partitions: 2 })
        .aggregate(
          { create: () => ({ count: 0, sum: 0 }), add: (acc, e) => ({ count: acc.count + 1, sum: acc.sum + e.v }), result: (acc) => acc.sum / acc.count },
          { name: 'mean' },
        )
        .keyBy((r) => r.key, { partitions: 2 })
        .process<{ seen: number }, never>({
          initialState: () => ({ seen: 0 }),
          onRecord(state, record, ctx) {
            if (record.value > 100) ctx.clearState();
            return { seen: state.seen + 1 };
          },
        })
        .to(discard)
        .run({ lingerMs: 0 });
      source.push({ key: ['a', 1], v: 1 }, { key: ['a', 1], v: 3 }, { key: ['b', 2], v: 500 });
      await until(() => handle.metrics().operators.at(-2)?.recordsIn === 3);
      expect(await handle.query('mean', ['a', 1])).toBe(2);
      expect(await handle.query('mean', ['a', 2])).toBeUndefined();
      expect(await handle.query('process', ['a', 1])).toEqual({ seen: 2 });
      expect(await handle.query('process', ['b', 2])).toBeUndefined(); // cleared
      source.end();
      await handle.done;
    });

    it('refuses a stage that is not a reduce, aggregate or process, naming `stage`', async () => {
      const source = controlledSource<{ k: string; at: number }>();
      const handle = pipeline(source)
        .withTimestamps((e) => e.at)
        .keyBy((e) => e.k, { partitions: 1 })
        .window(tumbling(1000))
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(discard)
        .run();
      for (const stage of ['window', 'nope']) {
        const error = await handle.query(stage, 'a').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect((error as InvalidOptionError).option).toBe('stage');
      }
      source.end();
      await handle.done;
    });

    it('rejects a key that cannot be partitioned, and any query once the run is over', async () => {
      const handle = pipeline(fromArray([1, 2, 3]))
        .keyBy((n) => n % 2, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(discard)
        .run();
      await expect(handle.query('reduce', { not: 'a key' } as never)).rejects.toBeInstanceOf(InvalidKeyError);
      await handle.done;
      const error = await handle.query('reduce', 1).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('query');
    });

    it('answers between batches while the pipeline runs flat out, and under injected crashes', async () => {
      let answered = 0;
      const records = Array.from({ length: 20_000 }, (_, i) => i);
      const handle = pipeline(fromArray(records))
        .keyBy((n) => n % 10, { partitions: 4 })
        .reduce(
          (count: number) => count + 1,
          () => 0,
        )
        .to(discard)
        .run({ chaos: { crashRate: 0.001, seed: 3 }, batchSize: 64 });
      const asking = (async () => {
        while (handle.status !== 'finished') {
          const value = await handle.query<number>('reduce', answered % 10).catch(() => undefined);
          if (value !== undefined) {
            expect(value).toBeGreaterThan(0);
            expect(value).toBeLessThanOrEqual(2_000);
            answered++;
          }
        }
      })();
      await handle.done;
      await asking;
      expect(answered).toBeGreaterThan(0);
    });

    test.prop([fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: -5, max: 5 })), { maxLength: 300 }), fc.integer({ min: 1, max: 4 })], {
      numRuns: 25,
    })('equals a sum per key over everything pushed, for every key, whatever the partition count', async (events, partitions) => {
      const source = controlledSource<[number, number]>();
      const handle = pipeline(source)
        .keyBy(([key]) => key, { partitions })
        .reduce(
          (sum: number, [, v]) => sum + v,
          () => 0,
        )
        .to(discard)
        .run({ lingerMs: 60_000, batchSize: 16 });
      source.push(...events);
      await until(() => handle.metrics().operators[0]?.recordsIn === events.length);
      const model = new Map<number, number>();
      for (const [key, v] of events) model.set(key, (model.get(key) ?? 0) + v);
      for (let key = 0; key <= 20; key++) expect(await handle.query('reduce', key)).toBe(model.get(key));
      source.end();
      await handle.done;
    });
  });
});
