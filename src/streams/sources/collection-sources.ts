/**
 * Sources over values already in the program: arrays, (re-creatable) iterables, generators, and
 * one-shot async iterables. Offsets are record indexes.
 */
import { InvalidOptionError } from '../../errors.js';
import { isFunction } from '../../internal/validate.js';
import type { RecordChunk, Source, SourceItem } from './source.js';

/**
 * A replayable source over an array: offset n resumes at `records[n]`. A read goes up to the
 * length the array had when it began, reading the array in place (not a copy): change it only
 * between runs, as a replay must find the same records.
 *
 * @example
 * ```ts
 * const source = fromArray([1, 2, 3]);
 * ```
 */
export function fromArray<TRecord>(records: readonly TRecord[], name = 'array'): Source<TRecord, number> {
  if (!Array.isArray(records)) throw new InvalidOptionError('records', 'an array', records);
  return {
    name,
    replayable: true,
    start: 0,
    read: (from = 0) => {
      const start = checkIndex(from);
      return syncAndAsync(() => new ArrayItems(records, start));
    },
    readChunks: (from = 0): RecordChunk<TRecord, number>[] => {
      const start = checkIndex(from);
      return [{ records, start, end: records.length, offsetAt: indexOffset }];
    },
  };
}

/** An array's offsets are its indexes. */
function indexOffset(index: number): number {
  return index;
}

/**
 * The items of an array from index `from`, up to its length when the read began: by index rather
 * than through a generator or a copy, so a pipeline reading it synchronously pays for one object
 * per record, the item itself.
 */
class ArrayItems<TRecord> implements Iterator<SourceItem<TRecord, number>> {
  readonly #records: readonly TRecord[];
  readonly #end: number;
  #index: number;

  constructor(records: readonly TRecord[], from: number) {
    this.#records = records;
    this.#end = records.length;
    this.#index = from;
  }

  next(): IteratorResult<SourceItem<TRecord, number>> {
    const index = this.#index;
    if (index >= this.#end) return { done: true, value: undefined };
    this.#index = index + 1;
    return { done: false, value: { kind: 'record', value: this.#records[index] as TRecord, next: index + 1 } };
  }
}

/**
 * A replayable source from a function that starts the sequence at any index: `generate(n)` must
 * yield what the sequence holds from index n on (deterministically, for exactly-once recovery).
 *
 * @example
 * ```ts
 * const numbers = fromGenerator(function* (from) { for (let i = from; i < 1e6; i++) yield i; });
 * ```
 */
export function fromGenerator<TRecord>(generate: (from: number) => Iterable<TRecord> | AsyncIterable<TRecord>, name = 'generator'): Source<TRecord, number> {
  isFunction('generate', generate);
  return {
    name,
    replayable: true,
    start: 0,
    read: (from = 0) => indexed(generate(checkIndex(from)), from),
  };
}

/**
 * A one-shot source over an iterable or async iterable (a generator object, a database cursor):
 * offsets count records, but it cannot be read again, so it is not replayable.
 */
export function fromIterable<TRecord>(records: Iterable<TRecord> | AsyncIterable<TRecord>, name = 'iterable'): Source<TRecord, number> {
  if (!isIterable(records)) throw new InvalidOptionError('records', 'an iterable or async iterable', records);
  let read = false;
  return {
    name,
    replayable: false,
    start: 0,
    read(from = 0) {
      if (read) throw new InvalidOptionError('from', `an unread source (${name} is one-shot and was read already)`, from);
      if (from !== 0) throw new InvalidOptionError('from', `0 (${name} is one-shot and cannot skip ahead)`, from);
      read = true;
      return indexed(records, 0);
    },
  };
}

/**
 * Numbers the records from `from`. Over a synchronous iterable the result can also be iterated
 * synchronously, which spares a pipeline a promise per record; it stays a valid async iterable.
 */
function indexed<TRecord>(records: Iterable<TRecord> | AsyncIterable<TRecord>, from: number): AsyncIterable<SourceItem<TRecord, number>> {
  if (!(Symbol.iterator in records)) return indexedAsync(records, from);
  return syncAndAsync(function* (): Generator<SourceItem<TRecord, number>> {
    let next = from;
    for (const value of records) yield { kind: 'record', value, next: ++next };
  });
}

/** Items that can be iterated synchronously, which spares a pipeline a promise per record, or asynchronously. */
function syncAndAsync<TItem>(iterate: () => Iterator<TItem>): AsyncIterable<TItem> {
  return {
    [Symbol.iterator]: iterate,
    [Symbol.asyncIterator]: () => toAsync(iterate()),
  } as AsyncIterable<TItem> & Iterable<TItem>;
}

async function* indexedAsync<TRecord>(records: AsyncIterable<TRecord>, from: number): AsyncGenerator<SourceItem<TRecord, number>> {
  let next = from;
  for await (const value of records) yield { kind: 'record', value, next: ++next };
}

async function* toAsync<T>(items: Iterator<T>): AsyncGenerator<T> {
  for (let step = items.next(); step.done !== true; step = items.next()) yield step.value;
}

function checkIndex(from: unknown): number {
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 0) {
    throw new InvalidOptionError('from', 'a record index (an integer ≥ 0)', from);
  }
  return from;
}

function isIterable(value: unknown): value is Iterable<unknown> | AsyncIterable<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    (typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function' ||
      typeof (value as Partial<AsyncIterable<unknown>>)[Symbol.asyncIterator] === 'function')
  );
}
