/**
 * The source's side of head steps on worker threads: instead of routing records by key, the main
 * thread cuts what the source reads into units of `unitSize` raw records and hands unit u to
 * thread u mod N, so every thread parses its share. A barrier, a watermark or the end of the input
 * is a unit of its own, handed to the next thread in the rotation; that thread passes it on to
 * every receiver between the same records as a single thread would.
 */
import { ignore } from '../internal/ignore.js';
import { UncrossableRecordError } from '../errors.js';
import type { RecordRouter } from '../streams/run/router.js';
import type { Unit } from './head-runner.js';
import type { LinkSender } from './link-sender.js';
import { firstUncrossable } from './uncrossable.js';

export class UnitSpreader implements RecordRouter {
  readonly #links: readonly LinkSender<Unit>[];
  readonly #unitSize: number;
  #unit: unknown[] = [];
  #next = 0;
  #pending: Promise<void>[] = [];

  constructor(links: readonly LinkSender<Unit>[], unitSize: number) {
    this.#links = links;
    this.#unitSize = unitSize;
  }

  get destinations(): number {
    return this.#links.length;
  }

  get buffered(): number {
    return this.#unit.length;
  }

  get sending(): boolean {
    return this.#pending.length > 0;
  }

  route(record: unknown): void {
    this.#unit.push(record);
    if (this.#unit.length >= this.#unitSize) this.#sendUnit();
  }

  async settle(): Promise<void> {
    const pending = this.#pending;
    this.#pending = [];
    await Promise.all(pending);
  }

  async flush(): Promise<void> {
    if (this.#unit.length > 0) this.#sendUnit();
    await this.settle();
  }

  async watermark(watermark: number, idle: boolean): Promise<void> {
    await this.#control({ type: 'watermark', from: 0, watermark, idle });
  }

  async barrier(id: number): Promise<void> {
    await this.#control({ type: 'barrier', from: 0, id });
  }

  async end(checkpoint?: number): Promise<void> {
    await this.#control({ type: 'end', from: 0, checkpoint });
  }

  async #control(unit: Unit): Promise<void> {
    await this.flush();
    await this.#hand(unit);
  }

  #sendUnit(): void {
    const records = this.#unit;
    this.#unit = [];
    const found = firstUncrossable(records);
    const sent = found === undefined ? this.#hand({ type: 'records', records }) : Promise.reject(new UncrossableRecordError('source', found.what));
    sent.catch(ignore);
    this.#pending.push(sent);
  }

  /** Hands `unit` to the thread whose turn it is. */
  #hand(unit: Unit): Promise<void> {
    const link = this.#links[this.#next] as LinkSender<Unit>;
    this.#next = (this.#next + 1) % this.#links.length;
    return link.send(unit);
  }
}
