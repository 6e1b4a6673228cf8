/**
 * The canonical bytes of a partition key: a type tag, then a fixed encoding of the value, so that
 * equal keys give equal bytes whatever the process, the machine or the object identity — and keys
 * of different types never collide by accident (the string "1" is not the number 1).
 */
import { InvalidKeyError } from '../../errors.js';
import { murmur3Block, murmur3Finish, murmur3Signed } from './murmur3.js';

/** A value records can be partitioned by: a primitive, bytes, or a tuple of those. */
export type PartitionKey = string | number | bigint | boolean | null | Uint8Array | readonly PartitionKey[];

const TAG_NULL = 0;
const TAG_FALSE = 1;
const TAG_TRUE = 2;
const TAG_NUMBER = 3;
const TAG_STRING = 4;
const TAG_BIGINT = 5;
const TAG_BYTES = 6;
const TAG_TUPLE = 7;

const encoder = new TextEncoder();

/**
 * The canonical bytes of `key`. Numbers are IEEE-754 doubles, big-endian, with -0 written as 0 and
 * every NaN as one NaN; strings are UTF-8; tuples are their length, then each element with its
 * own length prefix.
 *
 * @throws InvalidKeyError for a value that is not a {@link PartitionKey} (an object, a function,
 *   undefined, a symbol), naming what it got.
 */
export function canonicalKeyBytes(key: unknown): Uint8Array {
  return encodeShared(key).slice();
}

/**
 * MurmurHash3 of `key`'s canonical bytes, encoded into one reused buffer: hashing a key allocates
 * nothing on the routing hot path.
 * @throws InvalidKeyError as `canonicalKeyBytes` does.
 */
export function hashCanonical(key: unknown): number {
  return hashCanonical32(key) >>> 0;
}

/**
 * {@link hashCanonical} as a signed 32-bit integer, which V8 returns without boxing it: callers on
 * the hot path take this and apply `>>> 0` themselves.
 */
export function hashCanonical32(key: unknown): number {
  if (typeof key === 'string') return hashString32(key);
  return murmur3Signed(encodeShared(key));
}

/**
 * MurmurHash3 of a string's canonical bytes — its tag, its length as a big-endian uint32, then its
 * UTF-8 — as a signed 32-bit integer. When every character is ASCII (one byte each) the bytes are
 * read straight from the characters, four to a block: the first block holds the length's low byte
 * and three characters, each next one four characters, so the loop mixes a block per turn with no
 * test of where in a block it is. Any other string is encoded first (a character past 0x7f is seen
 * only after the loop, which then wasted nothing but its own turns).
 */
function hashString32(text: string): number {
  const n = text.length;
  // Bytes 0–3: the tag and the length's top three bytes (a constant below 256 characters).
  const head =
    n < 256 ? SHORT_STRING_HEAD : murmur3Block(0, TAG_STRING | (((n >>> 24) & 0xff) << 8) | (((n >>> 16) & 0xff) << 16) | (((n >>> 8) & 0xff) << 24));
  if (n < 3) {
    // The length's low byte and the characters are all the tail there is.
    const a = n > 0 ? text.charCodeAt(0) : 0;
    const b = n > 1 ? text.charCodeAt(1) : 0;
    return (a | b) < 0x80 ? murmur3Finish(head, n | (a << 8) | (b << 16), n + 1, n + 5) : murmur3Signed(encodeShared(text));
  }
  const a = text.charCodeAt(0);
  const b = text.charCodeAt(1);
  const c = text.charCodeAt(2);
  let seen = a | b | c;
  let h = murmur3Block(head, (n & 0xff) | (a << 8) | (b << 16) | (c << 24));
  let i = 3;
  for (; i + 3 < n; i += 4) {
    const w = text.charCodeAt(i);
    const x = text.charCodeAt(i + 1);
    const y = text.charCodeAt(i + 2);
    const z = text.charCodeAt(i + 3);
    seen |= w | x | y | z;
    h = murmur3Block(h, w | (x << 8) | (y << 16) | (z << 24));
  }
  // Zero to three characters left: the tail.
  const tail = n - i;
  let k = 0;
  if (tail > 0) {
    const w = text.charCodeAt(i);
    const x = tail > 1 ? text.charCodeAt(i + 1) : 0;
    const y = tail > 2 ? text.charCodeAt(i + 2) : 0;
    seen |= w | x | y;
    k = w | (x << 8) | (y << 16);
  }
  return seen < 0x80 ? murmur3Finish(h, k, tail, n + 5) : murmur3Signed(encodeShared(text));
}

/** The first block of any string shorter than 256 characters (its tag, then three zero length bytes), mixed. */
const SHORT_STRING_HEAD = murmur3Block(0, TAG_STRING);

