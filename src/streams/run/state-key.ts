/**
 * Keys as a partition's KeyedState holds them. A Map tells keys apart by identity, so two equal
 * tuples or byte arrays would be two keys: those are held as an escaped string of their canonical
 * bytes, and primitives as themselves (the fast path: one character test for a string). The
 * mapping is a bijection, so the user's key is always recovered exactly.
 */
import { canonicalKeyBytes, keyFromCanonicalBytes, type PartitionKey } from '../partitioning/canonical-key.js';

/** A partition key in the form a Map compares by value. */
export type StateKey = string | number | bigint | boolean | null;

/** Marks a string state key that is not the user's string itself. */
const ESCAPE = 0;
const ESCAPED_STRING = 's';
const ENCODED_KEY = 'k';

export function stateKeyOf(key: PartitionKey): StateKey {
  if (typeof key === 'object' && key !== null) {
    return `\u0000${ENCODED_KEY}${Buffer.from(canonicalKeyBytes(key)).toString('latin1')}`;
  }
  // A user string that starts like an escaped key is escaped too, so the two never meet.
  if (typeof key === 'string' && key.charCodeAt(0) === ESCAPE) return `\u0000${ESCAPED_STRING}${key}`;
  return key;
}

export function keyOfState(stateKey: StateKey): PartitionKey {
  if (typeof stateKey !== 'string' || stateKey.charCodeAt(0) !== ESCAPE) return stateKey;
  if (stateKey[1] === ESCAPED_STRING) return stateKey.slice(2);
  return keyFromCanonicalBytes(Buffer.from(stateKey.slice(2), 'latin1'));
}
