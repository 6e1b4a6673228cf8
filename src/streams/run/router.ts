/**
 * Routes records to the next stage and gathers them into per-destination batches: by key (hash →
 * key group → partition) into a keyed stage, or straight into the sink. Batches go out when full,
 * or when the caller flushes; `flush` awaits every send, so a full receiver holds the caller back.
 */
import { InvalidKeyError } from '../../errors.js';
import type { Assignment } from './assign.js';
import type { PipelineDeadLetter, StageMessage } from './messages.js';

/** How a router sends a batch to destination `index`. */
export type SendBatch = (index: number, message: StageMessage<unknown>) => Promise<void>;

export class Router {
  readonly #next: Assignment | undefined;
  readonly #batchSize: number;
  readonly #send: SendBatch;
  readonly #deadLetter: (letter: PipelineDeadLetter) => void;
  readonly #buffers: unknown[][];
  #pending: Promise<void>[] = [];
  #buffered = 0;

  /**
   * @param next - how records are assigned to the next stage's partitions, or undefined for the sink.
   */
  constructor(next: Assignment | undefined, batchSize: number, send: SendBatch, deadLetter: (letter: PipelineDeadLetter) => void) {
    this.#next = next;
    this.#batchSize = batchSize;
    this.#send = send;
    this.#deadLetter = deadLetter;
    this.#buffers = Array.from({ length: next?.partitions ?? 1 }, () => []);
  }

  /** How many destinations there are. */
  get destinations(): number {
    return this.#buffers.length;
  }

  /** Records waiting in batches. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Adds a record; a batch that fills up is sent (its send is awaited by the next `flush`). */
  route(record: unknown): void {
    const next = this.#next;
    let index = 0;
    let entry: unknown = record;
    if (next !== undefined) {
      try {
        ({ index, entry } = next.assign(record));
      } catch (error) {
        const reason = error instanceof InvalidKeyError ? 'invalid-key' : 'operator-failed';
        this.#deadLetter({ reason, stage: next.name, record, error });
        return;
      }
    }
    const buffer = this.#buffers[index] as unknown[];
    buffer.push(entry);
    this.#buffered++;
    if (buffer.length >= this.#batchSize) this.#sendBuffer(index);
  }

  /** Sends every non-empty batch and waits until all sends so far were accepted. */
  async flush(): Promise<void> {
    for (let index = 0; index < this.#buffers.length; index++) this.#sendBuffer(index);
    const pending = this.#pending;
    this.#pending = [];
    await Promise.all(pending);
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

  /** Flushes, then tells every destination the input has ended. */
  async end(): Promise<void> {
    await this.flush();
    await Promise.all(this.#buffers.map((_, index) => this.#send(index, { type: 'end' })));
  }

  #sendBuffer(index: number): void {
    const buffer = this.#buffers[index] as unknown[];
    if (buffer.length === 0) return;
    this.#buffers[index] = [];
    this.#buffered -= buffer.length;
    this.#pending.push(this.#send(index, { type: 'batch', entries: buffer }));
  }
}
