/**
 * A bench job module's input and output, in memory. Every thread builds a job module's pipeline,
 * but only the main thread reads the source and runs the sink; and `args` is copied to each thread,
 * so a case's input passed in them would be cloned per thread and pass, in the timings. Instead the
 * case lends its input to the main thread's instance of the module for one run and takes the
 * output back; a worker thread's instance builds an empty source and a sink it never writes to.
 * Invariant: one run at a time per module.
 */
import { fromArray, toCallback, type PipelineHandle, type Sink, type Source } from '../../src/index.js';

/** A job module's in-memory source and sink: see the module comment. */
export class JobIo<TInput, TOutput> {
  #input: readonly TInput[] = [];
  #output: TOutput[] = [];
  #running = false;

  /** The source for `build`: the lent input on the main thread while a run starts, else nothing. */
  source(): Source<TInput, number> {
    return fromArray(this.#input);
  }

  /** The sink for `build`: collects what the run started now outputs. */
  sink(): Sink<TOutput> {
    const output = this.#output;
    return toCallback((record) => void output.push(record));
  }

  /**
   * Starts a run over `input` with `start` (which must build the pipeline at once, as
   * `job.run` does) and resolves with its output once `done` has: its worker threads have exited.
   * @throws Error when a run of this module is going (one at a time).
   * @example
   * ```ts
   * // counts.job.ts
   * const io = new JobIo<string, Keyed<string, number>>();
   * const counts = defineJob(import.meta.url, () =>
   *   pipeline(io.source()).keyBy((word) => word, { partitions: 4 }).reduce((n: number) => n + 1, () => 0, { emit: 'final' }).to(io.sink()));
   * export const countWords = (words: readonly string[]) => io.run(words, () => counts.run({ workers: 2 }));
   * // the case
   * await countWords(['a', 'b', 'a']); // [{ key: 'a', value: 2 }, { key: 'b', value: 1 }], in some order
   * ```
   */
  async run(input: readonly TInput[], start: () => PipelineHandle): Promise<TOutput[]> {
    if (this.#running) throw new Error('JobIo: a run of this job module is going; start the next once its `done` settled');
    this.#running = true;
    const output: TOutput[] = [];
    this.#input = input;
    this.#output = output;
    try {
      const handle = start();
      // The pipeline was built and holds its own source: nothing built after this one may read the input.
      this.#input = [];
      await handle.done;
      return output;
    } finally {
      this.#input = [];
      this.#output = [];
      this.#running = false;
    }
  }
}
