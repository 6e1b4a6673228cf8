/**
 * The promise of event time: a job's output is a function of its input and of the options that
 * define its semantics (out-of-orderness, window kind and size, allowed lateness), never of the
 * partition count or the batch size. Each record is judged against the watermark of the records
 * before it in source order; a pure `WindowState` fed the same way, record by record, is the model.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  WindowState,
  fromArray,
  pipeline,
  toJsonLinesFile,
  type PipelineHandle,
  session,
  sliding,
  toArray,
  tumbling,
  type WindowAggregate,
  type WindowAssigner,
  type WindowResult,
} from '../../../src/index.js';

interface Event {
  readonly id: number;
  readonly key: string;
  readonly ts: number;
}

/** Ids in the order the window took them (merged in time order for panes and sessions). */
type Ids = readonly number[];

interface Semantics {
  readonly assigner: WindowAssigner;
  /** Whether the aggregate has a `merge` (sliding windows then keep panes). */
  readonly merge: boolean;
  readonly bound: number;
  readonly lateness: number;
}

interface Layout {
  readonly partitions: number;
  readonly batchSize: number;
}

const assigners: fc.Arbitrary<WindowAssigner> = fc.oneof(
  fc.integer({ min: 1, max: 40 }).map((size) => tumbling(size)),
  fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 })).map(([a, b]) => sliding(Math.max(a, b), Math.min(a, b))),
  fc.integer({ min: 1, max: 30 }).map((gap) => session(gap)),
);

const semantics: fc.Arbitrary<Semantics> = fc
  .record({
    assigner: assigners,
    merge: fc.boolean(),
    bound: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 30 })),
    lateness: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 })),
  })
  // Sessions merge their accumulators: they always need `merge`.
  .map((s) => (s.assigner.kind === 'session' ? { ...s, merge: true } : s));

/**
 * Events whose times wander forward with steps back, some of them exactly the bound behind the
 * largest time so far (the last on-time record) or one more (the first late one), and repeats.
 */
function eventsFor(bound: number): fc.Arbitrary<Event[]> {
  const step = fc.oneof(
    { weight: 6, arbitrary: fc.integer({ min: -15, max: 25 }).map((delta) => ({ kind: 'delta' as const, delta })) },
    { weight: 1, arbitrary: fc.constantFrom({ kind: 'bound' as const, extra: 0 }, { kind: 'bound' as const, extra: 1 }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'repeat' as const }) },
  );
  return fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), step), { maxLength: 80 }).map((steps) => {
    let last = 50;
    let max = Number.NEGATIVE_INFINITY;
    return steps.map(([key, s], id) => {
      let ts = last;
      if (s.kind === 'delta') ts = Math.max(0, last + s.delta);
      else if (s.kind === 'bound' && Number.isFinite(max)) ts = Math.max(0, max - bound - s.extra);
      last = ts;
      max = Math.max(max, ts);
      return { id, key, ts };
    });
  });
}

function aggregateOf(merge: boolean): WindowAggregate<Event, Ids, Ids> {
  const plain = { create: (): Ids => [], add: (ids: Ids, e: Event): Ids => [...ids, e.id], result: (ids: Ids): Ids => ids };
  return merge ? { ...plain, merge: (a: Ids, b: Ids): Ids => [...a, ...b] } : plain;
}

interface Outcome {
  /** Each key's window results, in the order they were emitted. */
  readonly results: Map<string, string[]>;
  /** Each key's late records, in order. */
  readonly late: Map<string, number[]>;
}

function appendTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

const describeResult = (window: { start: number; end: number }, ids: Ids, late: boolean): string =>
  `[${window.start},${window.end})${late ? ' late' : ''}: ${ids.join(' ')}`;

/** The model: the records in source order, the watermark moved before each one to that of the records before it. */
function model(events: readonly Event[], s: Semantics): Outcome {
  const state = new WindowState<string, Event, Ids, Ids>({ assigner: s.assigner, aggregate: aggregateOf(s.merge), allowedLatenessMs: s.lateness });
  const outcome: Outcome = { results: new Map(), late: new Map() };
  const emit = (firings: ReturnType<typeof state.advance>): void => {
    for (const f of firings) appendTo(outcome.results, f.key, describeResult(f.window, f.result, f.late));
  };
  let max = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    if (Number.isFinite(max)) emit(state.advance(max - s.bound - 1));
    const added = state.add(event.key, event, event.ts);
    if (added.late) appendTo(outcome.late, event.key, event.id);
    emit(added.firings);
    max = Math.max(max, event.ts);
  }
  emit(state.advance(Number.POSITIVE_INFINITY));
  return outcome;
}

