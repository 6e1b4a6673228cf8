import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  InvalidPipelineError,
  END_OF_TIME,
  fromArray,
  pipeline,
  session,
  sliding,
  toArray,
  tumbling,
  type Keyed,
  type PipelineDeadLetter,
  type WindowResult,
} from '../../../src/index.js';
import { VirtualClock } from '../../../src/testing/index.js';
import { controlledSource } from './controlled-source.js';

interface Click {
  readonly user: string;
  readonly ts: number;
}

const clicks: Click[] = [
  { user: 'a', ts: 1_000 },
  { user: 'b', ts: 1_500 },
  { user: 'a', ts: 900 },
  { user: 'a', ts: 12_000 },
  { user: 'b', ts: 200 },
  { user: 'a', ts: 25_000 },
  { user: 'a', ts: 100 },
];

const byWindow = (a: WindowResult<string, number>, b: WindowResult<string, number>): number =>
  a.key.localeCompare(b.key) || a.window.start - b.window.start || Number(a.late) - Number(b.late);

describe('KeyedStream', () => {
  describe('window', () => {
    it('fires each key’s tumbling windows once the watermark passes them, and sends later records to the late output', async () => {
      const out = toArray<WindowResult<string, number>>();
      const late = toArray<Click>();
      const result = await pipeline(fromArray(clicks))
        .withTimestamps((c) => c.ts, { maxOutOfOrdernessMs: 2_000 })
        .keyBy((c) => c.user, { partitions: 2 })
        .window(tumbling(10_000), { lateRecords: late })
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(out)
        .run({ batchSize: 1 }).done;
      expect([...out.records].sort(byWindow)).toEqual([
        { key: 'a', window: { start: 0, end: 10_000 }, value: 2, late: false },
        { key: 'a', window: { start: 10_000, end: 20_000 }, value: 1, late: false },
        { key: 'a', window: { start: 20_000, end: 30_000 }, value: 1, late: false },
        { key: 'b', window: { start: 0, end: 10_000 }, value: 1, late: false },
      ]);
      expect(late.records).toEqual([
        { user: 'b', ts: 200 },
        { user: 'a', ts: 100 },
      ]);
      expect(result.lateRecords).toBe(2);
      expect(result.deadLetters).toBe(0);
    });

    it('dead-letters late records with reason late and their event time when no late output is given', async () => {
      const dead = toArray<PipelineDeadLetter>();
      const result = await pipeline(fromArray(clicks))
        .withTimestamps((c) => c.ts, { maxOutOfOrdernessMs: 2_000 })
        .keyBy((c) => c.user, { partitions: 1 })
        .window(tumbling(10_000), { name: 'per-user' })
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(toArray())
        .run({ batchSize: 1, deadLetters: dead }).done;
      expect(dead.records.map(({ reason, stage, record, timestamp }) => ({ reason, stage, record, timestamp }))).toEqual([
        { reason: 'late', stage: 'per-user', record: { user: 'b', ts: 200 }, timestamp: 200 },
        { reason: 'late', stage: 'per-user', record: { user: 'a', ts: 100 }, timestamp: 100 },
      ]);
      expect(result).toMatchObject({ deadLetters: 2, lateRecords: 2 });
    });

    it('fires a window again, marked late, for each late record within the allowed lateness', async () => {
      const out = toArray<WindowResult<string, number>>();
      await pipeline(
        fromArray([
          { user: 'a', ts: 5 },
          { user: 'a', ts: 30 },
          { user: 'a', ts: 7 },
          { user: 'a', ts: 60 },
          { user: 'a', ts: 8 },
        ]),
      )
        .withTimestamps((c) => c.ts)
        .keyBy((c) => c.user, { partitions: 1 })
        .window(tumbling(10), { allowedLatenessMs: 25 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(out)
        .run({ batchSize: 1 }).done;
      const first = out.records.filter((r) => r.window.start === 0);
      // ts 7 arrives after the watermark (29) passed [0, 10) but within 25 ms of lateness: an update;
      // ts 8 arrives after the watermark (59) passed 9 + 25: too late, the window is gone.
      expect(first).toEqual([
        { key: 'a', window: { start: 0, end: 10 }, value: 1, late: false },
        { key: 'a', window: { start: 0, end: 10 }, value: 2, late: true },
      ]);
    });

    it('stamps window results with the window’s last millisecond, so a later window can regroup them', async () => {
      const out = toArray<WindowResult<string, number>>();
      await pipeline(fromArray([1, 2, 11, 12, 13, 25].map((ts) => ({ user: 'a', ts }))))
        .withTimestamps((c) => c.ts)
        .keyBy((c) => c.user, { partitions: 2 })
        .window(tumbling(10))
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .keyBy((r) => r.key, { partitions: 3 })
        .window(tumbling(20))
        .reduce(
          (total: number, r) => total + r.value,
          () => 0,
        )
        .to(out)
        .run({ batchSize: 2 }).done;
      expect([...out.records].sort(byWindow)).toEqual([
        { key: 'a', window: { start: 0, end: 20 }, value: 5, late: false },
        { key: 'a', window: { start: 20, end: 40 }, value: 1, late: false },
      ]);
    });

    it('merges a key’s sessions that a record bridges', async () => {
      const out = toArray<WindowResult<string, number>>();
      await pipeline(fromArray([0, 24, 8, 16, 100].map((ts) => ({ user: 'a', ts }))))
        .withTimestamps((c) => c.ts, { maxOutOfOrdernessMs: 50 })
        .keyBy((c) => c.user, { partitions: 2 })
        .window(session(10))
        .aggregate({ create: () => 0, add: (n: number) => n + 1, merge: (x, y) => x + y, result: (n) => n })
        .to(out)
        .run({ batchSize: 1 }).done;
      expect([...out.records].sort(byWindow)).toEqual([
        { key: 'a', window: { start: 0, end: 34 }, value: 4, late: false },
        { key: 'a', window: { start: 100, end: 110 }, value: 1, late: false },
      ]);
    });

    it('passes the key and the window to the aggregate’s result', async () => {
      const out = toArray<WindowResult<string, string>>();
      await pipeline(fromArray([{ user: 'a', ts: 3 }]))
        .withTimestamps((c) => c.ts)
        .keyBy((c) => c.user, { partitions: 1 })
        .window(sliding(10, 5))
        .aggregate({ create: () => 0, add: (n: number) => n + 1, result: (n, key, window) => `${key}:${window.start}-${window.end}:${n}` })
        .to(out)
        .run().done;
      expect(out.records.map((r) => r.value)).toEqual(['a:-5-5:1', 'a:0-10:1']);
    });

    it('throws at build time on a stream without timestamps, naming the operator', () => {
      const keyed = pipeline(fromArray(clicks)).keyBy((c) => c.user, { partitions: 1 });
      expect(() => keyed.window(tumbling(10), { name: 'hourly' })).toThrow(InvalidPipelineError);
      expect(() => keyed.window(tumbling(10), { name: 'hourly' })).toThrow(/`hourly`.*withTimestamps/);
    });

    it('throws at build time for session windows without merge, and for invalid options', () => {
      const keyed = pipeline(fromArray(clicks))
        .withTimestamps((c) => c.ts)
        .keyBy((c) => c.user, { partitions: 1 });
      expect(() =>
        keyed.window(session(10)).reduce(
          (n: number) => n + 1,
          () => 0,
        ),
      ).toThrow(/session windows merge/);
      expect(() => keyed.window(tumbling(10), { allowedLatenessMs: -1 })).toThrow(InvalidOptionError);
      expect(() => keyed.window(tumbling(10), { allowedLatenessMs: -1 })).toThrow(/allowedLatenessMs/);
      expect(() => keyed.window(tumbling(10), { lateRecords: {} as never })).toThrow(/lateRecords/);
    });
  });

  describe('withTimestamps', () => {
    it('dead-letters a record whose event time is not a finite number, naming the step', async () => {
      const out = toArray<WindowResult<string, number>>();
      const result = await pipeline(
        fromArray([
          { user: 'a', ts: 1 },
          { user: 'a', ts: Number.NaN },
          { user: 'a', ts: 2 },
        ]),
      )
        .withTimestamps((c) => c.ts, { name: 'event-time' })
        .keyBy((c) => c.user, { partitions: 1 })
        .window(tumbling(10))
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(out)
        .run().done;
      expect(out.records.map((r) => r.value)).toEqual([2]);
      expect(result.deadLetters).toBe(1);
    });

    it('dead-letters an event time that is not a finite number at once, as invalid-timestamp, without trying it again', async () => {
      const calls = new Map<string, number>();
      const records = [
        { id: 'nan', ts: Number.NaN },
        { id: 'text', ts: '12' as unknown as number },
        { id: 'ok', ts: 3 },
      ];
      const handle = pipeline(fromArray(records))
        .withTimestamps(
          (c) => {
            calls.set(c.id, (calls.get(c.id) ?? 0) + 1);
            return c.ts;
          },
          { name: 'event-time' },
        )
        .keyBy((c) => c.id, { partitions: 1 })
        .window(tumbling(10))
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(toArray())
        .run({ retries: 3 });
      await handle.done;
      expect(Object.fromEntries(calls)).toEqual({ nan: 1, text: 1, ok: 1 });
      expect(handle.deadLetters()).toMatchObject([
        { reason: 'invalid-timestamp', stage: 'event-time', record: records[0] },
        { reason: 'invalid-timestamp', stage: 'event-time', record: records[1] },
      ]);
      expect(String((handle.deadLetters()[1]?.error as Error).message)).toContain('got "12"');
    });

    it('validates its options at build time, naming them', () => {
      const stream = pipeline(fromArray(clicks));
      expect(() => stream.withTimestamps((c) => c.ts, { maxOutOfOrdernessMs: -5 })).toThrow(/maxOutOfOrdernessMs/);
      expect(() => stream.withTimestamps((c) => c.ts, { idleTimeoutMs: 0 })).toThrow(/idleTimeoutMs/);
      expect(() => stream.withTimestamps(5 as never)).toThrow(/timestampOf/);
    });

    it('can run inside a partition: its watermarks then come from there', async () => {
      const out = toArray<WindowResult<string, number>>();
      await pipeline(
        fromArray([
          { user: 'a', at: '4' },
          { user: 'b', at: '12' },
          { user: 'a', at: '15' },
        ]),
      )
        .rebalance({ partitions: 2 })
        .map((c) => ({ user: c.user, ts: Number(c.at) }))
        .withTimestamps((c) => c.ts)
        .keyBy((c) => c.user, { partitions: 2 })
        .window(tumbling(10))
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(out)
        .run({ batchSize: 1 }).done;
      expect([...out.records].sort(byWindow)).toEqual([
        { key: 'a', window: { start: 0, end: 10 }, value: 1, late: false },
        { key: 'a', window: { start: 10, end: 20 }, value: 1, late: false },
        { key: 'b', window: { start: 10, end: 20 }, value: 1, late: false },
      ]);
    });

    it('lets windows fire while an input that went idle sends nothing', async () => {
      const clock = new VirtualClock();
      const source = controlledSource<Click>();
      const out = toArray<WindowResult<string, number>>();
      const handle = pipeline(source)
        // Every record has key 'a', so partition 1 of this stage never sees one: without idleness
        // its watermark would hold the windows downstream back until the input ends.
        .keyBy((c) => c.user, { partitions: 2, maxParallelism: 2 })
        .process<null, Click>({ initialState: () => null, onRecord: (state, c, ctx) => (ctx.emit(c), state) })
        .withTimestamps((c) => c.ts, { idleTimeoutMs: 1_000 })
        .keyBy((c) => c.user, { partitions: 1 })
        .window(tumbling(10))
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(out)
        .run({ clock, batchSize: 1, lingerMs: 0 });
      source.push({ user: 'a', ts: 1 }, { user: 'a', ts: 2 }, { user: 'a', ts: 30 });
      // Time passes only as the test says; each step lets the actors take what is due.
      while (out.records.length === 0) {
        await clock.advance(500);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      expect(out.records).toEqual([{ key: 'a', window: { start: 0, end: 10 }, value: 2, late: false }]);
      expect(clock.now()).toBeGreaterThanOrEqual(1_000);
      source.end();
      await handle.done;
      expect(out.records.map((r) => r.window.start)).toEqual([0, 30]);
    });
  });

  describe('process', () => {
    it('fires event-time timers in order as the watermark passes them, with the key’s state', async () => {
      const out = toArray<string>();
      await pipeline(
        fromArray([
          { user: 'a', ts: 10 },
          { user: 'b', ts: 12 },
          { user: 'a', ts: 14 },
          { user: 'a', ts: 40 },
          { user: 'b', ts: 50 },
        ]),
      )
        .withTimestamps((c) => c.ts)
        .keyBy((c) => c.user, { partitions: 2 })
        .process<number, string>({
          initialState: () => 0,
          onRecord(count, click, ctx) {
            ctx.registerEventTimer(click.ts + 20);
            return count + 1;
          },
          onTimer(count, timer, ctx) {
            ctx.emit(`${ctx.key}@${timer.time}/${ctx.timestamp}:${count}`);
            return count;
          },
        })
        .to(out)
        .run({ batchSize: 1 }).done;
      const perKey = (key: string): string[] => out.records.filter((r) => r.startsWith(key));
      // a's timers at 30 and 34 fire once the watermark passes 34: the record at 40 brings it, so
      // it has counted by then; the timer at 60 fires at the end of input. b's timer at 32 fires on
      // that watermark too, before b's record at 50.
      expect(perKey('a')).toEqual(['a@30/30:3', 'a@34/34:3', 'a@60/60:3']);
      expect(perKey('b')).toEqual(['b@32/32:1', 'b@70/70:2']);
    });

    it('fires processing-time timers on the pipeline’s clock, and clearState starts the key afresh', async () => {
      const clock = new VirtualClock(1_000);
      const source = controlledSource<{ user: string }>();
      const out = toArray<Keyed<string, number>>();
      const handle = pipeline(source)
        .keyBy((c) => c.user, { partitions: 2 })
        .process<number, Keyed<string, number>>({
          initialState: () => 0,
          onRecord(count, _click, ctx) {
            if (count === 0) ctx.registerProcessingTimer(ctx.now + 60_000);
            return count + 1;
          },
          onTimer(count, timer, ctx) {
            expect(timer.domain).toBe('processing-time');
            ctx.emit({ key: ctx.key, value: count });
            ctx.clearState();
            return count;
          },
        })
        .to(out)
        .run({ clock, batchSize: 1, lingerMs: 0 });
      source.push({ user: 'a' }, { user: 'a' }, { user: 'b' });
      while (out.records.length < 2) {
        await clock.advance(30_000);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      source.push({ user: 'a' });
      while (out.records.length < 3) {
        await clock.advance(30_000);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      source.end();
      await handle.done;
      expect([...out.records].sort((x, y) => x.key.localeCompare(y.key) || x.value - y.value)).toEqual([
        { key: 'a', value: 1 },
        { key: 'a', value: 2 },
        { key: 'b', value: 1 },
      ]);
    });

    it('hands an immer draft to draft handlers', async () => {
      const out = toArray<readonly string[]>();
      await pipeline(fromArray(['x', 'y', 'z']))
        .keyBy(() => 'all', { partitions: 1 })
        .process<{ seen: string[] }, readonly string[]>({
          draft: true,
          initialState: () => ({ seen: [] }),
          onRecord(draft, letter, ctx) {
            draft.seen.push(letter);
            ctx.emit([...draft.seen]);
          },
        })
        .to(out)
        .run().done;
      expect(out.records).toEqual([['x'], ['x', 'y'], ['x', 'y', 'z']]);
    });

    it('emits nothing of a try that threw: a retried handler’s outputs appear once', async () => {
      const out = toArray<string>();
      let tries = 0;
      await pipeline(fromArray(['x']))
        .keyBy((r) => r, { partitions: 1 })
        .process<null, string>({
          initialState: () => null,
          onRecord(state, record, ctx) {
            ctx.emit(`${record}-${tries}`);
            if (++tries < 3) throw new Error('flaky');
            return state;
          },
        })
        .to(out)
        .run({ retries: 2 }).done;
      expect(out.records).toEqual(['x-2']);
    });

    it('dead-letters a record whose handler registers an event-time timer on a stream without timestamps', async () => {
      const result = await pipeline(fromArray(['x']))
        .keyBy((r) => r, { partitions: 1 })
        .process<null, string>({
          initialState: () => null,
          onRecord(state, _record, ctx) {
            ctx.registerEventTimer(END_OF_TIME);
            return state;
          },
        })
        .to(toArray())
        .run({ retries: 0 });
      const done = await result.done;
      expect(done.deadLetters).toBe(1);
      expect(result.deadLetters()[0]?.error).toBeInstanceOf(InvalidPipelineError);
    });

    it('throws at build time naming a missing handler', () => {
      const keyed = pipeline(fromArray(['x'])).keyBy((r) => r, { partitions: 1 });
      expect(() => keyed.process({ initialState: () => 0 } as never)).toThrow(/fn\.onRecord/);
    });
  });

  describe('keys', () => {
    it('holds equal tuple and byte keys as one key, and emits them as the user wrote them', async () => {
      const out = toArray<Keyed<readonly [string, number], number>>();
      await pipeline(
        fromArray([
          ['a', 1],
          ['a', 1],
          ['b', 2],
          ['\u0000s', 3],
          ['\u0000s', 3],
        ] as const),
      )
        .keyBy((r) => [r[0], r[1]] as const, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
          { emit: 'final' },
        )
        .to(out)
        .run().done;
      expect([...out.records].sort((x, y) => x.key[1] - y.key[1])).toEqual([
        { key: ['a', 1], value: 2 },
        { key: ['b', 2], value: 1 },
        { key: ['\u0000s', 3], value: 2 },
      ]);
    });
  });
});
