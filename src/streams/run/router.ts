/**
 * Routes records to the next stage and gathers them into per-destination batches: by key (hash →
 * key group → partition) into a keyed stage, or straight into the sink. Batches go out when full,
 * or when the caller flushes; `flush` awaits every send, so a full receiver holds the caller back.
 * A watermark goes to every destination after a flush, so it never overtakes the records it covers.
 */
import { InvalidKeyError } from '../../errors.js';
import type { Assignment } from './assign.js';
import type { PipelineDeadLetter, StageMessage } from './messages.js';
import type { StateKey } from './state-key.js';
import { ACCEPTED } from '../../internal/accepted.js';
import { ignore } from '../../internal/ignore.js';

/** How a router sends a batch to destination `index`. */
export type SendBatch = (index: number, message: StageMessage<unknown>) => Promise<void>;

export interface RouterOptions {
  /** How records are assigned to the next stage's partitions, or undefined for the sink. */
  readonly next: Assignment | undefined;
  readonly batchSize: number;
  readonly send: SendBatch;
  /** Extra tries at a key function that throws, as for every user function, before the record is dead-lettered. */
  readonly retries: number;
  readonly deadLetter: (letter: PipelineDeadLetter) => void;
  /** The sender's index in its stage, which receivers tell their inputs apart by. */
  readonly from: number;
  /** Whether records carry event times. */
  readonly timed: boolean;
  /**
   * Whether each record also carries the watermark of the records before it (the source driver,
   * as the watermark generator, sends these): a receiver judges each record against exactly that.
   */
  readonly carriesWatermarks?: boolean | undefined;
}

/**
 * What the source driver routes through: a {@link Router}, or, with the head steps on worker
 * threads, what hands the raw records out to them.
 */
export type RecordRouter = Pick<Router, 'route' | 'flush' | 'settle' | 'sending' | 'buffered' | 'destinations' | 'watermark' | 'barrier' | 'end'>;

/** The arrays of a destination with no batch open. Never written to: a batch opens first. */
const EMPTY: never[] = Object.freeze([]) as never[];

/**
 * Resolves once every send of `sends` was accepted, rejecting with the first that was not:
 * {@link ACCEPTED} itself when each was accepted at once.
 */
function accepted(sends: readonly Promise<void>[]): Promise<void> {
  const waiting = sends.filter((sent) => sent !== ACCEPTED);
  if (waiting.length === 0) return ACCEPTED;
  return waiting.length === 1 ? (waiting[0] as Promise<void>) : Promise.all(waiting).then(ignore);
}

/** The largest batch array made at full size up front. */
const PREALLOCATED_MAX = 4096;

/**
 * The size a destination's first batch array is made with: a short run never fills a batch of
 * thousands, and its arrays would be garbage of that size. Later batches take the size the one
 * before went out with; a batch that outgrows its array grows it as it fills.
 */
const FIRST_CAPACITY = 16;

/**
 * The most records a destination's first batch holds. Its full-batch path (send, then a new batch)
 * then runs within a router's first few dozen records, before V8 optimizes `route`: optimized
 * without it, `route` (and every caller it was inlined into) was thrown away at the first full
 * batch, on no feedback for that path, and compiled again. It also gives each receiver its first
 * records at once rather than after a full batch.
 */
const FIRST_BATCH = 16;

/**
 * One destination's batch so far: arrays made at the size of the destination's last batch and
 * filled by index (the count in `filled`), so a steady stream's batch never grows and copies
 * itself on the way; one that goes out part full is cut to its length. One object per destination
 * rather than an array per field: a record then costs one indexed load (with its map, bounds and
 * hole checks) and plain field accesses, not one indexed load per field.
 */
class DestinationBatch {
  entries: unknown[] = EMPTY;
  /** The records' state keys; unused while `keyedBySelf`. */
  keys: StateKey[] = EMPTY;
  /**
   * Whether the batch so far has every record as its own state key (a stage keyed by the record
   * itself, as a word count is): then its keys array is not made at all, and the batch goes out
   * with its entries as its keys.
   */
  keyedBySelf = false;
  times: number[] = EMPTY;
  watermarks: number[] = EMPTY;
  filled = 0;
  /** How many records the batch goes out at: {@link FIRST_BATCH} for the first, then the batch size. */
  limit: number;
  /** How many records the last batch went out with (0 before the first). */
  lastSent = 0;

