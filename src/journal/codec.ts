/**
 * How a journal turns records into bytes and back. Each record is encoded on its own, so one that
 * cannot be decoded later becomes one `malformed` item, not a lost batch.
 */
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';

/**
 * Encodes and decodes the records of a journal.
 *
 * @example
 * ```ts
 * const upper: JournalCodec<string> = {
 *   name: 'upper',
 *   encode: (record) => Buffer.from(record.toUpperCase()),
 *   decode: (bytes) => Buffer.from(bytes).toString(),
 *   text: true,
 * };
 * ```
 */
export interface JournalCodec<TRecord> {
  /** A name for errors. */
  readonly name: string;
  /**
   * The bytes of `record`. The journal copies them before the next call. A throw rejects the
   * whole `append`, and nothing of it is written.
   */
  encode(record: TRecord): Uint8Array;
  /** The record in `bytes` (a view the codec must not keep). A throw yields a `malformed` item. */
  decode(bytes: Uint8Array): TRecord;
  /**
   * Whether encoded records are UTF-8 text: a `malformed` item then shows them as text rather than
   * base64.
   * @defaultValue false
   */
  readonly text?: boolean | undefined;
}

// As the snapshot files: records keep plain objects and Maps apart, and without shared structures
// every record carries its own definitions, so each decodes alone — in any order, after any crash.

/**
 * msgpackr, as snapshots use it — the journal's default. It round-trips what a pipeline's records
 * hold and JSON does not: `Date`, `Map`, `Set`, `bigint`, `undefined`, typed arrays, `Buffer`.
 *
 * @example
 * ```ts
 * const journal = await openJournal<Order>({ dir: './state/orders', codec: msgpackCodec() });
 * ```
 */
export function msgpackCodec<TRecord = unknown>(): JournalCodec<TRecord> {
  const packr = new Packr(MSGPACK_OPTIONS);
  // copyBuffers: a decoded Buffer must not be a view into the journal's read buffer.
  const unpackr = new Unpackr({ ...MSGPACK_OPTIONS, copyBuffers: true });
  return {
    name: 'msgpack',
    encode: (record) => packr.pack(record),
    decode: (bytes) => unpackr.unpack(bytes) as TRecord,
  };
}

/**
 * JSON as UTF-8 text: a journal anyone can read with `strings`, for records that are JSON anyway.
 * Dates become strings, Maps `{}`, and `undefined` properties vanish, as with `JSON.stringify`.
 *
 * @example
 * ```ts
 * const journal = await openJournal({ dir: './state/events', codec: jsonCodec() });
 * ```
 */
export function jsonCodec<TRecord = unknown>(): JournalCodec<TRecord> {
  return {
    name: 'json',
    text: true,
    encode(record) {
      const text = JSON.stringify(record) as string | undefined;
      if (text === undefined) throw new TypeError(`JSON cannot encode ${typeof record}`);
      return Buffer.from(text, 'utf8');
    },
    decode: (bytes) => JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as TRecord,
  };
}
