/**
 * The source drive on its own: a real router whose sends are recorded, sources of every reading
 * style (chunks, items, async items), and barriers, stops and event time asked for by hand.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromArray, fromGenerator, type Source, type SourceItem } from '../../../src/index.js';
import type { TimestampStep } from '../../../src/streams/internal/logical-plan.js';
import type { PipelineDeadLetter, StageMessage } from '../../../src/streams/run/messages.js';
import { Router } from '../../../src/streams/run/router.js';
import { driveSource, type BarrierRequests, type SourceDriverSetup } from '../../../src/streams/run/source-driver.js';
import { planStepChain } from '../../../src/streams/run/step-chain.js';
import { VirtualClock } from '../../../src/testing/index.js';

interface Drive {
  readonly sent: StageMessage<unknown>[];
  readonly deadLetters: PipelineDeadLetter[];
  readonly setup: SourceDriverSetup;
}

function drive(source: Source<unknown, unknown>, overrides: Partial<SourceDriverSetup> = {}, head = planStepChain([], false)): Drive {
  const sent: StageMessage<unknown>[] = [];
  const deadLetters: PipelineDeadLetter[] = [];
  const router = new Router({
    next: undefined,
    batchSize: 3,
    retries: 0,
    send: async (_index, message) => void sent.push(message),
    deadLetter: (letter) => void deadLetters.push(letter),
    from: 0,
    timed: head.timed,
    carriesWatermarks: head.generator !== undefined,
  });
  const setup: SourceDriverSetup = {
    source,
    head,
    router,
    retries: 0,
    batchSize: 3,
    lingerMs: 5,
    clock: new VirtualClock(),
    counters: { name: 'source', recordsIn: 0, recordsOut: 0 },
    deadLetter: (letter) => void deadLetters.push(letter),
    stopping: () => false,
    failed: (error) => {
      throw error;
    },
    from: source.start,
    wake: () => new Promise<void>(() => undefined),
    ...overrides,
  };
  return { sent, deadLetters, setup };
}

/** What a feed source saw: its requests, answers and cancel, in order. */
type FeedLog = string[];

/**
 * A source read through `readFeed` alone: each request is answered at once, or from a microtask
 * when `later(offset)`, or never when `never(offset)`; two requests outstanding at once throw.
 */
function feedSource(
  values: readonly unknown[],
  options: { later?: (at: number) => boolean; never?: (at: number) => boolean; log?: FeedLog } = {},
): Source<unknown, number> {
  const { later = () => false, never = () => false, log = [] } = options;
  return {
    name: 'feed',
    replayable: true,
    start: 0,
    read: () => {
      throw new Error('a feed source is read through its feed');
    },
    readFeed(from = 0, reader) {
      let at = from;
      let cancelled = false;
      let outstanding = false;
      const answer = (): void => {
        if (cancelled) return;
        outstanding = false;
        log.push(`answer ${at}`);
        if (at === values.length) return reader.end();
        at++;
        reader.item({ kind: 'record', value: values[at - 1], next: at });
      };
      return {
        request: () => {
          if (outstanding) throw new Error('two requests outstanding');
          outstanding = true;
          log.push(`request ${at}`);
          if (never(at)) return;
          if (later(at)) queueMicrotask(answer);
          else answer();
        },
        cancel: () => {
          cancelled = true;
          log.push('cancel');
        },
      };
    },
  };
}

/** Barrier requests asked for by hand (`signal.due = true`), recording the offset each barrier begins at. */
function recordedBarriers(): { readonly signal: { due: boolean }; readonly begun: unknown[]; readonly barriers: BarrierRequests } {
  const signal = { due: false };
  const begun: unknown[] = [];
  const begin = (offset: unknown): { readonly id: number } => {
    signal.due = false;
    begun.push(offset);
    return { id: 7 };
  };
  return { signal, begun, barriers: { signal, begin } };
}

/**
 * Drives `source`, which yields two records and then never answers: woken with a barrier due, the
 * driver sends it at once after them, and woken with a stop, it ends the read at offset 2. Returns
 * how many times the driver asked for a wake promise.
 */
