/**
 * Reading a snapshot's keyed-state entries a chunk at a time, shared by every snapshot store so
 * they all stall the event loop for one chunk at most: the source is read lazily and exactly once,
 * each chunk holds between 1 and `size` entries, and control returns to the event loop (after
 * pending I/O callbacks) before the next chunk is read.
 */
import { InvalidOptionError } from '../errors.js';
import type { SnapshotEntry } from './snapshot-store.js';

/**
 * Resolves on the next turn of the event loop, after the I/O callbacks that are already due, so a
 * long loop that awaits it between steps lets sockets, timers and other actors run.
 *
 * @example
 * ```ts
 * for (const batch of batches) { work(batch); await yieldToEventLoop(); }
 * ```
 */
export function yieldToEventLoop(): Promise<void> {
  // setImmediate, not a resolved promise: microtasks run before I/O, so they would not yield at all.
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Reads `entries` in arrays of at most `size` entries, checking that each is a `[key, value]` pair
 * and yielding to the event loop between arrays. Stopping early (a failed write) closes the
 * source's iterator.
 *
 * @param entries - the snapshot's entries; `undefined` reads as no chunks at all.
 * @param size - the most entries per chunk, a positive integer (validated by the caller).
 * @throws InvalidOptionError naming `entries` when `entries` is not iterable or yields something
 *   that is not a two-element array; the error surfaces from the `for await` that reads the chunks.
 *
 * @example
 * ```ts
 * for await (const chunk of readEntryChunks(state.entries(), 10_000)) encode(chunk);
 * ```
 */
export async function* readEntryChunks(entries: Iterable<SnapshotEntry> | undefined, size: number): AsyncGenerator<SnapshotEntry[], void, undefined> {
  if (entries === undefined) return;
  if (!isIterable(entries)) {
    throw new InvalidOptionError('entries', 'an iterable of [key, value] pairs (or undefined)', entries);
  }
  let chunk: SnapshotEntry[] = [];
  for (const entry of entries) {
    // Checked here so both stores refuse the same input: the file store could not decode a
    // non-pair as an entry, and the memory store must not accept what the file store refuses.
    if (!Array.isArray(entry) || entry.length !== 2) {
      throw new InvalidOptionError('entries', 'an iterable of [key, value] pairs', entry);
    }
    chunk.push(entry as unknown as SnapshotEntry);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
      await yieldToEventLoop();
    }
  }
  if (chunk.length > 0) yield chunk;
}

function isIterable(value: unknown): value is Iterable<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