async function runJob(events: readonly Event[], s: Semantics, layout: Layout): Promise<Outcome> {
  const out = toArray<WindowResult<string, Ids>>();
  const late = toArray<Event>();
  await pipeline(fromArray(events))
    .withTimestamps((e) => e.ts, { maxOutOfOrdernessMs: s.bound })
    .keyBy((e) => e.key, { partitions: layout.partitions })
    .window(s.assigner, { allowedLatenessMs: s.lateness, lateRecords: late })
    .aggregate({ ...aggregateOf(s.merge), result: (ids: Ids) => ids })
    .to(out)
    .run({ batchSize: layout.batchSize }).done;
  const outcome: Outcome = { results: new Map(), late: new Map() };
  for (const r of out.records) appendTo(outcome.results, r.key, describeResult(r.window, r.value, r.late));
  for (const e of late.records) appendTo(outcome.late, e.key, e.id);
  return outcome;
}

const layouts: fc.Arbitrary<Layout> = fc.record({
  partitions: fc.integer({ min: 1, max: 5 }),
  batchSize: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 64 })),
});

describe('event time', () => {
  it('gives every key the window results and late records of the model, whatever the partitions and batch size', async () => {
    await fc.assert(
      fc.asyncProperty(
        semantics.chain((s) => fc.tuple(fc.constant(s), eventsFor(s.bound), layouts)),
        async ([s, events, layout]) => {
          const expected = model(events, s);
          const actual = await runJob(events, s, layout);
          expect(actual.late).toEqual(expected.late);
          expect(actual.results).toEqual(expected.results);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives the same results when the job stops with a checkpoint and resumes with another partition count', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-event-time-resume-'));
    try {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          semantics.chain((s) => fc.tuple(fc.constant(s), eventsFor(s.bound), layouts, layouts, fc.nat())),
          async ([s, events, first, second, stopAt]) => {
            const folder = join(dir, `run-${run++}`);
            const job = (layout: Layout, stopAfter: number): PipelineHandle => {
              let seen = 0;
              let handle: PipelineHandle | undefined;
              handle = pipeline(fromArray(events))
                .tap(() => {
                  if (++seen === stopAfter) void handle?.stop();
                })
                .withTimestamps((e) => e.ts, { maxOutOfOrdernessMs: s.bound })
                .keyBy((e) => e.key, { partitions: layout.partitions })
                .window(s.assigner, { allowedLatenessMs: s.lateness })
                .aggregate({ ...aggregateOf(s.merge), result: (ids: Ids) => ids })
                .to(toJsonLinesFile<WindowResult<string, Ids>>(join(folder, 'out.jsonl')))
                .run({ batchSize: layout.batchSize, checkpoint: { dir: join(folder, 'checkpoints'), interval: Infinity } });
              return handle;
            };
            await job(first, events.length === 0 ? 0 : (stopAt % events.length) + 1).done;
            await job(second, 0).done;
            const results = new Map<string, string[]>();
            for (const line of (await readFile(join(folder, 'out.jsonl'), 'utf8')).split('\n')) {
              if (line === '') continue;
              const r = JSON.parse(line) as WindowResult<string, Ids>;
              appendTo(results, r.key, describeResult(r.window, r.value, r.late));
            }
            expect(results).toEqual(model(events, s).results);
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a session apart from a record exactly the gap after its last one, however the records are batched or spread', async () => {
    // k@0, j@1000, k@1000 with gap 1000 and no out-of-orderness: k has two sessions in every layout.
    const events: Event[] = [
      { id: 0, key: 'k', ts: 0 },
      { id: 1, key: 'j', ts: 1_000 },
      { id: 2, key: 'k', ts: 1_000 },
    ];
    const s: Semantics = { assigner: session(1_000), merge: true, bound: 0, lateness: 0 };
    for (const layout of [
      { partitions: 1, batchSize: 1 },
      { partitions: 1, batchSize: 1024 },
      { partitions: 3, batchSize: 1024 },
    ]) {
      const { results } = await runJob(events, s, layout);
      expect(results.get('k')).toEqual(['[0,1000): 0', '[1000,2000): 2']);
    }
  });
});
