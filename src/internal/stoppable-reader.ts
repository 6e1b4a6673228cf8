/**
 * The life of one read of a connector source, as an async iterator that can be stopped while it
 * waits: it opens what it needs at the first `next()` (a connection, a consumer), takes one value at
 * a time from it, and closes it exactly once — when the read is over, fails, or is stopped.
 *
 * An async generator would not do: its `return()` waits for a pending `next()` to settle, and a
 * read that follows a stream, or waits for a server that is away, may not settle for a long time.
 * Here `return()` ends a pending `next()` at once (it resolves as done) and then closes, whichever
 * phase the read was in; the waits a subclass makes end early through {@link StoppableReader.until}
 * and {@link StoppableReader.signal}.
 */

/** What {@link StoppableReader.until} resolves to when the read was stopped first. */
export const STOPPED: unique symbol = Symbol('stopped');

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** One value a read took, and whether it was the last one. */
export interface Taken<TValue> {
  readonly value: TValue;
  /** The read is over after this value: what it opened is closed before the value is handed out. */
  readonly last: boolean;
}

/** A read that opens a `TOpened` and yields `TValue`s; see above. */
export abstract class StoppableReader<TOpened, TValue> implements AsyncIterator<TValue> {
  /** One value for where the read is: not yet opened, opened, or ended (stopped, done or failed). */
  #phase: 'new' | 'open' | 'ended' = 'new';
  #opening: Promise<TOpened> | undefined;
  #closing: Promise<void> | undefined;
  /** Aborted when the read ends. */
  readonly #abort = new AbortController();
  readonly #stopped: Promise<typeof STOPPED>;

  constructor() {
    this.#stopped = new Promise((resolve) => this.#abort.signal.addEventListener('abort', () => resolve(STOPPED), { once: true }));
  }

  /** Opens what the read needs; called once, at the first `next()`. */
  protected abstract open(): Promise<TOpened>;

  /** The next value, or undefined when there are no more (or the read was stopped meanwhile). */
  protected abstract take(opened: TOpened): Promise<Taken<TValue> | undefined>;

  /** Closes what `open` opened; called once, whichever way the read ends. */
  protected abstract close(opened: TOpened): Promise<void>;

  /** Aborted when the read ends: for a wait (a timer, a retry's pause) to end with it. */
  protected get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** `promise`, or {@link STOPPED} when the read ends first. */
  protected until<T>(promise: Promise<T>): Promise<T | typeof STOPPED> {
    return Promise.race([promise, this.#stopped]);
  }

  async next(): Promise<IteratorResult<TValue>> {
    if (this.#phase === 'ended') return DONE;
    try {
      if (this.#phase === 'new') {
        this.#phase = 'open';
        this.#opening = this.open();
      }
      const opened = await this.until(this.#opening as Promise<TOpened>);
      if (opened === STOPPED) return DONE;
      const taken = await this.take(opened);
      if (taken === undefined) return await this.#end();
      if (taken.last) await this.#end();
      return { done: false, value: taken.value };
    } catch (error) {
      const stopped = this.#abort.signal.aborted;
      await this.#end();
      // A stop that cut a wait short (for a server that is away) ends the read; it is not its failure.
      if (stopped) return DONE;
      throw error;
    }
  }

  async return(): Promise<IteratorResult<TValue>> {
    return this.#end();
  }

  /** Ends the read: a pending `next` resolves as done, and what was opened is closed. Idempotent. */
  async #end(): Promise<IteratorReturnResult<undefined>> {
    this.#phase = 'ended';
    this.#abort.abort();
    this.#closing ??= this.#close();
    await this.#closing;
    return DONE;
  }

  async #close(): Promise<void> {
    const opened = await this.#opening?.catch(() => undefined);
    if (opened !== undefined) await this.close(opened);
  }
}
