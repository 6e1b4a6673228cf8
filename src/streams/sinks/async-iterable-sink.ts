/**
 * A sink that a `for await` loop reads: the loop's pace holds the pipeline back. A write settles
 * once the loop has brought the records the sink holds down to its high-water mark; breaking out of
 * the loop stops the run; a failed run makes the loop throw its error once it has taken every
 * record the sink took. The hand-off itself is in `internal/hand-off.ts`.
 */
import { InvalidOptionError } from '../../errors.js';
import { nonNegativeInteger, isObject } from '../../internal/validate.js';
import { HandOff } from './internal/hand-off.js';
import type { Sink, SinkContext } from './sink.js';

/** Options of {@link toAsyncIterable}. */
export interface AsyncIterableSinkOptions {
  /**
   * Records the sink may hold for the loop before a write waits: a write settles once the loop has
   * taken the records held down to this many. With 0, a write settles only once the loop has taken
   * its whole batch.
   * @defaultValue 1024
   */
  highWaterMark?: number | undefined;
  /**
   * A name for metrics and errors.
   * @defaultValue 'async-iterable'
   */
  name?: string | undefined;
}

/** A sink that is also the async iterable of what the run writes to it. */
export interface AsyncIterableSink<TRecord> extends Sink<TRecord>, AsyncIterable<TRecord, undefined, undefined> {
  /** Records the sink took and the loop has not taken yet: at most `highWaterMark` plus one batch. */
  readonly buffered: number;
  /**
   * The iterator over the run's output. Every call returns the same one, so each record reaches one
   * loop once; like a generator's, a second loop goes on where the first left off (or ends at once
   * when the first broke off).
   */
  [Symbol.asyncIterator](): AsyncIterator<TRecord, undefined, undefined>;
}

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A sink to read with `for await`: each record once, in the order the sink took it, paced by the
 * loop. A write settles once the loop has brought what the sink holds down to `highWaterMark`, so
 * a slow loop holds the whole pipeline back and the records in flight stay bounded. The loop ends
 * when the run's input ended (the run's `done` resolves once the loop has taken the last record);
 * it throws the run's error, after the records the sink took, when the run fails; and breaking out
 * of it (or a throw in its body) asks the run to stop, dropping what the sink held, so `done`
 * resolves with `stopped: true` and nothing is left running.
 *
 * It serves one run, and no run with checkpoints: a record is the loop's the moment it is taken,
 * so there is nothing to pre-commit and nothing to take back, and a resumed run could not hand the
 * records since the last checkpoint to this loop again. Such a run fails at its start with
 * `InvalidOptionError` naming `checkpoint`, a second run with `InvalidOptionError` naming `sink`.
 *
 * Start the loop while the run goes, not after awaiting `done`: the run's end waits for the loop.
 *
 * @throws InvalidOptionError naming `highWaterMark` (an integer ≥ 0) or `name` (a non-empty string).
 *
 * @example
 * ```ts
 * const out = toAsyncIterable<number>({ highWaterMark: 100 });
 * const handle = pipeline(fromArray([1, 2, 3])).map((n) => n * 10).to(out).run();
 * for await (const n of out) console.log(n); // 10, 20, 30
 * await handle.done;
 * ```
 */
export function toAsyncIterable<TRecord>(options: AsyncIterableSinkOptions = {}): AsyncIterableSink<TRecord> {
  isObject('options', options);
  const highWaterMark = options.highWaterMark === undefined ? 1024 : nonNegativeInteger('highWaterMark', options.highWaterMark);
  const name = options.name ?? 'async-iterable';
  if (typeof name !== 'string' || name === '') throw new InvalidOptionError('name', 'a non-empty string', name);
  return new LoopSink<TRecord>(name, highWaterMark);
}

/**
 * The sink `toAsyncIterable` makes. A class, its `buffered` getter on the prototype, and not an
 * object literal with a getter: V8 keeps a literal's getter in the literal's hidden class, in the
 * old generation, where it kept the sink and the run it served alive through scavenges after the
 * run (see job/run-handle.ts).
 */
class LoopSink<TRecord> implements AsyncIterableSink<TRecord> {
  readonly name: string;
  readonly #handOff: HandOff<TRecord>;
  /** The run that opened the sink: it serves one. */
  #run: SinkContext | undefined;
  /** What `open` threw at runs after the first, so their `release` leaves the first run's loop alone. */
  readonly #refusals = new WeakSet<object>();
  readonly #iterator: AsyncIterator<TRecord, undefined, undefined>;

  constructor(name: string, highWaterMark: number) {
    this.name = name;
    const handOff = new HandOff<TRecord>(highWaterMark);
    this.#handOff = handOff;
    this.#iterator = {
      next: () => handOff.take(),
      return: () => {
        if (handOff.leave()) this.#run?.stop();
        return Promise.resolve(DONE);
      },
    };
  }

  get buffered(): number {
    return this.#handOff.buffered;
  }

  [Symbol.asyncIterator](): AsyncIterator<TRecord, undefined, undefined> {
    return this.#iterator;
  }

  open(context: SinkContext): void {
    if (this.#run !== undefined) {
      const refusal = new InvalidOptionError(
        'sink',
        `a toAsyncIterable sink no run has used yet (${this.name} serves one run and one loop)`,
        'one used already',
      );
      this.#refusals.add(refusal);
      throw refusal;
    }
    this.#run = context;
    if (this.#handOff.left) context.stop();
  }

  write(batch: readonly TRecord[]): Promise<void> | undefined {
    return this.#handOff.put(batch);
  }

  close(): Promise<void> | undefined {
    this.#handOff.end();
    return this.#handOff.drained();
  }

  release(error?: unknown): void {
    if (typeof error === 'object' && error !== null && this.#refusals.has(error)) return;
    if (error === undefined) this.#handOff.end();
    else this.#handOff.fail(error);
  }

  recover(): never {
    throw new InvalidOptionError(
      'checkpoint',
      `left out of a run whose sink is toAsyncIterable (${this.name}): its loop takes each record at once, so nothing can wait for a checkpoint to commit, and a resumed run could not hand this loop again what it took since the last one; use toCallback for at-least-once, or a sink that commits`,
      'a run with checkpoints',
    );
  }
}