  constructor(limit: number) {
    this.limit = limit;
  }
}

export class Router {
  readonly #next: Assignment | undefined;
  readonly #batchSize: number;
  readonly #send: SendBatch;
  readonly #retries: number;
  readonly #deadLetter: (letter: PipelineDeadLetter) => void;
  readonly #from: number;
  readonly #batches: DestinationBatch[];
  /** Whether records travel with state keys (a keyed stage next). */
  readonly #keyed: boolean;
  readonly #timed: boolean;
  readonly #carriesWatermarks: boolean;
  #pending: Promise<void>[] = [];
  #buffered = 0;

  constructor(options: RouterOptions) {
    this.#next = options.next;
    this.#batchSize = options.batchSize;
    this.#send = options.send;
    this.#retries = options.retries;
    this.#deadLetter = options.deadLetter;
    this.#from = options.from;
    this.#keyed = options.next?.keyed === true;
    this.#timed = options.timed;
    this.#carriesWatermarks = options.carriesWatermarks === true;
    // Empty until a destination's first record: most batches a partition takes send nothing to
    // most destinations.
    const first = Math.min(FIRST_BATCH, this.#batchSize);
    this.#batches = Array.from({ length: options.next?.partitions ?? 1 }, () => new DestinationBatch(first));
  }

  /** How many destinations there are. */
  get destinations(): number {
    return this.#batches.length;
  }

  /** Records waiting in batches. */
  get buffered(): number {
    return this.#buffered;
  }

  /**
   * Adds a record (with its event time on a timed stream, and the watermark before it when the
   * router carries watermarks); a batch that fills up is sent.
   */
  route(record: unknown, timestamp?: number, watermark?: number): void {
    const next = this.#next;
    let index = 0;
    if (next !== undefined) {
      try {
        index = next.assign(record);
      } catch (error) {
        index = this.#assignAgain(next, record, error);
        if (index < 0) return;
      }
    }
    const batch = this.#batches[index] as DestinationBatch;
    const at = batch.filled;
    if (at === 0) this.#open(batch);
    batch.entries[at] = record;
    if (this.#keyed) {
      const key = (next as Assignment).key;
      if (!batch.keyedBySelf) batch.keys[at] = key;
      else if (key !== record) this.#ownKeys(batch, at, key);
    }
    if (this.#timed) batch.times[at] = timestamp as number;
    if (this.#carriesWatermarks) batch.watermarks[at] = watermark as number;
    batch.filled = at + 1;
    this.#buffered++;
    if (at + 1 >= batch.limit) this.#sendBuffer(index);
  }

  /**
   * Sends every non-empty batch and waits until all sends so far were accepted: {@link ACCEPTED}
   * itself when every one was accepted at once.
   */
  flush(): Promise<void> {
    for (let index = 0; index < this.#batches.length; index++) this.#sendBuffer(index);
    return this.settle();
  }

  /** Whether a full batch went out whose send has not been awaited yet. */
  get sending(): boolean {
    return this.#pending.length > 0;
  }

  /**
   * Waits for sends of full batches: the backpressure point for a producer between records. Call
   * it only when `sending`: awaiting nothing still costs every record a turn of the microtask queue.
   */
  settle(): Promise<void> {
    const pending = this.#pending;
    if (pending.length === 0) return ACCEPTED;
    this.#pending = [];
    return accepted(pending);
  }

  /** Flushes, then tells every destination the watermark (and whether this sender is idle). */
  watermark(watermark: number, idle: boolean): Promise<void> {
    return this.#afterFlush({ type: 'watermark', from: this.#from, watermark, idle });
  }

  /** Flushes, then tells every destination checkpoint `id` starts here. */
  barrier(id: number): Promise<void> {
    return this.#afterFlush({ type: 'barrier', from: this.#from, id });
  }

  /** Flushes, then tells every destination the input has ended (and which checkpoint completes the job). */
  end(checkpoint?: number): Promise<void> {
    return this.#afterFlush({ type: 'end', from: this.#from, checkpoint });
  }

  /** Flushes, then sends `message` to every destination: at once when the flush had nothing to wait for. */
  #afterFlush(message: StageMessage<unknown>): Promise<void> {
    const flushed = this.flush();
    return flushed === ACCEPTED ? this.#broadcast(message) : flushed.then(() => this.#broadcast(message));
  }

  /**
   * Assigns `record` again after its key function threw `error`, up to `retries` more times; a key
   * that cannot be partitioned is not tried again. Returns the partition, or -1 once the record
   * went to dead letters.
   */
  #assignAgain(next: Assignment, record: unknown, error: unknown): number {
    let failure = error;
    for (let tries = 0; tries < this.#retries && !(failure instanceof InvalidKeyError); tries++) {
      try {
        return next.assign(record);
      } catch (again) {
        failure = again;
      }
    }
    const reason = failure instanceof InvalidKeyError ? 'invalid-key' : 'operator-failed';
    this.#deadLetter({ reason, stage: next.name, record, error: failure });
    return -1;
  }

  #broadcast(message: StageMessage<unknown>): Promise<void> {
    const destinations = this.#batches.length;
    if (destinations === 1) return this.#send(0, message);
    const sends = new Array<Promise<void>>(destinations);
    for (let index = 0; index < destinations; index++) sends[index] = this.#send(index, message);
    return accepted(sends);
  }

  #sendBuffer(index: number): void {
    const batch = this.#batches[index] as DestinationBatch;
    const count = batch.filled;
    if (count === 0) return;
    batch.filled = 0;
    // A first batch that went out at FIRST_BATCH says nothing of how many records come: the next is
    // made at full size. Grown as it fills instead, its stores would switch the route's store sites
    // from in-bounds to growing on the same array map, which V8 answers by making them megamorphic.
    batch.lastSent = count === batch.limit ? this.#batchSize : count;
    batch.limit = this.#batchSize;
    this.#buffered -= count;
    const entries = cut(batch.entries, count);
    const keys = !this.#keyed ? undefined : batch.keyedBySelf ? (entries as StateKey[]) : cut(batch.keys, count);
    const timestamps = this.#timed ? cut(batch.times, count) : undefined;
    const watermarks = this.#carriesWatermarks ? cut(batch.watermarks, count) : undefined;
    batch.entries = EMPTY;
    batch.keys = EMPTY;
    batch.times = EMPTY;
    batch.watermarks = EMPTY;
    const sent = this.#send(index, { type: 'batch', from: this.#from, entries, keys, timestamps, watermarks });
    // Observed now: a caller that stops routing (its run failed, its handler threw) never settles
    // what it sent, and a receiver that stops meanwhile rejects the send. `settle` still sees it.
    if (sent !== ACCEPTED) sent.catch(ignore);
    // Kept even when accepted at once: a producer that settles after each full batch gives the
    // receiver a turn there (`settle` then resolves to ACCEPTED, which it can tell apart).
    this.#pending.push(sent);
  }

