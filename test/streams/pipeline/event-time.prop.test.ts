/**
 * Event time through whole pipelines, against models: for input that is out of order within the
 * declared bound (as the testing kit delivers it), windows equal a plain computation over all
 * records whatever the partitioning, schedule, restarts, or kills and resumes from checkpoints; with records later than the bound, every record is counted in its
 * windows or reported late, never both and never neither; process timers fire once per key and time.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPipeline, type PipelineIO } from '../../../src/testing/index.js';
import { assignWindows, fromArray, pipeline, session, sliding, toArray, tumbling, type WindowAssigner, type WindowResult } from '../../../src/index.js';

interface Event {
  readonly key: string;
  readonly ts: number;
}

const BOUND = 20;

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
      const times = events
        .filter((e) => e.key === key)
        .map((e) => e.ts)
        .sort((x, y) => x - y);
      let start = Number.NaN;
      let end = Number.NaN;
      let count = 0;
      const close = (): void => {
        if (count > 0) counts.set(`${key}|${start}|${end}`, count);
      };
      for (const ts of times) {
        // A record less than the gap after the session's last one joins it; exactly the gap after starts another.
        if (count > 0 && ts < end) {
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
  it('fires every window once with the count of a plain model, for input out of order within the bound, under any schedule and faults', async () => {
    // The kit delivers the events out of order within the bound, and throws, kills and resumes.
    await fc.assert(
      checkPipeline({
        build: (
          { source, sink }: PipelineIO<Event, WindowResult<string, number>>,
          { assigner, partitions }: { assigner: WindowAssigner; partitions: number },
        ) =>
          pipeline(source)
            .withTimestamps((e) => e.ts, { maxOutOfOrdernessMs: BOUND })
            .keyBy((e) => e.key, { partitions })
            .window(assigner)
            .aggregate({ create: () => 0, add: (n: number) => n + 1, merge: (x, y) => x + y, result: (n) => n })
            .to(sink),
        input: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), ts: fc.integer({ min: 0, max: 300 }) }), { maxLength: 60 }),
        params: fc.record({ assigner: assigners, partitions: fc.integer({ min: 1, max: 4 }) }),
        model: (events, { assigner }) =>
          windowModel(events, assigner).map((line) => {
            const [id, value] = line.split('=') as [string, string];
            const [key, start, end] = id.split('|') as [string, string, string];
            return { key, window: { start: Number(start), end: Number(end) }, value: Number(value), late: false };
          }),
        compare: 'multiset',
        faults: { throws: true, crashes: true, disorder: { bound: BOUND, timestampOf: (e) => e.ts } },
      }),
      { numRuns: 60 },
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
            .reduce(
              (n: number) => n + 1,
              () => 0,
            )
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

  it('fires each key’s event-time timers once, in order, whatever the partitions, schedules and faults', async () => {
    await fc.assert(
      checkPipeline({
        build: ({ source, sink }: PipelineIO<Event, { key: string; time: number }>, { delay, partitions }: { delay: number; partitions: number }) =>
          pipeline(source)
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
            .to(sink),
        input: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c', 'd'), ts: fc.integer({ min: 0, max: 200 }) }), { maxLength: 60 }),
        params: fc.record({ delay: fc.integer({ min: 0, max: 50 }), partitions: fc.integer({ min: 1, max: 4 }) }),
        model: (events, { delay }) =>
          ['a', 'b', 'c', 'd'].flatMap((key) =>
            [...new Set(events.filter((e) => e.key === key).map((e) => e.ts + delay))].sort((x, y) => x - y).map((time) => ({ key, time })),
          ),
        compare: 'per-key-order',
        keyOf: (out) => out.key,
        faults: { throws: true, crashes: true, disorder: { bound: BOUND, timestampOf: (e) => e.ts } },
      }),
      { numRuns: 50 },
    );
  });
});
