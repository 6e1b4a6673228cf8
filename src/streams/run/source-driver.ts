/**
 * Drives the source into the first stage: reads records only as fast as the first stage takes
 * them, applies the head chain (the stateless steps before the first repartition), and routes the
 * results in batches. A partly filled batch goes out after `lingerMs` when the source is slow.
 * When the head assigns event times, the driver is the watermark generator: it sends watermarks
 * after the records they cover, every few batches and whenever it lingers, and says it is idle
 * after `idleTimeoutMs` without a record.
 */
import { ignore } from '../../internal/ignore.js';
import type { Clock, TimerHandle } from '../../clock.js';
import type { RecordChunk, Source, SourceItem } from '../sources/source.js';
import { NO_WATERMARK } from '../time/watermarks.js';
import type { PipelineDeadLetter } from './messages.js';
import type { OperatorCounters } from './operator-counters.js';
import type { RecordRouter } from './router.js';
import type { StepChain } from './step-chain.js';
import { drainFeed } from './feed-drain.js';
import { StepChainOutput } from './step-chain-output.js';

/** What a wait on the source resolves to when a barrier or a stop cut it short. */
const WOKEN: unique symbol = Symbol('woken');

/** Records a synchronous source loop reads between two turns of the event loop. */
const YIELD_EVERY = 4096;

/** Goes on reading: made once, so an item that awaits what is due makes no closure for its answer. */
const goOn = (): true => true;

export interface SourceDriverSetup {
  readonly source: Source<unknown, unknown>;
  readonly head: StepChain;
  readonly router: RecordRouter;
  readonly retries: number;
  readonly batchSize: number;
  readonly lingerMs: number;
  readonly clock: Clock;
  readonly counters: OperatorCounters;
  readonly deadLetter: (letter: PipelineDeadLetter) => void;
  /** Whether reading should stop (the run was stopped or has failed). */
  readonly stopping: () => boolean;
  /** A failure of a timer-driven send: the run fails with it. */
  readonly failed: (error: unknown) => void;
  /** Where to start reading: a checkpoint's offset, or the source's start. */
  readonly from: unknown;
  /**
   * The largest event time read before `from` (a checkpoint's), so the watermark goes on from where
   * it was: the same records are late after a resume as in a run that never stopped.
   */
  readonly fromMaxTimestamp?: number | undefined;
  /** Checkpoint barriers to inject between records, when checkpoints are on. */
  readonly barriers?: BarrierRequests | undefined;
  /**
   * Resolves when a barrier or a stop is wanted: a driver waiting on a slow source acts on it. It
   * may hand out the same promise until that resolves: the driver reacts to each promise once.
   */
  readonly wake: () => Promise<void>;
}

/** Requests for checkpoint barriers, which the driver injects at the next record boundary. */
export interface BarrierRequests {
  /** `due` says whether a barrier is wanted now; read after every record, so a plain field. */
  readonly signal: { readonly due: boolean };
  /** Begins a checkpoint at `offset` (everything before it is in), with the largest event time read so far. */
  begin(offset: unknown, maxTimestamp: number): { readonly id: number };
}

/** What reading left behind: the offset after the last item taken, and the largest event time read. */
export interface DriveOutcome {
  readonly offset: unknown;
  readonly maxTimestamp: number;
}

/** Lets the event loop take a turn (the host's I/O first); resolves to 0, the count to start again from. */
function giveTurn(): Promise<number> {
  return new Promise((resolve) => setImmediate(resolve, 0));
}

/**
 * Stops reading an asynchronous source: its pending `next()` and its `return()` are left to finish
 * on their own (an async generator runs `return` only after a pending `next` settles, so awaiting it
 * could wait forever on a tailing source), observed so that a failure of either, which nothing read
 * would be lost to, never surfaces as an unhandled rejection in the host.
 */
function abandon(iterator: AsyncIterator<unknown>, pending: Promise<unknown>): void {
  pending.catch(ignore);
  try {
    Promise.resolve(iterator.return?.()).catch(ignore);
  } catch {
    // A `return` that throws at once has nothing left to stop either.
  }
}

