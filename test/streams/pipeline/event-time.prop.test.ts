/**
 * Event time through whole pipelines, against models: for input that is out of order within the
 * declared bound, windows equal a plain computation over all records whatever the partitioning,
 * batching or injected crashes; with records later than the bound, every record is counted in its
 * windows or reported late, never both and never neither; process timers fire once per key and time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assignWindows,
  fromArray,
  pipeline,
  session,
  sliding,
  toArray,
  tumbling,
  type WindowAssigner,
  type WindowResult,
} from '../../../src/index.js';

interface Event {
  readonly key: string;
  readonly ts: number;
}

const BOUND = 20;

/** Events whose times never fall more than BOUND behind the largest time before them. */
const orderedWithinBound = fc
  .array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), step: fc.integer({ min: 0, max: 15 }), lag: fc.integer({ min: 0, max: BOUND }) }), {
    maxLength: 80,
  })
  .map((steps) => {
    let clock = 0;
    return steps.map(({ key, step, lag }): Event => {
      clock += step;
      return { key, ts: Math.max(0, clock - lag) };
    });
  });

const assigners = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((size) => tumbling(size)),
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })).map(([a, b]) => sliding(Math.max(a, b), Math.min(a, b))),
  fc.integer({ min: 1, max: 30 }).map((gap) => session(gap)),
);

const runs = fc.record({
  partitions: fc.integer({ min: 1, max: 4 }),
  batchSize: fc.integer({ min: 1, max: 8 }),
  crash: fc.boolean(),
  seed: fc.integer(),
});

/** Counts per key and window over every event: what a window operator must end with. */
function windowModel(events: readonly Event[], assigner: WindowAssigner): string[] {
  const counts = new Map<string, number>();
  if (assigner.kind === 'session') {
    for (const key of new Set(events.map((e) => e.key))) {
      const times = events.filter((e) => e.key === key).map((e) => e.ts).sort((x, y) => x - y);
      let start = Number.NaN;
      let end = Number.NaN;
      let count = 0;
      const close = (): void => {
        if (count > 0) counts.set(`${key}|${start}|${end}`, count);
      };
      for (const ts of times) {
        // Sessions touching at their ends merge, as the window state's do.
        if (count > 0 && ts <= end) {
          end = Math.max(end, ts + assigner.gapMs);
          count++;
        } else {
          close();
          start = ts;
          end = ts + assigner.gapMs;
          count = 1;
        }
      }
      close();
    }
  } else {
    for (const { key, ts } of events) {
      for (const w of assignWindows(assigner, ts)) {
        const id = `${key}|${w.start}|${w.end}`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
  }
  return [...counts].map(([id, n]) => `${id}=${n}`).sort();
}

describe('pipeline with event time', () => {
  it('fires every window once with the count of a plain model, for input out of order within the bound', async () => {
    await fc.assert(
      fc.asyncProperty(orderedWithinBound, assigners, runs, async (events, assigner, { partitions, batchSize, crash, seed }) => {
        const out = toArray<WindowResult<string, number>>();
        const result = await pipeline(fromArray(events))
          .withTimestamps((e) => e.ts, { maxOutOfOrdernessMs: BOUND })
          .keyBy((e) => e.key, { partitions })
          .window(assigner)
          .aggregate({ create: () => 0, add: (n: number) => n + 1, merge: (x, y) => x + y, result: (n) => n })
          .to(out)
          .run({ batchSize, mailboxBatches: 2, ...(crash ? { chaos: { crashRate: 0.05, seed } } : {}) }).done;
        expect(result.lateRecords).toBe(0);
        expect(out.records.every((r) => !r.late)).toBe(true);
        expect(out.records.map((r) => `${r.key}|${r.window.start}|${r.window.end}=${r.value}`).sort()).toEqual(windowModel(events, assigner));
      }),
      { numRuns: 80, timeout: 10_000 },
    );
  });

  it('counts each record in its windows or reports it late, for any lateness', async () => {
    const anyOrder = fc.array(fc.record({ key: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 300 }) }), { maxLength: 60 });
    await fc.assert(
      fc.asyncProperty(
        anyOrder,
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 0, max: 40 }),
        runs,
        async (events, size, bound, lateness, { partitions, batchSize }) => {
          const out = toArray<WindowResult<string, number>>();
          const late = toArray<Event>();
          await pipeline(fromArray(events))
            .withTimestamps((e) => e.ts, { maxOutOfOrdernessMs: bound })
            .keyBy((e) => e.key, { partitions })
            .window(tumbling(size), { allowedLatenessMs: lateness, lateRecords: late })
            .reduce((n: number) => n + 1, () => 0)
            .to(out)
            .run({ batchSize }).done;
          // A window's last firing counts everything it took: with the late ones, that is all.
          const last = new Map(out.records.map((r) => [`${r.key}|${r.window.start}`, r.value]));
          const counted = [...last.values()].reduce((a, b) => a + b, 0);
          expect(counted + late.records.length).toBe(events.length);
          // Each window fires on time at most once; updates are marked late.
          const onTime = out.records.filter((r) => !r.late).map((r) => `${r.key}|${r.window.start}`);
          expect(new Set(onTime).size).toBe(onTime.length);
        },
      ),
      { numRuns: 80, timeout: 10_000 },
    );
  });

  it('fires each key’s event-time timers once, in order, whatever the partitions, batches and crashes', async () => {
    await fc.assert(
      fc.asyncProperty(orderedWithinBound, fc.integer({ min: 0, max: 50 }), runs, async (events, delay, { partitions, batchSize, crash, seed }) => {
        const out = toArray<{ key: string; time: number }>();
        await pipeline(fromArray(events))
          .withTimestamps((e) => e.ts, { maxOutOfOrdernessMs: BOUND })
          .keyBy((e) => e.key, { partitions })
          .process<number, { key: string; time: number }>({
            initialState: () => 0,
            onRecord(count, event, ctx) {
              ctx.registerEventTimer(event.ts + delay);
              return count + 1;
            },
            onTimer(count, timer, ctx) {
              ctx.emit({ key: ctx.key, time: timer.time });
              return count;
            },
          })
          .to(out)
          .run({ batchSize, ...(crash ? { chaos: { crashRate: 0.05, seed } } : {}) }).done;
        for (const key of ['a', 'b', 'c', 'd']) {
          const expected = [...new Set(events.filter((e) => e.key === key).map((e) => e.ts + delay))].sort((x, y) => x - y);
          expect(out.records.filter((r) => r.key === key).map((r) => r.time)).toEqual(expected);
        }
      }),
      { numRuns: 60, timeout: 10_000 },
    );
  });
});
