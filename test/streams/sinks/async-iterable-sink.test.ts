import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  MemoryCheckpointStorage,
  PipelineFailedError,
  fromArray,
  fromIterable,
  pipeline,
  toAsyncIterable,
  type AsyncIterableSink,
  type Keyed,
  type SinkContext,
} from '../../../src/index.js';
import { VirtualClock } from '../../../src/testing/index.js';
import { leavesHostClean, nextMacrotask } from '../../helpers/host-guard.js';
import { refusedOption } from '../../helpers/refused-option.js';
import { controlledSource } from '../pipeline/controlled-source.js';

/** Whether `promise` has settled once every callback queued so far has run. */
async function settledSoon(promise: Promise<unknown> | void): Promise<boolean> {
  let settled = false;
  void Promise.resolve(promise).then(
    () => (settled = true),
    () => (settled = true),
  );
  await nextMacrotask();
  return settled;
}

/** Takes `count` records from the sink's iterator, without ending a loop over it. */
async function take<T>(sink: AsyncIterableSink<T>, count: number): Promise<T[]> {
  const iterator = sink[Symbol.asyncIterator]();
  const taken: T[] = [];
  for (let i = 0; i < count; i++) {
    const step = await iterator.next();
    if (step.done === true) break;
    taken.push(step.value);
  }
  return taken;
}

/** Every record the loop gets, until it ends or throws (then `error` holds what it threw). */
async function drain<T>(sink: AsyncIterable<T>): Promise<{ records: T[]; error: unknown }> {
  const records: T[] = [];
  try {
    for await (const record of sink) records.push(record);
    return { records, error: undefined };
  } catch (error) {
    return { records, error };
  }
}

/** A context that counts the stops a sink asks for. */
function runContext(): SinkContext & { stops: number } {
  const context = {
    stops: 0,
    deadLetter: () => undefined,
    stop: () => {
      context.stops++;
    },
  };
  return context;
}

/** A synchronous source of 0, 1, 2, … that counts what a pipeline read from it. */
function countingSource(total: number) {
  const counter = { read: 0 };
  function* numbers(): Generator<number> {
    for (let i = 0; i < total; i++) {
      counter.read++;
      yield i;
    }
  }
  return { source: fromIterable(numbers()), counter };
}

