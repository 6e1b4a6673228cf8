/**
 * Sinks into the program: an array, and a callback (sync or async, awaited record by record).
 */
import { isFunction } from '../../internal/validate.js';
import type { Sink } from './sink.js';

/** A sink that collects records into `records` (a new array unless one is given). */
export interface ArraySink<TRecord> extends Sink<TRecord> {
  readonly records: TRecord[];
}

/**
 * Collects the output in an array.
 *
 * @example
 * ```ts
 * const out = toArray<number>();
 * await out.write([1, 2]);
 * out.records; // [1, 2]
 * ```
 */
export function toArray<TRecord>(records: TRecord[] = []): ArraySink<TRecord> {
  return {
    name: 'array',
    records,
    write(batch) {
      for (const record of batch) records.push(record);
    },
  };
}

/**
 * Calls `handle` for each record, in order, awaiting it when it returns a promise: a slow callback
 * holds the pipeline back. A callback that throws (or rejects) fails the write.
 */
export function toCallback<TRecord>(handle: (record: TRecord) => void | Promise<void>, name = 'callback'): Sink<TRecord> {
  isFunction('handle', handle);
  return {
    name,
    async write(batch) {
      for (const record of batch) {
        const pending = handle(record);
        if (pending instanceof Promise) await pending;
      }
    },
  };
}
