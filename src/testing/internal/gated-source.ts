/**
 * The source of a pipeline under test: replayable over an array, but each record (and the end)
 * waits at a gate until the test's engine opens it, so when the source delivers is a scheduling
 * decision like any actor's turn, and the engine can hold it at a checkpoint or crash point.
 */
import { InvalidOptionError } from '../../errors.js';
import type { FeedReader, ItemFeed, Source, SourceItem } from '../../streams/sources/source.js';

type Answer<TRecord> = IteratorResult<SourceItem<TRecord, number>, undefined>;

const END: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });
const ENDED: Promise<IteratorReturnResult<undefined>> = Promise.resolve(END);
const SETTLED: Promise<void> = Promise.resolve();

/**
 * Where the source waits, and how the engine lets it go on. A run reads its source once, one item
 * at a time (the driver asks for the next only once the last came): the gate keeps that read's
 * place and its pending answer, and makes the item only as it opens. Read as a feed (the
 * engine's way), a record costs no promise: the gate answers from a microtask, never inside
 * `open()`, so the item reaches the run after the step that opened the gate, as an awaited answer
 * would, and never while the dispatcher picks a turn.
 */
export class SourceGate<TRecord = unknown> {
  /** The input, in the order the source delivers it. */
  readonly records: readonly TRecord[];
  /** The offset of the next item the read waits for, or will. */
  #at = 0;
  #ended = false;
  /** The pending answer of the read's `next()`, while it waits. */
  #answer: ((answer: Answer<TRecord>) => void) | undefined;
  /** The feed's reader, while it waits for an item; read as a feed, the read keeps no other answer. */
  #reader: FeedReader<TRecord, number> | undefined;
  /** The reader the gate, opened, answers next: taken when the microtask runs. */
  #answering: FeedReader<TRecord, number> | undefined;
  /** Answers the feed's request from a microtask: made once, so an opening makes no closure. */
  readonly #answerFeed = (): void => {
    const reader = this.#answering;
    this.#answering = undefined;
    if (reader === undefined || this.#ended) return;
    const records = this.records;
    const at = this.#at;
    if (at === records.length) {
      this.#ended = true;
      reader.end();
      return;
    }
    this.#at = at + 1;
    reader.item({ kind: 'record', value: records[at] as TRecord, next: at + 1 });
  };
  /** Parks a `next()`: made once, so a wait makes no closure of its own. */
  readonly #park = (answer: (answer: Answer<TRecord>) => void): void => {
    this.#answer = answer;
  };

  constructor(records: readonly TRecord[]) {
    this.records = records;
  }

  /** The offset of the record the source waits to deliver (the input's length: its end), if it waits. */
  get waiting(): number | undefined {
    return this.#answer === undefined && this.#reader === undefined ? undefined : this.#at;
  }

  /** Lets the waiting source deliver its record (or end). */
  open(): void {
    const reader = this.#reader;
    if (reader !== undefined) {
      this.#reader = undefined;
      this.#answering = reader;
      // A reaction to a settled promise, queued as `queueMicrotask` would queue it: that one makes
      // an async resource (and runs it in its scope) for every record.
      void SETTLED.then(this.#answerFeed);
      return;
    }
    const answer = this.#answer;
    if (answer === undefined) return;
    this.#answer = undefined;
    const records = this.records;
    const at = this.#at;
    if (at === records.length) {
      this.#ended = true;
      answer(END);
      return;
    }
    this.#at = at + 1;
    answer({ done: false, value: { kind: 'record', value: records[at] as TRecord, next: at + 1 } });
  }

  /** Starts the run's read at `from`. */
  read(from: number): AsyncIterableIterator<SourceItem<TRecord, number>> {
    this.#at = from;
    this.#ended = false;
    const iterator: AsyncIterableIterator<SourceItem<TRecord, number>> = {
      next: () => (this.#ended ? ENDED : new Promise(this.#park)),
      return: () => {
        this.#ended = true;
        return ENDED;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /** Starts the run's read at `from`, as a feed: each request waits for the gate to open. */
  feed(from: number, reader: FeedReader<TRecord, number>): ItemFeed {
    this.#at = from;
    this.#ended = false;
    return new GateFeed(this, reader);
  }

  /** The feed's request: `reader` waits at the gate (the end, once reached, is answered at once too, as `read` answers it). */
  request(reader: FeedReader<TRecord, number>): void {
    if (this.#ended) reader.end();
    else this.#reader = reader;
  }

  /** The feed's cancel: no request waits, and none is answered. */
  cancel(): void {
    this.#ended = true;
    this.#reader = undefined;
    this.#answering = undefined;
  }
}

/** A gate's read as a feed. */
class GateFeed<TRecord> implements ItemFeed {
  readonly #gate: SourceGate<TRecord>;
  readonly #reader: FeedReader<TRecord, number>;

  constructor(gate: SourceGate<TRecord>, reader: FeedReader<TRecord, number>) {
    this.#gate = gate;
    this.#reader = reader;
  }

  request(): void {
    this.#gate.request(this.#reader);
  }

  cancel(): void {
    this.#gate.cancel();
  }
}

/** What the engine holds of a gate: where the source waits, and the opening. */
export type GateControl = Pick<SourceGate, 'waiting' | 'open'>;

/** The name every source of a case's runs has, so that each builds the same plan. */
export const TEST_INPUT = 'test-input';

/**
 * `from`, when it is an offset of a test input of `length` records.
 * @throws InvalidOptionError naming `from` otherwise.
 */
export function inputOffset(from: unknown, length: number): number {
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 0 || from > length) {
    throw new InvalidOptionError('from', `an offset of the test input, from 0 to ${length}`, from);
  }
  return from;
}

/** The source over the gate's records, each delivered when the gate opens at it. */
export function gatedSource<TRecord>(gate: SourceGate<TRecord>): Source<TRecord, number> {
  const records = gate.records;
  return {
    name: TEST_INPUT,
    replayable: true,
    start: 0,
    read: (from = 0) => gate.read(inputOffset(from, records.length)),
    readFeed: (from = 0, reader) => gate.feed(inputOffset(from, records.length), reader),
  };
}
