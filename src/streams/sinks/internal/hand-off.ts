/**
 * A bounded hand-off of records from one writer, who awaits room, to one reader, who awaits
 * records: the queue between a sink's writes and a `for await` loop. Records held never exceed the
 * high-water mark plus the last batch put, because `put` settles only once the reader has taken
 * them down to the mark. A batch is kept as it is, not copied, until its last record is taken: a
 * writer must not change an array it handed over (a pipeline's batches are fresh arrays).
 */
import { RingBuffer } from '../../../mailbox/ring-buffer.js';

/**
 * What the writer said last: it may put more, it ended (the reader ends after the last record), or
 * it failed (the reader throws the error after the last record).
 */
type WriterState = { readonly phase: 'writing' } | { readonly phase: 'ended' } | { readonly phase: 'failed'; readonly error: unknown };

/** The reader reads; it left before the end (`return()`); or it met the end or the error. */
type ReaderPhase = 'reading' | 'left' | 'finished';

/** What the reader gets next: a record or the end, or the writer's error (once). */
type Step<TRecord> = IteratorResult<TRecord, undefined> | { readonly error: unknown };

/** A writer waiting until the reader has brought the records held down to `limit`. */
interface RoomWaiter {
  readonly limit: number;
  readonly resolve: () => void;
}

/** A read waiting for a record, the end or the error. */
interface PendingRead<TRecord> {
  readonly resolve: (step: IteratorResult<TRecord, undefined>) => void;
  readonly reject: (error: unknown) => void;
}

const WRITING: WriterState = { phase: 'writing' };
const ENDED: WriterState = { phase: 'ended' };
const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
const NO_RECORDS: readonly never[] = Object.freeze([]);

export class HandOff<TRecord> {
  readonly #highWaterMark: number;
  /** Batches after the one being read, oldest first; bounded by the records they hold, not their number. */
  readonly #queued = new RingBuffer<readonly TRecord[]>(Infinity);
  #current: readonly TRecord[] = NO_RECORDS;
  #index = 0;
  #buffered = 0;
  #writer: WriterState = WRITING;
  #reader: ReaderPhase = 'reading';
  #waiters: RoomWaiter[] = [];
  /** The highest limit a writer waits for (−1 when none waits): one comparison per record taken. */
  #wakeAt = -1;
  /** Reads not yet answered, oldest first: at most one for a `for await` loop. */
  #reads: PendingRead<TRecord>[] = [];

  constructor(highWaterMark: number) {
    this.#highWaterMark = highWaterMark;
  }

  /** Records put and not yet taken. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Whether the reader left before the end: puts are dropped from then on. */
  get left(): boolean {
    return this.#reader === 'left';
  }

  // ─── The writer ─────────────────────────────────────────────────────────────────────────────

  /**
   * Hands `batch` to the reader; resolves once the reader has brought the records held down to the
   * high-water mark, or left. Returns undefined when there is room already (no promise to await),
   * and drops the batch once the reader has left.
   */
  put(batch: readonly TRecord[]): Promise<void> | undefined {
    if (this.#reader !== 'reading' || this.#writer.phase !== 'writing' || batch.length === 0) return undefined;
    this.#queued.push(batch);
    this.#buffered += batch.length;
    this.#answerReads();
    return this.#room(this.#highWaterMark);
  }

  /** No more records: the reader ends after the last one. */
  end(): void {
    if (this.#writer.phase !== 'writing') return;
    this.#writer = ENDED;
    this.#answerReads();
  }

  /** No more records: the reader throws `error` after the last one. */
  fail(error: unknown): void {
    if (this.#writer.phase !== 'writing') return;
    this.#writer = { phase: 'failed', error };
    this.#answerReads();
  }

  /** Resolves once the reader has taken every record, or left; undefined when it has already. */
  drained(): Promise<void> | undefined {
    return this.#room(0);
  }

  // ─── The reader ─────────────────────────────────────────────────────────────────────────────

  /** The next record; the end once the writer ended and every record was taken; or the writer's error. */
  take(): Promise<IteratorResult<TRecord, undefined>> {
    if (this.#reads.length === 0) {
      const step = this.#step();
      if (step !== undefined) return 'error' in step ? Promise.reject(step.error) : Promise.resolve(step);
    }
    return new Promise((resolve, reject) => {
      this.#reads.push({ resolve, reject });
    });
  }

  /**
   * The reader leaves before the end: what is held is dropped, waiting writers and reads let go.
   * @returns whether the writer was still writing (so whoever feeds it should stop).
   */
  leave(): boolean {
    if (this.#reader !== 'reading') return false;
    this.#reader = 'left';
    this.#queued.drain();
    this.#current = NO_RECORDS;
    this.#index = 0;
    this.#buffered = 0;
    this.#answerReads();
    this.#letWritersOn();
    return this.#writer.phase === 'writing';
  }

  // ─── Between them ───────────────────────────────────────────────────────────────────────────

  #room(limit: number): Promise<void> | undefined {
    if (this.#buffered <= limit) return undefined;
    return new Promise((resolve) => {
      this.#waiters.push({ limit, resolve });
      this.#wakeAt = Math.max(this.#wakeAt, limit);
    });
  }

  /** What the reader gets next, or undefined while it must wait for the writer. */
  #step(): Step<TRecord> | undefined {
    if (this.#reader !== 'reading') return DONE;
    if (this.#buffered > 0) return { done: false, value: this.#shiftRecord() };
    const writer = this.#writer;
    if (writer.phase === 'writing') return undefined;
    this.#reader = 'finished';
    return writer.phase === 'failed' ? { error: writer.error } : DONE;
  }

  #shiftRecord(): TRecord {
    if (this.#index === this.#current.length) {
      this.#current = this.#queued.shift() as readonly TRecord[];
      this.#index = 0;
    }
    const record = this.#current[this.#index++] as TRecord;
    // The batch goes as soon as its last record is taken, not when the next one is.
    if (this.#index === this.#current.length) {
      this.#current = NO_RECORDS;
      this.#index = 0;
    }
    this.#buffered--;
    if (this.#buffered <= this.#wakeAt) this.#letWritersOn();
    return record;
  }

  #answerReads(): void {
    while (this.#reads.length > 0) {
      const step = this.#step();
      if (step === undefined) return;
      const read = this.#reads.shift() as PendingRead<TRecord>;
      if ('error' in step) read.reject(step.error);
      else read.resolve(step);
    }
  }

  /** Resolves the writers whose limit the records held are down to (all of them once the reader left). */
  #letWritersOn(): void {
    const buffered = this.#buffered;
    const waiting = this.#waiters;
    this.#waiters = waiting.filter((waiter) => waiter.limit < buffered);
    this.#wakeAt = this.#waiters.reduce((highest, waiter) => Math.max(highest, waiter.limit), -1);
    for (const waiter of waiting) if (waiter.limit >= buffered) waiter.resolve();
  }
}
