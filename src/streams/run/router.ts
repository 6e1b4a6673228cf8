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

/** How a router sends a batch to destination `index`. */
export type SendBatch = (index: number, message: StageMessage<unknown>) => Promise<void>;

export interface RouterOptions {
  /** How records are assigned to the next stage's partitions, or undefined for the sink. */
  readonly next: Assignment | undefined;
  readonly batchSize: number;
  readonly send: SendBatch;
  readonly deadLetter: (letter: PipelineDeadLetter) => void;
  /** The sender's index in its stage, which receivers tell their inputs apart by. */
  readonly from: number;
  /** Whether records carry event times. */
  readonly timed: boolean;
}

export class Router {
  readonly #next: Assignment | undefined;
  readonly #batchSize: number;
  readonly #send: SendBatch;
  readonly #deadLetter: (letter: PipelineDeadLetter) => void;
  readonly #from: number;
  readonly #buffers: unknown[][];
  readonly #keys: StateKey[][] | undefined;
  readonly #times: number[][] | undefined;
  #pending: Promise<void>[] = [];
  #buffered = 0;

  constructor(options: RouterOptions) {
    this.#next = options.next;
    this.#batchSize = options.batchSize;
    this.#send = options.send;
    this.#deadLetter = options.deadLetter;
    this.#from = options.from;
    const destinations = options.next?.partitions ?? 1;
    this.#buffers = Array.from({ length: destinations }, () => []);
    this.#keys = options.next?.keyed === true ? Array.from({ length: destinations }, () => []) : undefined;
    this.#times = options.timed ? Array.from({ length: destinations }, () => []) : undefined;
  }

  /** How many destinations there are. */
  get destinations(): number {
    return this.#buffers.length;
  }

  /** Records waiting in batches. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds a record (with its event time on a timed stream); a batch that fills up is sent. */
  route(record: unknown, timestamp?: number): void {
    const next = this.#next;
    let index = 0;
    if (next !== undefined) {
      try {
        index = next.assign(record);
      } catch (error) {
        const reason = error instanceof InvalidKeyError ? 'invalid-key' : 'operator-failed';
        this.#deadLetter({ reason, stage: next.name, record, error });
        return;
      }
      if (this.#keys !== undefined) (this.#keys[index] as StateKey[]).push(next.key);
    }
    const buffer = this.#buffers[index] as unknown[];
    buffer.push(record);
    if (this.#times !== undefined) (this.#times[index] as number[]).push(timestamp as number);
    this.#buffered++;
    if (buffer.length >= this.#batchSize) this.#sendBuffer(index);
  }

  /** Sends every non-empty batch and waits until all sends so far were accepted. */
  async flush(): Promise<void> {
    for (let index = 0; index < this.#buffers.length; index++) this.#sendBuffer(index);
    await this.settle();
  }

  /** Whether a full batch went out whose send has not been awaited yet. */
  get sending(): boolean {
    return this.#pending.length > 0;
  }

  /**
   * Waits for sends of full batches: the backpressure point for a producer between records. Call
   * it only when `sending`: awaiting nothing still costs every record a turn of the microtask queue.
   */
  async settle(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    await Promise.all(pending);
  }

  /** Flushes, then tells every destination the watermark (and whether this sender is idle). */
  async watermark(watermark: number, idle: boolean): Promise<void> {
    await this.flush();
    await this.#broadcast({ type: 'watermark', from: this.#from, watermark, idle });
  }

  /** Flushes, then tells every destination checkpoint `id` starts here. */
  async barrier(id: number): Promise<void> {
    await this.flush();
    await this.#broadcast({ type: 'barrier', from: this.#from, id });
  }

  /** Flushes, then tells every destination the input has ended (and which checkpoint completes the job). */
  async end(checkpoint?: number): Promise<void> {
    await this.flush();
    await this.#broadcast({ type: 'end', from: this.#from, checkpoint });
  }

  #broadcast(message: StageMessage<unknown>): Promise<unknown> {
    return Promise.all(this.#buffers.map((_, index) => this.#send(index, message)));
  }

  #sendBuffer(index: number): void {
    const buffer = this.#buffers[index] as unknown[];
    if (buffer.length === 0) return;
    this.#buffers[index] = [];
    this.#buffered -= buffer.length;
    let keys: StateKey[] | undefined;
    if (this.#keys !== undefined) {
      keys = this.#keys[index] as StateKey[];
      this.#keys[index] = [];
    }
    let timestamps: number[] | undefined;
    if (this.#times !== undefined) {
      timestamps = this.#times[index] as number[];
      this.#times[index] = [];
    }
    this.#pending.push(this.#send(index, { type: 'batch', from: this.#from, entries: buffer, keys, timestamps }));
  }
}
