/**
 * The pipeline's dead-letter output: every record an operator could not process, every malformed
 * input line, every record with an unusable key. Counted, the most recent kept for inspection, and
 * written in order to the user's sink when one is given.
 */
import { Recent } from '../../internal/recent.js';
import type { Sink } from '../sinks/sink.js';
import type { PipelineDeadLetter } from './messages.js';

const RECENT = 1000;

export class DeadLetterOutput {
  readonly #sink: Sink<PipelineDeadLetter> | undefined;
  readonly #recent = new Recent<PipelineDeadLetter>(RECENT);
  #writing: Promise<void> = Promise.resolve();
  #failure: unknown;

  constructor(sink: Sink<PipelineDeadLetter> | undefined) {
    this.#sink = sink;
  }

  get count(): number {
    return this.#recent.count;
  }

  recent(): PipelineDeadLetter[] {
    return this.#recent.toArray();
  }

  post(letter: PipelineDeadLetter): void {
    this.#recent.add(letter);
    const sink = this.#sink;
    if (sink !== undefined) {
      this.#writing = this.#writing.then(() => sink.write([letter])).catch((error: unknown) => {
        this.#failure ??= error;
      });
    }
  }

  /** Waits for every write, closes the sink, and rethrows the first write failure. */
  async close(): Promise<void> {
    await this.#writing;
    await this.#sink?.close?.();
    if (this.#failure !== undefined) throw this.#failure;
  }
}
