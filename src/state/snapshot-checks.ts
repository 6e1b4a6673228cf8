/**
 * Argument checks every snapshot store applies to `save`, `load` and `delete`, so the memory and
 * file stores accept exactly the same keys and snapshots and fail with the same InvalidOptionError.
 */
import { InvalidOptionError } from '../errors.js';
import type { Snapshot, SnapshotStore } from './snapshot-store.js';

// A lone surrogate does not survive UTF-8 (it becomes U+FFFD), so two different keys would share
// one folder name and one encoded header in the file store.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether `text` has no lone surrogate, so that it survives UTF-8 as it is (a key, a persistence id).
 *
 * @example
 * ```ts
 * isWellFormed('a\uD800'); // false
 * ```
 */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/**
 * Returns `store`, or throws unless it has the `save` and `load` of a SnapshotStore.
 *
 * @throws InvalidOptionError naming `option`.
 *
 * @example
 * ```ts
 * checkSnapshotStore('snapshot.store', new MemorySnapshotStore());
 * ```
 */
export function checkSnapshotStore(option: string, store: unknown): SnapshotStore {
  const candidate = store as Partial<Record<keyof SnapshotStore, unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.save !== 'function' || typeof candidate.load !== 'function') {
    throw new InvalidOptionError(option, 'a SnapshotStore with save and load', store);
  }
  return store as SnapshotStore;
}

/**
 * Returns `key`, or throws unless it is a string without lone surrogates (any other string,
 * including `''`, `'..'` and `'a/b'`, is a valid key).
 *
 * @throws InvalidOptionError naming `key`.
 *
 * @example
 * ```ts
 * checkKey('orders/eu'); // 'orders/eu'
 * ```
 */
export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || !isWellFormed(key)) {
    throw new InvalidOptionError('key', 'a string of well-formed UTF-16 (no lone surrogates)', key);
  }
  return key;
}

/**
 * Returns `snapshot`, or throws unless it is an object whose `sequence` is a safe integer ≥ 0.
 * Safe integers because a sequence names a file and must compare exactly; `meta` and `entries`
 * are checked where they are read.
 *
 * @throws InvalidOptionError naming `snapshot` or `sequence`.
 *
 * @example
 * ```ts
 * checkSnapshot({ sequence: 3, meta: {} }).sequence; // 3
 * ```
 */
export function checkSnapshot(snapshot: unknown): Snapshot {
  if (typeof snapshot !== 'object' || snapshot === null) {
    throw new InvalidOptionError('snapshot', 'an object with a `sequence`', snapshot);
  }
  const { sequence } = snapshot as { sequence?: unknown };
  if (typeof sequence !== 'number' || !Number.isSafeInteger(sequence) || sequence < 0) {
    throw new InvalidOptionError('sequence', 'a safe integer ≥ 0', sequence);
  }
  return snapshot as Snapshot;
}

/**
 * Throws unless `sequence` is above `newest`, the sequence of the newest intact snapshot of `key`
 * (`undefined` when there is none, and then any sequence is accepted).
 *
 * @throws InvalidOptionError naming `sequence`, whose message names the key and the newest sequence.
 *
 * @example
 * ```ts
 * checkSequenceAbove('counter', 4, 3); // fine
 * checkSequenceAbove('counter', 3, 3); // throws
 * ```
 */
export function checkSequenceAbove(key: string, sequence: number, newest: number | undefined): void {
  if (newest !== undefined && sequence <= newest) {
    throw new InvalidOptionError('sequence', `above ${newest}, the newest snapshot of ${JSON.stringify(key)}`, sequence);
  }
}