  /**
   * How many elements a destination's new batch array is made with: as many as its last batch
   * held (a few for its first), within the batch size and a bound past which it grows as it fills.
   */
  #capacity(batch: DestinationBatch): number {
    const last = batch.lastSent;
    return Math.min(this.#batchSize, PREALLOCATED_MAX, last === 0 ? FIRST_CAPACITY : last);
  }

  /** Gives a destination arrays for a new batch. */
  #open(batch: DestinationBatch): void {
    const capacity = this.#capacity(batch);
    batch.entries = new Array<unknown>(capacity);
    batch.keyedBySelf = this.#keyed;
    if (this.#timed) batch.times = new Array<number>(capacity);
    if (this.#carriesWatermarks) batch.watermarks = new Array<number>(capacity);
  }

  /**
   * The first record of a destination's batch that is not its own key, at `at`: the batch gets a
   * keys array of its own, the records before it as their keys, then `key`.
   */
  #ownKeys(batch: DestinationBatch, at: number, key: StateKey): void {
    const entries = batch.entries as StateKey[];
    const keys = new Array<StateKey>(entries.length);
    for (let i = 0; i < at; i++) keys[i] = entries[i] as StateKey;
    keys[at] = key;
    batch.keys = keys;
    batch.keyedBySelf = false;
  }
}

/** A batch array of `count` records, cut to that length when it went out part full. */
function cut<T>(batch: T[], count: number): T[] {
  if (count < batch.length) batch.length = count;
  return batch;
}