/** Reads the source to its end, or until stopped; the caller then ends the input or takes a checkpoint. */
export async function driveSource(setup: SourceDriverSetup): Promise<DriveOutcome> {
  const { source, head, router, clock, counters, deadLetter, barriers } = setup;
  let offset = setup.from;
  const generator = head.generator;
  // Enough records between watermarks that every destination's batch can fill up first.
  const watermarkEvery = router.destinations * setup.batchSize;
  const output = new StepChainOutput({
    chain: head,
    router,
    counters,
    retries: setup.retries,
    deadLetter,
    stage: 'source',
    maxTimestamp: setup.fromMaxTimestamp ?? Number.NEGATIVE_INFINITY,
  });
  let sent = NO_WATERMARK;
  let idle = false;
  let sinceWatermark = 0;

  const watermarkDue = (): boolean => generator !== undefined && (idle || output.watermark > sent);
  const sendWatermark = async (nowIdle: boolean): Promise<void> => {
    const watermark = output.watermark;
    sinceWatermark = 0;
    idle = nowIdle;
    sent = Math.max(sent, watermark);
    await router.watermark(watermark, nowIdle);
  };

  // While the source is slow to yield its next record, what is buffered goes out after lingerMs,
  // and after idleTimeoutMs of silence the first stage stops waiting for this source's watermark.
  // Both keep the process alive (the clock's default): they are part of a run whose `done` the
  // caller awaits, and they are cleared when the source ends.
  let linger: TimerHandle | undefined;
  let idleTimer: TimerHandle | undefined;
  const onTimerError = (error: unknown): void => setup.failed(error);
  const armTimers = (): void => {
    if (linger === undefined && (router.buffered > 0 || watermarkDue())) {
      linger = clock.setTimeout(() => {
        linger = undefined;
        (generator === undefined ? router.flush() : sendWatermark(idle)).catch(onTimerError);
      }, setup.lingerMs);
    }
    if (generator !== undefined && generator.idleTimeoutMs !== Infinity && !idle) {
      if (idleTimer !== undefined) clock.clearTimeout(idleTimer);
      idleTimer = clock.setTimeout(() => {
        idleTimer = undefined;
        sendWatermark(true).catch(onTimerError);
      }, generator.idleTimeoutMs);
    }
  };
  const disarmTimers = (): void => {
    if (linger !== undefined) clock.clearTimeout(linger);
    if (idleTimer !== undefined) clock.clearTimeout(idleTimer);
    linger = undefined;
    idleTimer = undefined;
  };

  /** Takes one record: the head chain, then routing. */
  const takeRecord = (value: unknown): void => {
    counters.recordsIn++;
    const routed = output.take(value, undefined);
    if (generator === undefined) return;
    sinceWatermark += routed;
    if (idle && routed > 0) idle = false;
  };
  /** Takes one source item; false when the run should stop reading. */
  const take = (item: SourceItem<unknown, unknown>): boolean => {
    offset = item.next;
    if (item.kind === 'malformed') {
      deadLetter({ reason: 'malformed', stage: counters.name, record: item.raw, error: item.error, line: item.line });
    } else {
      takeRecord(item.value);
    }
    return !setup.stopping();
  };
  /**
   * Takes `records[from]` up to (not including) `records[to]`, stopping early after a record that
   * leaves something to await or stops the run: a plain loop, apart from the async driver around it.
   * @returns the index after the last record taken.
   */
  const takeRun = (records: readonly unknown[], from: number, to: number): number => {
    // With nothing before the first repartition, records go straight to the router, counted per run.
    const identity = head.identity;
    let i = from;
    while (i < to) {
      if (identity) router.route(records[i++]);
      else takeRecord(records[i++]);
      if (pauseDue() || setup.stopping()) break;
    }
    if (identity) {
      counters.recordsIn += i - from;
      counters.recordsOut += i - from;
    }
    return i;
  };
  let sinceYield = 0;
  /**
   * Takes items in a plain loop, awaiting only what is due (room downstream, a watermark, a
   * barrier) and a turn of the event loop now and then; false when the run should stop reading.
   */
  const takeItems = async (items: Iterable<SourceItem<unknown, unknown>>): Promise<boolean> => {
    for (const item of items) {
      if (!take(item)) return false;
      if (++sinceYield >= YIELD_EVERY || pauseDue()) await afterItem();
    }
    return true;
  };
  /** One item of an asynchronous source, taken as `takeItems` takes each, with no promise when nothing is due. */
  const takeItem = (item: SourceItem<unknown, unknown>): boolean | Promise<boolean> => {
    if (!take(item)) return false;
    return ++sinceYield >= YIELD_EVERY || pauseDue() ? afterItem().then(goOn) : true;
  };
  /** What is due after an item, awaited: room downstream, a watermark or a barrier, a turn of the event loop now and then. */
  const afterItem = async (): Promise<void> => {
    if (pauseDue()) await afterRecord();
    if (sinceYield >= YIELD_EVERY) sinceYield = await giveTurn();
  };
  /**
   * Reads an asynchronous source to its end or until the run stops, handing each value to
   * `takeValue`. While the source is slow to answer, a barrier (or a stop) need not wait for its
   * next value, and a partly filled batch goes out after `lingerMs`. Each wait is one promise, which
   * the source's answer or a wake settles, whichever comes first: a wake promise is reacted to once,
   * however many records it stays pending over.
   */
  const drain = async <T>(iterator: AsyncIterator<T>, takeValue: (value: T) => boolean | Promise<boolean>): Promise<void> => {
    let next = iterator.next();
    let wakes: Promise<void> | undefined;
    let settle: ((step: IteratorResult<T> | typeof WOKEN) => void) | undefined;
    const onWake = (): void => settle?.(WOKEN);
    // Made once: a wait makes no closure of its own.
    const race = (resolve: (step: IteratorResult<T> | typeof WOKEN) => void, reject: (error: unknown) => void): void => {
      next.then(resolve, reject);
      settle = resolve;
    };
    for (;;) {
      const wake = setup.wake();
      if (wake !== wakes) {
        wakes = wake;
        void wake.then(onWake);
      }
      const step = await new Promise(race);
      if (step === WOKEN) {
        if (setup.stopping()) return abandon(iterator, next);
        await afterRecord();
        continue;
      }
      if (step.done === true) return;
      next = iterator.next();
      const taken = takeValue(step.value);
      if (!(taken === true || (taken !== false && (await taken)))) return abandon(iterator, next);
      armTimers();
    }
  };
  /** Whether `afterRecord` has anything to wait for; checked after every record. */
  const signal = barriers?.signal;
  const pauseDue = (): boolean => router.sending || sinceWatermark >= watermarkEvery || (signal !== undefined && signal.due);
  /** What to await after a record: room downstream, a watermark or a barrier that is due. */
  const afterRecord = async (): Promise<void> => {
    if (router.sending) await router.settle();
    if (sinceWatermark >= watermarkEvery && watermarkDue()) await sendWatermark(false);
    if (signal?.due === true) await router.barrier((barriers as BarrierRequests).begin(offset, output.maxTimestamp).id);
  };

  /**
   * Reads an in-memory source's chunks in place, in runs between the awaits. A function of its own:
   * it resumes after every full batch, so it is what gets hot and optimized, not all of
   * `driveSource` around it (a compile that costs a fresh process's first records several times as
   * much, on a machine whose cores the compiler shares with the run).
   */
  const takeChunks = async (chunks: Iterable<RecordChunk<unknown, unknown>>): Promise<DriveOutcome> => {
    for (const chunk of chunks) {
      const { records, end } = chunk;
      let i = chunk.start;
      while (i < end) {
        const reached = takeRun(records, i, Math.min(end, i + YIELD_EVERY - sinceYield));
        sinceYield += reached - i;
        i = reached;
        if (pauseDue()) {
          offset = chunk.offsetAt(i);
          await afterRecord();
        }
        if (setup.stopping()) return { offset: chunk.offsetAt(i), maxTimestamp: output.maxTimestamp };
        if (sinceYield >= YIELD_EVERY) sinceYield = await giveTurn();
      }
      offset = chunk.offsetAt(Math.max(chunk.start, end));
    }
    return { offset, maxTimestamp: output.maxTimestamp };
  };

  try {
    if (setup.stopping()) return { offset, maxTimestamp: output.maxTimestamp };
    // In-memory sources are read synchronously, awaiting only when a full batch waits for room (or
    // a watermark or barrier is due), with a turn of the event loop now and then so the host's I/O
    // is never starved. Chunks are read in place; other synchronous sources item by item.
    const chunks = source.readChunks?.(setup.from);
    if (chunks !== undefined) return await takeChunks(chunks);
    // Sources that read in blocks hand over a block's items at once: one asynchronous step per
    // block, then a plain loop. Others are read item by item.
    const batches = source.readBatches?.(setup.from);
    if (batches !== undefined) {
      await drain(batches[Symbol.asyncIterator](), takeItems);
      return { offset, maxTimestamp: output.maxTimestamp };
    }
    // Sources that hand over items by callback are read with no promise per item.
    const readFeed = source.readFeed;
    if (readFeed !== undefined) {
      await drainFeed((reader) => readFeed.call(source, setup.from, reader), {
        take,
        pauseDue: () => ++sinceYield >= YIELD_EVERY || pauseDue(),
        // Only room downstream due, the most common pause: the router's own promise, awaited alone.
        afterItem: () =>
          router.sending && sinceWatermark < watermarkEvery && signal?.due !== true && sinceYield < YIELD_EVERY ? router.settle() : afterItem(),
        barrierDue: () => signal?.due === true,
        afterWake: afterRecord,
        armTimers,
        stopping: setup.stopping,
        wake: setup.wake,
      });
      return { offset, maxTimestamp: output.maxTimestamp };
    }
    const items = source.read(setup.from);
    if (Symbol.iterator in items) {
      await takeItems(items as Iterable<SourceItem<unknown, unknown>>);
      return { offset, maxTimestamp: output.maxTimestamp };
    }
    await drain(items[Symbol.asyncIterator](), takeItem);
    return { offset, maxTimestamp: output.maxTimestamp };
  } finally {
    disarmTimers();
  }
}
