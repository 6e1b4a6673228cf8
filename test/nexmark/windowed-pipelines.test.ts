import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NexmarkEvent } from '../../bench/nexmark/events.js';
import { generate } from '../../bench/nexmark/generator.js';
import { canonical, type FieldOrder } from '../../bench/nexmark/models/canonical.js';
import { Q5_ORDER, q5, type Q5Row } from '../../bench/nexmark/models/q5.js';
import { Q7_ORDER, q7, type Q7Row } from '../../bench/nexmark/models/q7.js';
import { Q8_ORDER, q8, type Q8Row } from '../../bench/nexmark/models/q8.js';
import { q5Pipeline, withCount } from '../../bench/nexmark/pipelines/q5.js';
import { q7Pipeline, withBids } from '../../bench/nexmark/pipelines/q7.js';
import { q8Pipeline, withEvent, type NewUserJoin } from '../../bench/nexmark/pipelines/q8.js';
import type { WindowedQueryOptions } from '../../bench/nexmark/pipelines/event-time.js';
import { nexmarkSource } from '../../bench/nexmark/source.js';
import { fromArray, fromGenerator, toArray, type Pipeline, type PipelineHandle, type RunOptions, type Sink, type Source } from '../../src/index.js';
import { T0, auction, bid, person } from './helpers.js';

const S = 1000;

/**
 * 50 s of event time at 1,000 events/s: 25 sliding windows for q5 and 5 tumbling ones for q7 and
 * q8, where the default rate would give one tumbling window. Delays are the default (up to 3 s).
 */
const EVENTS_PER_SECOND = 1000;
const events = generate(0, 50_000, { eventsPerSecond: EVENTS_PER_SECOND });

interface Query<TRow> {
  readonly name: string;
  readonly model: (events: readonly NexmarkEvent[]) => TRow[];
  readonly order: FieldOrder<TRow>;
  readonly build: (source: Source<NexmarkEvent, unknown>, sink: Sink<TRow>, options?: WindowedQueryOptions) => Pipeline;
  /** At least this many rows from `events`, so that a pipeline that emits nothing cannot pass. */
  readonly minRows: number;
}

const q5Query: Query<Q5Row> = { name: 'q5', model: (input) => q5(input), order: Q5_ORDER, build: q5Pipeline, minRows: 25 };
const q7Query: Query<Q7Row> = { name: 'q7', model: (input) => q7(input), order: Q7_ORDER, build: q7Pipeline, minRows: 5 };
const q8Query: Query<Q8Row> = { name: 'q8', model: (input) => q8(input), order: Q8_ORDER, build: q8Pipeline, minRows: 1000 };
const queries = [q5Query, q7Query, q8Query] as unknown as readonly Query<Record<string, number | string>>[];

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function checkpointDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nexmark-test-'));
  dirs.push(dir);
  return dir;
}

async function runToEnd<TRow>(query: Query<TRow>, source: Source<NexmarkEvent, unknown>, run: RunOptions = {}, options: WindowedQueryOptions = {}) {
  const sink = toArray<TRow>();
  const handle = query.build(source, sink, options).run(run);
  const result = await handle.done;
  return { rows: canonical(sink.records, query.order), result, handle };
}

describe.each(queries)('$name pipeline', (query) => {
  const model = canonical(query.model(events), query.order);

  it('outputs what the model does, with no late record and no dead letter', async () => {
    expect(model.length).toBeGreaterThanOrEqual(query.minRows);
    const { rows, result } = await runToEnd(query, fromArray(events));
    expect(result.lateRecords).toBe(0);
    expect(result.deadLetters).toBe(0);
    expect(rows).toEqual(model);
  });

  it('outputs what the model does with one partition, reading the generating source at the default rate', async () => {
    const stream = generate(0, 30_000);
    const { rows } = await runToEnd(query, nexmarkSource({ events: 30_000 }), {}, { partitions: 1 });
    expect(rows).toEqual(canonical(query.model(stream), query.order));
  });

  it('outputs exactly the same rows when partitions crash and restart from their snapshots', async () => {
    // 1% of records crash their partition: small batches, so that a batch gets through between
    // crashes, and no restart limit, since a crash every hundred records is the point.
    const { rows, handle } = await runToEnd(query, fromArray(events), { batchSize: 32, maxRestarts: Infinity, chaos: { crashRate: 0.01, seed: 11 } });
    expect(handle.metrics().restarts).toBeGreaterThan(10);
    expect(rows).toEqual(model);
  });

  it('outputs exactly the same rows with checkpoints every 50 ms and injected crashes', async () => {
    // A lower crash rate than above: a partition takes what waited behind a barrier in the
    // barrier's own turn, so with checkpoints overlapping that turn can hold hundreds of records,
    // and at 1% it crashes every time until the run fails with "kept failing".
    const { rows, result } = await runToEnd(query, fromArray(events), {
      batchSize: 32,
      maxRestarts: Infinity,
      chaos: { crashRate: 0.001, seed: 5 },
      checkpoint: { dir: checkpointDir(), interval: 50 },
    });
    expect(result.resumedFrom).toBeUndefined();
    expect(rows).toEqual(model);
  });

  it('outputs each row once when stopped midway and resumed from its checkpoint', async () => {
    const dir = checkpointDir();
    const sink = toArray<Record<string, number | string>>();
    let handle: PipelineHandle | undefined;
    let stopped = false;
    // Stops the first run as the source reads event 20,000: a checkpoint then holds open windows,
    // buffered joins and pending timers.
    const source = fromGenerator(function* (from: number) {
      for (let n = from; n < events.length; n++) {
        if (n === 20_000 && !stopped) {
          stopped = true;
          void handle?.stop();
        }
        yield events[n] as NexmarkEvent;
      }
    });
    const job = query.build(source, sink);
    handle = job.run({ checkpoint: { dir, interval: Infinity } });
    const first = await handle.done;
    expect(first.stopped).toBe(true);
    expect(first.recordsRead).toBeLessThan(events.length);
    const second = await job.run({ checkpoint: { dir, interval: Infinity } }).done;
    expect(second.resumedFrom).toBeDefined();
    expect(first.recordsRead + second.recordsRead).toBe(events.length);
    expect(canonical(sink.records, query.order)).toEqual(model);
  });
});