let sharedWriter: ByteWriter | undefined;

function encodeShared(key: unknown): Uint8Array {
  const out = (sharedWriter ??= new ByteWriter());
  out.reset();
  write(out, key, 0);
  return out.bytes();
}

const MAX_DEPTH = 16;

function write(out: ByteWriter, key: unknown, depth: number): void {
  if (key === null) return out.byte(TAG_NULL);
  switch (typeof key) {
    case 'boolean':
      return out.byte(key ? TAG_TRUE : TAG_FALSE);
    case 'number':
      out.byte(TAG_NUMBER);
      return out.float64(Object.is(key, -0) ? 0 : Number.isNaN(key) ? Number.NaN : key);
    case 'string':
      out.byte(TAG_STRING);
      return out.utf8(key);
    case 'bigint': {
      const text = encoder.encode(key.toString(16));
      out.byte(TAG_BIGINT);
      out.uint32(text.length);
      return out.append(text);
    }
  }
  if (key instanceof Uint8Array) {
    out.byte(TAG_BYTES);
    out.uint32(key.length);
    return out.append(key);
  }
  if (Array.isArray(key) && depth < MAX_DEPTH) {
    out.byte(TAG_TUPLE);
    out.uint32(key.length);
    for (const element of key) write(out, element, depth + 1);
    return;
  }
  throw new InvalidKeyError(key);
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The key whose canonical bytes are `bytes`: the inverse of {@link canonicalKeyBytes} (a tuple
 * comes back as a new array, bytes as a new Uint8Array, -0 as 0).
 * @throws InvalidKeyError when `bytes` are not the canonical bytes of a key.
 */
export function keyFromCanonicalBytes(bytes: Uint8Array): PartitionKey {
  const reader = { bytes, view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), at: 0 };
  const key = read(reader, 0);
  if (reader.at !== bytes.length) throw new InvalidKeyError(bytes);
  return key;
}

interface ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  at: number;
}

function read(reader: ByteReader, depth: number): PartitionKey {
  const { bytes, view } = reader;
  const take = (length: number): number => {
    const at = reader.at;
    if (at + length > bytes.length) throw new InvalidKeyError(bytes);
    reader.at += length;
    return at;
  };
  const tag = bytes[take(1)];
  switch (tag) {
    case TAG_NULL:
      return null;
    case TAG_FALSE:
      return false;
    case TAG_TRUE:
      return true;
    case TAG_NUMBER:
      return view.getFloat64(take(8));
    case TAG_STRING: {
      const length = view.getUint32(take(4));
      const at = take(length);
      return decoder.decode(bytes.subarray(at, at + length));
    }
    case TAG_BIGINT: {
      const length = view.getUint32(take(4));
      const at = take(length);
      const text = decoder.decode(bytes.subarray(at, at + length));
      return text.startsWith('-') ? -BigInt(`0x${text.slice(1)}`) : BigInt(`0x${text}`);
    }
    case TAG_BYTES: {
      const length = view.getUint32(take(4));
      const at = take(length);
      return bytes.slice(at, at + length);
    }
    case TAG_TUPLE: {
      if (depth >= MAX_DEPTH) throw new InvalidKeyError(bytes);
      const length = view.getUint32(take(4));
      const tuple: PartitionKey[] = [];
      for (let i = 0; i < length; i++) tuple.push(read(reader, depth + 1));
      return tuple;
    }
    default:
      throw new InvalidKeyError(bytes);
  }
}

/** A growable byte buffer for one encoding. */
class ByteWriter {
  #buffer = new Uint8Array(32);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;

  byte(value: number): void {
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
  }

  uint32(value: number): void {
    this.#reserve(4);
    this.#view.setUint32(this.#length, value);
    this.#length += 4;
  }

  float64(value: number): void {
    this.#reserve(8);
    this.#view.setFloat64(this.#length, value);
    this.#length += 8;
  }

  /** A length-prefixed UTF-8 string, encoded in place. */
  utf8(text: string): void {
    this.#reserve(4 + text.length * 3);
    const { written } = encoder.encodeInto(text, this.#buffer.subarray(this.#length + 4));
    this.#view.setUint32(this.#length, written);
    this.#length += 4 + written;
  }

  reset(): void {
    this.#length = 0;
  }

  append(bytes: Uint8Array): void {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
  }

  bytes(): Uint8Array {
    return this.#buffer.subarray(0, this.#length);
  }

  #reserve(extra: number): void {
    if (this.#length + extra <= this.#buffer.length) return;
    const next = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + extra));
    next.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = next;
    this.#view = new DataView(next.buffer);
  }
}