async function barrierThenStop(source: Source<unknown, unknown>): Promise<{ readonly wakes: number }> {
  const { signal, begun, barriers } = recordedBarriers();
  let wake!: () => void;
  let wakes = 0;
  let stopping = false;
  const { sent, setup } = drive(source, {
    stopping: () => stopping,
    wake: () => {
      wakes++;
      return new Promise<void>((resolve) => (wake = resolve));
    },
    barriers,
  });
  const driving = driveSource(setup);
  while (setup.counters.recordsIn < 2) await new Promise<void>((resolve) => setImmediate(resolve));
  signal.due = true;
  wake();
  while (begun.length === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  expect(begun).toEqual([2]);
  expect(sent.map((m) => m.type)).toEqual(['batch', 'barrier']);
  stopping = true;
  wake();
  expect((await driving).offset).toBe(2);
  return { wakes };
}

const batches = (sent: readonly StageMessage<unknown>[]): unknown[][] =>
  sent.filter((m) => m.type === 'batch').map((m) => [...(m as { entries: readonly unknown[] }).entries]);

describe('driveSource', () => {
  it.each([
    ['chunks (an array)', fromArray([1, 2, 3, 4, 5, 6, 7])],
    [
      'items (a sync generator)',
      fromGenerator(function* (from: number) {
        for (let i = from + 1; i <= 7; i++) yield i;
      }),
    ],
    [
      'async items (an async generator)',
      fromGenerator(async function* (from: number) {
        for (let i = from + 1; i <= 7; i++) yield i;
      }),
    ],
    ['a feed answering at once', feedSource([1, 2, 3, 4, 5, 6, 7])],
    ['a feed answering from microtasks', feedSource([1, 2, 3, 4, 5, 6, 7], { later: () => true })],
  ])('reads %s in batches of batchSize and reports the offset after the last record', async (_kind, source) => {
    const { sent, setup } = drive(source as Source<unknown, unknown>);
    const outcome = await driveSource(setup);
    // The last, part-filled batch stays with the router: the caller ends the input (or checkpoints).
    expect(batches(sent)).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(setup.router.buffered).toBe(1);
    expect(outcome.offset).toBe(7);
    expect(setup.counters).toMatchObject({ recordsIn: 7, recordsOut: 7 });
  });

  it('starts at `from` and stops reading as soon as it is told to, at a record boundary', async () => {
    let read = 0;
    const source = fromGenerator(function* (from: number) {
      for (let i = from; i < 20; i++) {
        read++;
        yield i;
      }
    });
    const { sent, setup } = drive(source, { from: 2, stopping: () => read >= 4 });
    const outcome = await driveSource(setup);
    await setup.router.flush();
    expect(batches(sent).flat()).toEqual([2, 3, 4, 5]);
    expect(outcome.offset).toBe(6);
  });

  it('injects a barrier where one is due, with the offset after the records before it', async () => {
    const signal = { due: false };
    const begun: unknown[] = [];
    let read = 0;
    const source = fromGenerator(function* (from: number) {
      for (let i = from; i < 6; i++) {
        read++;
        // Asked for after the third record is read.
        if (read === 4) signal.due = true;
        yield `r${i}`;
      }
    });
    const { sent, setup } = drive(source, {
      barriers: {
        signal,
        begin(offset) {
          signal.due = false;
          begun.push(offset);
          return { id: 1 };
        },
      },
    });
    await driveSource(setup);
    // The barrier follows every record before its offset, flushed ahead of it.
    expect(begun).toEqual([4]);
    const order = sent.map((m) => (m.type === 'batch' ? [...m.entries].join(',') : m.type));
    expect(order).toEqual(['r0,r1,r2', 'r3', 'barrier']);
  });

  it('dead-letters a malformed item with its reason and line, and goes on', async () => {
    const items: SourceItem<unknown, number>[] = [
      { kind: 'record', value: { a: 1 }, next: 1 },
      { kind: 'malformed', raw: 'not json', error: new SyntaxError('not JSON'), line: 2, next: 2 },
      { kind: 'record', value: { a: 3 }, next: 3 },
    ];
    const lines: Source<unknown, number> = {
      name: 'lines',
      replayable: true,
      start: 0,
      async *read(from = 0) {
        yield* items.slice(from);
      },
    };
    const { sent, deadLetters, setup } = drive(lines as Source<unknown, unknown>);
    await driveSource(setup);
    await setup.router.flush();
    expect(batches(sent)).toEqual([[{ a: 1 }, { a: 3 }]]);
    expect(deadLetters).toMatchObject([{ reason: 'malformed', record: 'not json', line: 2 }]);
  });

  it('reacts once to a wake promise however many records it stays pending over', async () => {
    let reactions = 0;
    const never = new Promise<void>(() => undefined);
    const counted = { then: (...args: Parameters<Promise<void>['then']>) => (reactions++, never.then(...args)) } as unknown as Promise<void>;
    const source = fromGenerator(async function* (from: number) {
      for (let i = from; i < 50; i++) yield i;
    });
    const { sent, setup } = drive(source, { wake: () => counted });
    expect((await driveSource(setup)).offset).toBe(50);
    await setup.router.flush();
    expect(batches(sent).flat()).toHaveLength(50);
    expect(reactions).toBe(1);
  });

  it('looks up from a source slow to answer when woken: a barrier wanted goes out at once, a stop ends the read', async () => {
    await barrierThenStop(
      fromGenerator(async function* () {
        yield 'a';
        yield 'b';
        await new Promise<never>(() => undefined); // the third record never comes
      }),
    );
  });

  it('sends each record with the watermark of those before it, and watermarks after the records they cover', async () => {
    const step: TimestampStep = { kind: 'timestamps', name: 'at', timestampOf: (r) => r as number, maxOutOfOrdernessMs: 10, idleTimeoutMs: Infinity };
    const { sent, setup } = drive(fromArray([100, 120, 105, 130]), {}, planStepChain([step], false));
    const outcome = await driveSource(setup);
    await setup.router.flush();
    const records = sent.filter((m) => m.type === 'batch') as Extract<StageMessage<unknown>, { type: 'batch' }>[];
    expect(records.flatMap((m) => [...m.entries])).toEqual([100, 120, 105, 130]);
    expect(records.flatMap((m) => [...(m.watermarks ?? [])])).toEqual([Number.NEGATIVE_INFINITY, 89, 109, 109]);
    expect(outcome.maxTimestamp).toBe(130);
  });

  describe('a source read through its feed', () => {
    it('takes every item in order, asking for one at a time, however the answers are timed and wherever the run stops', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer(), { maxLength: 30 }),
          fc.array(fc.boolean(), { minLength: 31, maxLength: 31 }),
          fc.option(fc.nat({ max: 30 }), { nil: undefined }),
          async (values, later, stopAfter) => {
            const log: FeedLog = [];
            const source = feedSource(values, { later: (at) => later[at] === true, log });
            const { sent, setup } = drive(source, { stopping: () => stopAfter !== undefined && setup.counters.recordsIn >= stopAfter });
            const outcome = await driveSource(setup);
            await setup.router.flush();
            const taken = stopAfter === undefined ? values.length : Math.min(stopAfter, values.length);
            expect(batches(sent).flat()).toEqual(values.slice(0, taken));
            expect(outcome.offset).toBe(taken);
            // Requests and answers alternate; a stop after a record and before the end cancels the
            // read (a run stopped before its first record never starts one).
            const asked = log.filter((entry) => entry !== 'cancel');
            asked.forEach((entry, i) => expect(entry.startsWith(i % 2 === 0 ? 'request' : 'answer')).toBe(true));
            expect(log.includes('cancel')).toBe(stopAfter !== undefined && stopAfter >= 1 && stopAfter <= values.length);
          },
        ),
      );
    });

    it('looks up from a feed slow to answer when woken: a barrier wanted goes out at once, a stop cancels the read', async () => {
      const log: FeedLog = [];
      const { wakes } = await barrierThenStop(feedSource(['a', 'b', 'c'], { never: (at) => at === 2, log }));
      expect(log).toEqual(['request 0', 'answer 0', 'request 1', 'answer 1', 'request 2', 'cancel']);
      // One wait before the barrier, one after it: a wake promise is asked for per wait, not per record.
      expect(wakes).toBe(2);
    });

    it('fails the read with the error a feed fails with, or that starting it throws', async () => {
      const broken = new Error('the queue is gone');
      const failing: Source<unknown, number> = {
        ...feedSource([]),
        readFeed: (_from, reader) => ({ request: () => queueMicrotask(() => reader.fail(broken)), cancel: () => undefined }),
      };
      await expect(driveSource(drive(failing as Source<unknown, unknown>).setup)).rejects.toBe(broken);
      const refusing: Source<unknown, number> = {
        ...feedSource([]),
        readFeed: () => {
          throw broken;
        },
      };
      await expect(driveSource(drive(refusing as Source<unknown, unknown>).setup)).rejects.toBe(broken);
    });
  });
});