describe('toAsyncIterable', () => {
  describe('options', () => {
    it.each([-1, 1.5, Number.NaN, '8'])('refuses highWaterMark %s, naming `highWaterMark`', (highWaterMark) => {
      expect(() => toAsyncIterable({ highWaterMark: highWaterMark as number })).toThrow(InvalidOptionError);
      expect(() => toAsyncIterable({ highWaterMark: highWaterMark as number })).toThrow('`highWaterMark`');
    });

    it('refuses an empty name, naming `name`', () => {
      expect(() => toAsyncIterable({ name: '' })).toThrow('`name`');
    });

    it('takes 1024 records before a write waits, by default', async () => {
      const sink = toAsyncIterable<number>({ name: 'out' });
      expect(sink.name).toBe('out');
      expect(await settledSoon(sink.write(Array.from({ length: 1024 }, (_, i) => i)))).toBe(true);
      expect(await settledSoon(sink.write([1024]))).toBe(false);
    });
  });

  describe('write', () => {
    it('settles at once while the records held stay within the high-water mark', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 3 });
      expect(sink.write([1, 2])).toBeUndefined();
      expect(sink.write([3])).toBeUndefined();
      expect(sink.buffered).toBe(3);
    });

    it('waits, with a high-water mark of 0, until the loop has taken the whole batch', async () => {
      const sink = toAsyncIterable<string>({ highWaterMark: 0 });
      const writing = sink.write(['a', 'b', 'c']);
      expect(await settledSoon(writing)).toBe(false);
      expect(await take(sink, 2)).toEqual(['a', 'b']);
      expect(await settledSoon(writing)).toBe(false);
      expect(await take(sink, 1)).toEqual(['c']);
      expect(await settledSoon(writing)).toBe(true);
    });

    it('waits until the loop has brought the records held down to the high-water mark', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 2 });
      const writing = sink.write([1, 2, 3, 4, 5]);
      expect(sink.buffered).toBe(5);
      await take(sink, 2);
      expect(await settledSoon(writing)).toBe(false);
      await take(sink, 1);
      expect(sink.buffered).toBe(2);
      expect(await settledSoon(writing)).toBe(true);
    });

    it('hands batches over in the order written, and their records in order', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 10 });
      await sink.write([1, 2]);
      await sink.write([]);
      await sink.write([3]);
      const closing = sink.close?.();
      expect(await drain(sink)).toEqual({ records: [1, 2, 3], error: undefined });
      await closing;
    });
  });

  describe('close', () => {
    it('ends the loop after the last record, and settles once the loop has taken it', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 10 });
      await sink.write([1, 2, 3]);
      const closing = sink.close?.();
      expect(await settledSoon(closing)).toBe(false);
      expect(await drain(sink)).toEqual({ records: [1, 2, 3], error: undefined });
      expect(await settledSoon(closing)).toBe(true);
    });

    it('answers a loop already waiting for a record with the end', async () => {
      const sink = toAsyncIterable<number>();
      const loop = drain(sink);
      await nextMacrotask();
      await sink.close?.();
      expect(await loop).toEqual({ records: [], error: undefined });
    });
  });

  describe('release', () => {
    it('with the run’s error: the loop takes the records held, then throws that error', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 10 });
      const error = new Error('the run failed');
      await sink.write([1, 2]);
      await sink.release?.(error);
      expect(await drain(sink)).toEqual({ records: [1, 2], error });
    });

    it('with the run’s error: a loop waiting for a record throws it', async () => {
      const sink = toAsyncIterable<number>();
      const error = new Error('the run failed');
      const loop = drain(sink);
      await nextMacrotask();
      await sink.release?.(error);
      expect(await loop).toEqual({ records: [], error });
    });

    it('without an error (a stopped run): the loop ends after the records held', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 10 });
      await sink.write([1, 2]);
      await sink.release?.();
      expect(await drain(sink)).toEqual({ records: [1, 2], error: undefined });
    });

    it('throws the error once: the iterator is done afterwards', async () => {
      const sink = toAsyncIterable<number>();
      await sink.release?.(new Error('once'));
      const iterator = sink[Symbol.asyncIterator]();
      await expect(iterator.next()).rejects.toThrow('once');
      await expect(iterator.next()).resolves.toEqual({ done: true, value: undefined });
    });
  });

  describe('the iterator', () => {
    it('is one iterator, so a second loop goes on where the first left off', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 10 });
      expect(sink[Symbol.asyncIterator]()).toBe(sink[Symbol.asyncIterator]());
      await sink.write([1, 2, 3]);
      expect(await take(sink, 1)).toEqual([1]);
      const closing = sink.close?.();
      expect(await drain(sink)).toEqual({ records: [2, 3], error: undefined });
      await closing;
    });

    it('return() drops what the sink held, lets a waiting write go, and asks the run to stop', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 1 });
      const context = runContext();
      await sink.open?.(context);
      const writing = sink.write([1, 2, 3]);
      for await (const record of sink) {
        expect(record).toBe(1);
        break;
      }
      expect(await settledSoon(writing)).toBe(true);
      expect(sink.buffered).toBe(0);
      expect(context.stops).toBe(1);
      expect(sink.write([4])).toBeUndefined();
      expect(await drain(sink)).toEqual({ records: [], error: undefined });
    });

    it('return() after the input ended asks for no stop', async () => {
      const sink = toAsyncIterable<number>({ highWaterMark: 10 });
      const context = runContext();
      await sink.open?.(context);
      await sink.write([1, 2]);
      const closing = sink.close?.();
      for await (const record of sink) {
        expect(record).toBe(1);
        break;
      }
      await closing;
      expect(context.stops).toBe(0);
    });
  });

  describe('in a pipeline', () => {
    it('hands the loop every record in order and ends when the input ends; done resolves after the loop took the last one', async () => {
      const out = toAsyncIterable<number>({ highWaterMark: 4 });
      const handle = pipeline(fromArray(Array.from({ length: 500 }, (_, i) => i)))
        .map((n) => n * 2)
        .to(out)
        .run({ batchSize: 16, clock: new VirtualClock() });
      const { records, error } = await drain(out);
      expect(error).toBeUndefined();
      expect(records).toEqual(Array.from({ length: 500 }, (_, i) => i * 2));
      const result = await handle.done;
      expect(result).toMatchObject({ recordsWritten: 500, stopped: false });
    });

    it('holds a fast source back to the pace of a slow loop: the records in flight stay bounded', async () => {
      const batchSize = 16;
      const mailboxBatches = 2;
      const highWaterMark = 8;
      const { source, counter } = countingSource(100_000);
      const out = toAsyncIterable<number>({ highWaterMark });
      const handle = pipeline(source)
        .map((n) => n + 1)
        .to(out)
        .run({ batchSize, mailboxBatches, clock: new VirtualClock() });
      let taken = 0;
      let mostInFlight = 0;
      let mostHeld = 0;
      for await (const record of out) {
        taken++;
        expect(record).toBe(taken);
        mostInFlight = Math.max(mostInFlight, counter.read - taken);
        mostHeld = Math.max(mostHeld, out.buffered);
        // A slow loop: every other part of the run gets two turns of the event loop per record.
        await nextMacrotask();
        await nextMacrotask();
        if (taken === 2_000) break;
      }
      const metrics = handle.metrics();
      const result = await handle.done;
      // Read but not taken: a batch in the source's router, the sink's mailbox, the batch being
      // written and what the sink holds.
      expect(mostInFlight).toBeLessThanOrEqual(highWaterMark + (mailboxBatches + 2) * batchSize);
      expect(mostHeld).toBeLessThanOrEqual(highWaterMark + batchSize);
      expect(metrics.mailboxes['/user/pipeline/sink']?.highWaterMark).toBeLessThanOrEqual(mailboxBatches);
      expect(result.recordsRead).toBeLessThan(2_000 + highWaterMark + (mailboxBatches + 3) * batchSize);
      expect(result.stopped).toBe(true);
    });

    it('stops the run when the loop breaks off: the source is let go, done resolves stopped, nothing is left behind', () =>
      leavesHostClean(async () => {
        let letGo!: () => void;
        const sourceLetGo = new Promise<void>((resolve) => (letGo = resolve));
        async function* endless(): AsyncGenerator<number> {
          try {
            for (let i = 0; ; i++) yield i;
          } finally {
            letGo();
          }
        }
        const out = toAsyncIterable<Keyed<number, number>>({ highWaterMark: 2 });
        const handle = pipeline(fromIterable(endless()))
          .keyBy((n) => n % 3, { partitions: 3 })
          .reduce(
            (count: number) => count + 1,
            () => 0,
          )
          .to(out)
          .run({ batchSize: 8, clock: new VirtualClock() });
        let taken = 0;
        for await (const update of out) {
          expect(update.value).toBeGreaterThan(0);
          if (++taken === 50) break;
        }
        const result = await handle.done;
        await sourceLetGo;
        expect(result.stopped).toBe(true);
        expect(handle.status).toBe('finished');
      }));

    it('stops the run the same way when the loop body throws, and the loop throws only its own error', () =>
      leavesHostClean(async () => {
        const source = controlledSource<number>();
        const out = toAsyncIterable<number>({ highWaterMark: 1 });
        const handle = pipeline(source).to(out).run({ batchSize: 1, clock: new VirtualClock() });
        source.push(1, 2, 3, 4);
        const mine = new Error('the loop’s own');
        const thrown = await (async () => {
          try {
            for await (const n of out) if (n === 2) throw mine;
            return undefined;
          } catch (error) {
            return error;
          }
        })();
        expect(thrown).toBe(mine);
        expect((await handle.done).stopped).toBe(true);
        expect(source.returned).toBe(true);
      }));

    it('stops the run at its start, reading nothing, when the loop broke off before it began', async () => {
      const gone = toAsyncIterable<number>();
      const iterator = gone[Symbol.asyncIterator]();
      await iterator.return?.();
      const source = controlledSource<number>();
      const result = await pipeline(source).to(gone).run({ clock: new VirtualClock() }).done;
      expect(result).toMatchObject({ stopped: true, recordsRead: 0 });
    });

    it('makes the loop throw the run’s error after the records the sink took, the error done rejects with', () =>
      leavesHostClean(async () => {
        const failure = new Error('the source broke');
        let third!: () => void;
        const thirdTaken = new Promise<void>((resolve) => (third = resolve));
        async function* breaking(): AsyncGenerator<number> {
          yield 1;
          yield 2;
          yield 3;
          await thirdTaken;
          throw failure;
        }
        const out = toAsyncIterable<number>({ highWaterMark: 0 });
        const handle = pipeline(fromIterable(breaking())).to(out).run({ batchSize: 1, clock: new VirtualClock() });
        const records: number[] = [];
        let thrown: unknown;
        try {
          for await (const n of out) {
            records.push(n);
            if (n === 3) third();
          }
        } catch (error) {
          thrown = error;
        }
        expect(records).toEqual([1, 2, 3]);
        expect(thrown).toBe(failure);
        await expect(handle.done).rejects.toBe(failure);
      }));

    it('makes the loop throw a partition’s failure, the error done rejects with', () =>
      leavesHostClean(async () => {
        const out = toAsyncIterable<Keyed<number, number>>();
        const handle = pipeline(fromArray(Array.from({ length: 100 }, (_, i) => i)))
          .keyBy((n) => n % 2, { partitions: 2 })
          .reduce(
            (total: number, n) => total + n,
            () => 0,
          )
          .to(out)
          // Partition 1 fails every time from its 21st record on: a bug, not bad data, so the run fails.
          .run({ batchSize: 4, crashAt: (target, ordinal) => target.partition === 1 && ordinal > 20, clock: new VirtualClock() });
        const { records, error } = await drain(out);
        expect(error).toBeInstanceOf(PipelineFailedError);
        expect(records.length).toBeLessThan(100);
        await expect(handle.done).rejects.toBe(error);
      }));

    it('ends the loop after what was read when the run is stopped from outside', async () => {
      const source = controlledSource<number>();
      const out = toAsyncIterable<number>();
      const handle = pipeline(source).to(out).run({ batchSize: 2, clock: new VirtualClock() });
      source.push(1, 2, 3, 4);
      const loop = drain(out);
      await handle.started;
      const stopping = handle.stop();
      const { records, error } = await loop;
      expect(error).toBeUndefined();
      expect((await stopping).stopped).toBe(true);
      expect(records).toEqual([1, 2, 3, 4].slice(0, records.length));
    });

    it('refuses a run with checkpoints at its start, naming `checkpoint`, in done and in the loop', () =>
      leavesHostClean(async () => {
        const out = toAsyncIterable<number>();
        const handle = pipeline(fromArray([1, 2, 3]))
          .to(out)
          .run({ checkpoint: { storage: new MemoryCheckpointStorage(), interval: 1_000 }, clock: new VirtualClock() });
        const { records, error } = await drain(out);
        expect(records).toEqual([]);
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect((error as InvalidOptionError).option).toBe('checkpoint');
        expect(await refusedOption(handle.done)).toBe('checkpoint');
      }));

    it('refuses a second run, naming `sink`, and leaves the first run’s loop alone', async () => {
      const source = controlledSource<number>();
      const out = toAsyncIterable<number>();
      const built = pipeline(source).to(out);
      const first = built.run({ clock: new VirtualClock() });
      const loop = drain(out);
      await first.started;
      const second = pipeline(fromArray([9]))
        .to(out)
        .run({ clock: new VirtualClock() });
      expect(await refusedOption(second.done)).toBe('sink');
      source.push(1, 2);
      source.end();
      expect(await loop).toEqual({ records: [1, 2], error: undefined });
      expect((await first.done).recordsWritten).toBe(2);
    });
  });
});
