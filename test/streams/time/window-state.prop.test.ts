/**
 * WindowState against models. Records arrive out of order within a bound; after each record the
 * watermark moves to (largest timestamp − bound − 1), as a WatermarkTracker would; at the end it
 * jumps to the end of time. The last firing of each (key, window) must equal a model's result.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { END_OF_TIME, WindowState, assignWindows, session, sliding, tumbling, type WindowAssigner, type WindowFiring } from '../../../src/index.js';

interface Rec {
  readonly key: string;
  readonly ts: number;
  readonly value: number;
}

/** Sum of values, and the values in arrival order: enough to catch a record counted twice or lost. */
const sumAndValues = {
  create: () => ({ sum: 0, values: [] as readonly number[] }),
  add: (acc: { sum: number; values: readonly number[] }, value: number) => ({ sum: acc.sum + value, values: [...acc.values, value] }),
  merge: (a: { sum: number; values: readonly number[] }, b: { sum: number; values: readonly number[] }) => ({
    sum: a.sum + b.sum,
    values: [...a.values, ...b.values],
  }),
  result: (acc: { sum: number; values: readonly number[] }) => ({ sum: acc.sum, values: [...acc.values].sort((x, y) => x - y) }),
};

/** Records in an arrival order where none is more than `bound` behind the largest seen. */
const arrivalsArb = (bound: number) =>
  fc
    .array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), ts: fc.integer({ min: 0, max: 300 }), value: fc.integer({ min: 1, max: 9 }) }), { maxLength: 40 })
    .map((records): Rec[] => {
      const sorted: Rec[] = [...records].sort((x, y) => x.ts - y.ts);
      // Perturb: swap neighbours whose timestamps are within the bound.
      for (let i = 1; i < sorted.length; i += 2) {
        const a = sorted[i - 1] as Rec;
        const b = sorted[i] as Rec;
        if (b.ts - a.ts <= bound) [sorted[i - 1], sorted[i]] = [b, a];
      }
      return sorted;
    });

function run(assigner: WindowAssigner, records: readonly Rec[], bound: number, lateness: number, extraLate: readonly Rec[]) {
  const state = new WindowState<string, number, ReturnType<typeof sumAndValues.create>, ReturnType<typeof sumAndValues.result>>({
    assigner,
    aggregate: sumAndValues,
    allowedLatenessMs: lateness,
  });
  const firings: WindowFiring<string, ReturnType<typeof sumAndValues.result>>[] = [];
  const late: Rec[] = [];
  const watermarks: number[] = [];
  let max = -Infinity;
  const feed = (record: Rec) => {
    watermarks.push(state.watermark);
    const outcome = state.add(record.key, record.value, record.ts);
    if (outcome.late) late.push(record);
    firings.push(...outcome.firings);
    max = Math.max(max, record.ts);
    firings.push(...state.advance(max - bound - 1));
  };
  records.forEach(feed);
  extraLate.forEach(feed);
  firings.push(...state.advance(END_OF_TIME));
  return { firings, late, watermarks, state };
}

function lastFirings<T>(firings: readonly WindowFiring<string, T>[]): Map<string, T> {
  const last = new Map<string, T>();
  for (const f of firings) last.set(`${f.key}|${f.window.start}|${f.window.end}`, f.result);
  return last;
}

describe('WindowState', () => {
  it.each([
    ['tumbling', tumbling(50)],
    ['sliding', sliding(60, 20)],
  ])('ends with %s window results equal to a model of the records that were not too late', async (_name, assigner) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }).chain((bound) => fc.tuple(fc.constant(bound), arrivalsArb(bound))),
        fc.integer({ min: 0, max: 40 }),
        fc.array(fc.record({ key: fc.constantFrom('a', 'b'), ts: fc.integer({ min: 0, max: 300 }), value: fc.integer({ min: 1, max: 9 }) }), { maxLength: 5 }),
        ([bound, records], lateness, stragglers) => {
          const all = [...records, ...stragglers];
          const { firings, late, watermarks, state } = run(assigner, records, bound, lateness, stragglers);
          // Model: a record counts in a window unless that window's end − 1 + lateness was already
          // passed by the watermark when the record arrived.
          const model = new Map<string, number[]>();
          const modelLate: Rec[] = [];
          all.forEach((record, i) => {
            const wm = watermarks[i] as number;
            const windows = assignWindows(assigner, record.ts).filter((w) => !(w.end - 1 + lateness <= wm));
            if (windows.length === 0) modelLate.push(record);
            for (const w of windows) {
              const id = `${record.key}|${w.start}|${w.end}`;
              model.set(id, [...(model.get(id) ?? []), record.value]);
            }
          });
          const expected = new Map([...model].map(([id, values]) => [id, { sum: values.reduce((x, y) => x + y, 0), values: values.sort((x, y) => x - y) }]));
          expect(lastFirings(firings)).toEqual(expected);
          expect(late).toEqual(modelLate);
          expect(state.windowCount).toBe(0);
          // On-time firings happen only once the watermark passed the window's end.
          for (const f of firings) if (!f.late) expect(f.window.end - 1).toBeLessThanOrEqual(state.watermark);
        },
      ),
    );
  });

  it('ends with session results equal to a naive reference that merges sessions record by record', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }).chain((bound) => fc.tuple(fc.constant(bound), arrivalsArb(bound))),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 30 }),
        ([bound, records], gap, lateness) => {
          const { firings, late } = run(session(gap), records, bound, lateness, []);
          const reference = naiveSessions(records, gap, bound, lateness);
          expect(lastFirings(firings)).toEqual(reference.results);
          expect(late).toEqual(reference.late);
        },
      ),
    );
  });
});

/** Sessions kept as plain lists and scanned in full on every step: slow, obviously right. */
function naiveSessions(records: readonly Rec[], gap: number, bound: number, lateness: number) {
  type Sess = { key: string; start: number; end: number; values: number[] };
  let live: Sess[] = [];
  const results = new Map<string, { sum: number; values: number[] }>();
  const late: Rec[] = [];
  let watermark = -Infinity;
  let max = -Infinity;
  const report = (s: Sess) =>
    results.set(`${s.key}|${s.start}|${s.end}`, { sum: s.values.reduce((x, y) => x + y, 0), values: [...s.values].sort((x, y) => x - y) });
  const advance = (to: number) => {
    if (to <= watermark) return;
    watermark = to;
    for (const s of live) if (s.end - 1 <= watermark) report(s);
    live = live.filter((s) => !(s.end - 1 + lateness <= watermark));
  };
  for (const record of records) {
    if (record.ts + gap - 1 + lateness <= watermark) {
      late.push(record);
    } else {
      // Sessions that overlap the record's own [ts, ts + gap); one that only touches it stays apart.
      const overlapping = live.filter((s) => s.key === record.key && s.start < record.ts + gap && record.ts < s.end);
      const merged: Sess = {
        key: record.key,
        start: Math.min(record.ts, ...overlapping.map((s) => s.start)),
        end: Math.max(record.ts + gap, ...overlapping.map((s) => s.end)),
        values: [...overlapping.flatMap((s) => s.values), record.value],
      };
      live = [...live.filter((s) => !overlapping.includes(s)), merged];
      if (merged.end - 1 <= watermark) report(merged);
    }
    max = Math.max(max, record.ts);
    advance(max - bound - 1);
  }
  advance(Infinity);
  return { results, late };
}
