/**
 * The memory-bound case's records, sink and pipeline, shared by its in-process rows and its job
 * module (whose worker threads import only this and the library).
 */
import { fromGenerator, pipeline, toCallback } from '../../src/index.js';

export interface Event {
  readonly user: string;
  readonly amount: number;
}

const USERS = 10_000;
const MODULUS = 2_147_483_647;

export function* events(from: number, records: number): Generator<Event> {
  for (let i = from; i < records; i++) yield { user: `u${i % USERS}`, amount: i % 7 };
}

/**
 * The slow sink both implementations write the running totals to: an event-loop turn every 256
 * records. Its checksum (the sum of the totals it saw, plus their count) catches a lost record
 * whatever its amount, and does not depend on how the keys interleave.
 */
export class SlowSink {
  #written = 0;
  #sum = 0;

  async write(total: number): Promise<void> {
    this.#sum = (this.#sum + total) % MODULUS;
    if (++this.#written % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  get checksum(): number {
    return (this.#sum + this.#written) % MODULUS;
  }
}

/** Running sums per user over `records` generated events in 4 partitions, each total written to `write`. */
export function runningSums(records: number, write: (total: number) => Promise<void> | void) {
  return pipeline(fromGenerator((from) => events(from, records)))
    .keyBy((event) => event.user, { partitions: 4 })
    .reduce(
      (total: number, event) => total + event.amount,
      () => 0,
    )
    .to(toCallback(({ value }) => write(value)));
}