describe('windowed pipelines on hand-written events', () => {
  // Events up to 12 s out of order: the watermark's bound must cover that.
  const options = { maxOutOfOrdernessMs: 20 * S, partitions: 2 };

  it('q5 gives every auction tied for the most bids in a window', async () => {
    const input = [
      bid({ auction: 1, dateTime: T0 + 1 * S }),
      bid({ auction: 1, dateTime: T0 + 1 * S }),
      bid({ auction: 2, dateTime: T0 + 3 * S }),
      person({ id: 1, dateTime: T0 + 3 * S }),
      bid({ auction: 2, dateTime: T0 + 11 * S }),
      bid({ auction: 3, dateTime: T0 + 2 * S }), // late, and ties auction 1 and 2 in some windows
      bid({ auction: 3, dateTime: T0 + 9 * S }),
    ];
    const { rows } = await runToEnd(q5Query, fromArray(input), {}, options);
    expect(rows).toEqual(canonical(q5(input), Q5_ORDER));
    expect(rows.filter((row) => row.windowStart === T0 + 2 * S).map((row) => row.auction)).toEqual([2, 3]);
  });

  it('q7 gives every bid at the highest price of its window, and nothing of a window’s lower bids', async () => {
    const input = [
      bid({ auction: 1, price: 5, dateTime: T0 }),
      bid({ auction: 2, price: 9, bidder: 1, dateTime: T0 + 1 * S }),
      bid({ auction: 3, price: 3, dateTime: T0 + 2 * S }),
      bid({ auction: 4, price: 9, bidder: 2, dateTime: T0 + 9999 }),
      bid({ auction: 5, price: 1, dateTime: T0 + 10 * S }),
      bid({ auction: 6, price: 11, dateTime: T0 - 1 }), // the window before, late
    ];
    const { rows } = await runToEnd(q7Query, fromArray(input), {}, options);
    expect(rows).toEqual(canonical(q7(input), Q7_ORDER));
    expect(rows.map((row) => row.auction)).toEqual([6, 2, 4, 5]);
  });

  it('q8 joins persons with their auctions of the same window, whichever comes first', async () => {
    const input = [
      person({ id: 1, name: 'Ada', dateTime: T0 + 1 * S }),
      auction({ id: 100, seller: 1, reserve: 50, dateTime: T0 + 2 * S }),
      auction({ id: 101, seller: 1, dateTime: T0 + 12 * S }), // next window
      auction({ id: 102, seller: 2, reserve: 70, dateTime: T0 + 3 * S }), // before its seller
      person({ id: 2, name: 'Boris', dateTime: T0 + 4 * S }),
      person({ id: 3, dateTime: T0 + 9999 }),
      auction({ id: 103, seller: 3, dateTime: T0 + 10 * S }), // next window
      auction({ id: 104, seller: 4, dateTime: T0 + 5 * S }), // seller not new
      bid({ auction: 100, dateTime: T0 + 6 * S }),
    ];
    const { rows } = await runToEnd(q8Query, fromArray(input), {}, options);
    expect(rows).toEqual(canonical(q8(input), Q8_ORDER));
    expect(rows.map((row) => [row.id, row.auction])).toEqual([
      [1, 100],
      [2, 102],
    ]);
  });
});

describe('withCount', () => {
  const start = withCount({ most: 0, auctions: [] }, 7, 2);

  it('replaces the winners with an auction that has more bids', () => {
    expect(withCount(start, 8, 3)).toEqual({ most: 3, auctions: [8] });
  });

  it('adds an auction that ties, and keeps the state itself for one with fewer', () => {
    expect(withCount(start, 8, 2)).toEqual({ most: 2, auctions: [7, 8] });
    expect(withCount(start, 8, 1)).toBe(start);
    expect(start).toEqual({ most: 2, auctions: [7] });
  });
});

describe('withBids', () => {
  const first = bid({ auction: 1, price: 5 });
  const second = bid({ auction: 2, price: 5 });
  const start = withBids({ price: -1, bids: [] }, 5, [first]);

  it('keeps only bids at the highest price, all of them on a tie', () => {
    expect(withBids(start, 5, [second])).toEqual({ price: 5, bids: [first, second] });
    expect(withBids(start, 6, [second])).toEqual({ price: 6, bids: [second] });
    expect(withBids(start, 4, [second])).toBe(start);
    expect(start.bids).toEqual([first]);
  });
});

describe('withEvent', () => {
  it('buffers a window’s person and auctions, windows in order, without changing the join it was given', () => {
    const empty: NewUserJoin = [];
    const one = withEvent(empty, 10_000, auction({ id: 5, seller: 1, reserve: 9 }));
    const two = withEvent(one, 0, person({ id: 1, name: 'Ada' }));
    const three = withEvent(two, 10_000, person({ id: 1, name: 'Ada' }));
    expect(three).toEqual([
      { start: 0, name: 'Ada', auctions: [] },
      { start: 10_000, name: 'Ada', auctions: [{ id: 5, reserve: 9 }] },
    ]);
    expect(one).toEqual([{ start: 10_000, name: undefined, auctions: [{ id: 5, reserve: 9 }] }]);
    expect(empty).toEqual([]);
  });
});
