/**
 * A side output of a pipeline: its dead letters (records an operator could not process, malformed
 * input, unusable keys) or a window's late records. Counted, the most recent kept for inspection,
 * and written in order to the user's sink when one is given. Writes run one at a time; a poster
 * that sees a long backlog awaits `drained()`, so a slow side sink holds the pipeline back
 * instead of letting posts pile up in memory.
 */
import { Recent } from '../../internal/recent.js';
import type { Sink } from '../sinks/sink.js';

const RECENT = 1000;

/** Posts waiting for the sink beyond which posters should wait. */
const BACKLOG = 1024;

export class SideOutput<T> {
  readonly #sink: Sink<T> | undefined;
  readonly #recent = new Recent<T>(RECENT);
  #writing: Promise<void> = Promise.resolve();
  #backlog = 0;
  #failure: unknown;

  constructor(sink: Sink<T> | undefined) {
    this.#sink = sink;
  }

  /** How many items were posted. */
  get count(): number {
    return this.#recent.count;
  }

  /** The most recent items (up to 1000), oldest first. */
  recent(): T[] {
    return this.#recent.toArray();
  }

  post(item: T): void {
    this.#recent.add(item);
    const sink = this.#sink;
    if (sink === undefined) return;
    this.#backlog++;
    this.#writing = this.#writing
      .then(() => sink.write([item]))
      .catch((error: unknown) => {
        this.#failure ??= error;
      })
      .finally(() => {
        this.#backlog--;
      });
  }

  /** Whether posters should wait for `drained()` before they post more. */
  get congested(): boolean {
    return this.#backlog >= BACKLOG;
  }

  /** Resolves once every write posted so far has settled. */
  async drained(): Promise<void> {
    await this.#writing;
  }

  /** Waits for every write, closes the sink, and rethrows the first write failure. */
  async close(): Promise<void> {
    await this.#writing;
    await this.#sink?.close?.();
    if (this.#failure !== undefined) throw this.#failure;
  }
}
