import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { fromIterable, pipeline, toAsyncIterable, type Keyed } from '../../../src/index.js';
import { VirtualClock } from '../../../src/testing/index.js';
import { nextMacrotask } from '../../helpers/host-guard.js';

interface Entry {
  readonly key: string;
  /** The record's place in the input. */
  readonly seq: number;
}

/** A source of `entries`, synchronous or asynchronous, that counts what the pipeline read. */
function countingSource(entries: readonly Entry[], asynchronous: boolean) {
  const counter = { read: 0 };
  function* syncEntries(): Generator<Entry> {
    for (const entry of entries) {
      counter.read++;
      yield entry;
    }
  }
  async function* asyncEntries(): AsyncGenerator<Entry> {
    for (const entry of entries) {
      counter.read++;
      yield entry;
    }
  }
  return { source: fromIterable(asynchronous ? asyncEntries() : syncEntries()), counter };
}

const caseArb = fc.record({
  keys: fc.array(fc.constantFrom('ada', 'bob', 'cy', 'dee'), { maxLength: 150 }),
  batchSize: fc.integer({ min: 1, max: 16 }),
  mailboxBatches: fc.integer({ min: 1, max: 3 }),
  highWaterMark: fc.integer({ min: 0, max: 20 }),
  // Turns of the event loop the loop body waits after each record, taken in a cycle: 0 is a loop
  // as fast as the records come, 3 one that lets every other part of the run go ahead.
  pace: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
  asynchronous: fc.boolean(),
  // Break off after this many records, or read to the end.
  breakAfter: fc.option(fc.integer({ min: 1, max: 160 }), { nil: undefined }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** Reads `loop` at the case's pace, breaking off when the case says; returns what it took. */
async function readAtPace<T>(loop: AsyncIterable<T>, { pace, breakAfter }: Case, after: (taken: number) => void): Promise<T[]> {
  const taken: T[] = [];
  for await (const record of loop) {
    taken.push(record);
    after(taken.length);
    if (taken.length === breakAfter) break;
    for (let turn = pace[taken.length % pace.length] as number; turn > 0; turn--) await nextMacrotask();
  }
  return taken;
}

function entriesOf(keys: readonly string[]): Entry[] {
  return keys.map((key, seq) => ({ key, seq }));
}

/** `records` grouped by key, each group in order. */
function perKey<T>(records: readonly T[], keyOf: (record: T) => string): Map<string, T[]> {
  const byKey = new Map<string, T[]>();
  for (const record of records) {
    const key = keyOf(record);
    byKey.set(key, [...(byKey.get(key) ?? []), record]);
  }
  return byKey;
}

describe('toAsyncIterable', () => {
  test.prop([caseArb], { numRuns: 100 })(
    'hands the loop every record once and in order, with what was read and not taken bounded, at any pace, batch size, mailbox depth and high-water mark',
    async (c) => {
      const entries = entriesOf(c.keys);
      const { source, counter } = countingSource(entries, c.asynchronous);
      const out = toAsyncIterable<Entry>({ highWaterMark: c.highWaterMark });
      const handle = pipeline(source)
        .map((entry) => entry)
        .to(out)
        .run({ batchSize: c.batchSize, mailboxBatches: c.mailboxBatches, clock: new VirtualClock() });
      // A batch in the source's router, the sink's mailbox, the batch being written and what the
      // sink holds; an asynchronous source is asked for one record ahead.
      const bound = c.highWaterMark + (c.mailboxBatches + 2) * c.batchSize + (c.asynchronous ? 1 : 0);
      let mostInFlight = 0;
      const taken = await readAtPace(out, c, (count) => {
        mostInFlight = Math.max(mostInFlight, counter.read - count);
      });
      const result = await handle.done;
      const expected = c.breakAfter === undefined ? entries : entries.slice(0, c.breakAfter);
      expect(taken).toEqual(expected);
      expect(mostInFlight).toBeLessThanOrEqual(bound);
      if (c.breakAfter === undefined || c.breakAfter > entries.length) expect(result).toMatchObject({ stopped: false, recordsWritten: entries.length });
    },
  );

  test.prop([caseArb, fc.integer({ min: 1, max: 4 })], { numRuns: 100 })(
    'keeps each key’s records in input order through keyed partitions, and loses none unless the loop breaks off',
    async (c, partitions) => {
      const entries = entriesOf(c.keys);
      const { source } = countingSource(entries, c.asynchronous);
      const out = toAsyncIterable<Keyed<string, Entry>>({ highWaterMark: c.highWaterMark });
      const handle = pipeline(source)
        .keyBy((entry) => entry.key, { partitions })
        .reduce(
          (_last: Entry | undefined, entry) => entry,
          () => undefined,
        )
        .to(out)
        .run({ batchSize: c.batchSize, mailboxBatches: c.mailboxBatches, clock: new VirtualClock() });
      const taken = (await readAtPace(out, c, () => undefined)).map((update) => update.value as Entry);
      await handle.done;
      // Each key's records are a prefix of that key's input, the whole of it when the loop read to the end.
      const input = perKey(entries, (entry) => entry.key);
      for (const [key, records] of perKey(taken, (entry) => entry.key)) {
        expect(records).toEqual(input.get(key)?.slice(0, records.length));
      }
      if (c.breakAfter === undefined) expect(taken.length).toBe(entries.length);
      else expect(taken.length).toBe(Math.min(c.breakAfter, entries.length));
    },
  );
});
