/**
 * A 32-bit hash of any value as a {@link KeyTable} key, consistent with SameValueZero (the equality
 * of Map keys): equal keys hash equally, -0 as 0. Numbers and strings, the keys that matter for
 * speed, are hashed from their value with no allocation; objects and unregistered symbols by
 * identity, through an id each gets the first time it is seen. Not the canonical hash the routers
 * use: this one only has to be fast and well spread within one process, and it is seeded afresh in
 * each process, so keys chosen from outside (user ids, words of a request) cannot be picked in
 * advance to collide and turn lookups into long probes, which a Map's seeded hash also prevents.
 */
import { randomBytes } from 'node:crypto';
import { mix32 } from '../../internal/mix32.js';

/** This process's seed: a key's hash differs from one process to the next. */
const SEED = randomBytes(4).readInt32LE(0);

const float64 = new Float64Array(1);
const float64Words = new Int32Array(float64.buffer);

/**
 * Ids of objects and unregistered symbols, held weakly: a key that is gone costs nothing. (Node 20
 * takes symbols as weak keys; the ES2022 typings this project compiles against predate that.)
 */
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

const HASH_TRUE = 0x2f6b3c51;
const HASH_FALSE = 0x4a1d9e73;
const HASH_NULL = 0x1b873593;
const HASH_UNDEFINED = 0x5bd1e995;
/** Keeps a bigint's or a registered symbol's hash apart from the string it is hashed through. */
const TAG_BIGINT = 0x68e31da4;
const TAG_SYMBOL = 0x3c6ef372;

/**
 * The hash of `key`, a signed 32-bit integer (V8 returns those without boxing them).
 * @example
 * ```ts
 * hashKey(-0) === hashKey(0); // true
 * ```
 */
export function hashKey(key: unknown): number {
  if (typeof key === 'number') {
    const int = key | 0;
    return int === key ? mix32(int ^ SEED) : hashDouble(key);
  }
  if (typeof key === 'string') return hashString(key);
  return hashOther(key);
}

/**
 * FNV-1a over the UTF-16 code units, two to a step (one 32-bit word), then mixed: half the
 * dependent multiplies of one per character, and the finalizer spreads what FNV leaves clustered.
 */
export function hashString(text: string): number {
  const n = text.length;
  let h = 0x811c9dc5 ^ SEED ^ n;
  let i = 0;
  for (; i + 1 < n; i += 2) h = Math.imul(h ^ (text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)), 0x01000193);
  if (i < n) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return mix32(h);
}

function hashDouble(value: number): number {
  float64[0] = value;
  return mix32((float64Words[0] as number) ^ mix32((float64Words[1] as number) ^ SEED));
}

function hashOther(key: unknown): number {
  switch (typeof key) {
    case 'boolean':
      return key ? HASH_TRUE : HASH_FALSE;
    case 'undefined':
      return HASH_UNDEFINED;
    case 'bigint':
      return hashString(key.toString(36)) ^ TAG_BIGINT;
    case 'symbol': {
      // A registered symbol cannot be held weakly; its registry key names it for good anyway.
      const registered = Symbol.keyFor(key);
      return registered === undefined ? identityHash(key) : hashString(registered) ^ TAG_SYMBOL;
    }
    default:
      return key === null ? HASH_NULL : identityHash(key as object);
  }
}

function identityHash(key: object | symbol): number {
  const weak = key as object;
  let id = identities.get(weak);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(weak, id);
  }
  return mix32(id ^ SEED);
}
