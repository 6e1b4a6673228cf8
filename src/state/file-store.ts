/**
 * Snapshots in files: one folder per key under `dir`, one file per snapshot named by its sequence.
 * A snapshot becomes visible only through an atomic rename of a fully written, fsync'd temp file,
 * and older ones are deleted only once that rename is durable, so a crash or a failed save at any
 * point leaves the previous snapshot loadable; `load` returns nothing it has not proven intact.
 *
 * Options (validated at construction):
 * - `dir` — the root folder; created on the first save.
 * - `keep` — how many intact snapshots per key survive a save, ≥ 1, default 2. More than one,
 *   so a snapshot damaged at rest (bit rot, a bad sector) still leaves an older one to fall back to.
 * - `chunkSize` — entries per encoded chunk, ≥ 1, default 10,000; the event loop is blocked for
 *   about one chunk's encoding at a time.
 *
 * Layout: `dir/<folder of key>/<sequence, 16 digits>.snap`, e.g. `dir/k-counter/0000000000000007.snap`.
 * The folder name is `k-` and the key's UTF-8 bytes with every byte outside `[a-z0-9_-]` written as
 * `%XX`: no separators or dot names can escape `dir`, no two keys share a folder even on a
 * case-insensitive file system (upper case is escaped), and no name is reserved on Windows. A name
 * longer than 200 characters becomes `h-<sha256 of the key>`; the key is also stored in every file
 * and checked on load. The file format is described in `snapshot-format.ts`.
 *
 * Save: refuse a sequence not above the newest intact snapshot → write `.<name>.<random>.tmp`
 * (exclusive create) → fsync it → rename it over `<name>` → fsync the folder → only then delete
 * what is beyond `keep` intact snapshots, damaged files, and stale temp files. A failure before
 * the folder is synced removes the temp file (and the renamed file), and the save rejects.
 * Load: newest file first; a damaged one is reported in `skipped` and the next older one tried;
 * temp files are never read, and are removed. A file that cannot be read for another reason than
 * damage (permissions, I/O error) rejects the load instead: falling back past a snapshot that may
 * be fine would silently lose the work since the older one.
 *
 * One store instance owns a `dir`: two processes writing the same folder would remove each other's
 * temp files. Saves of one key must not overlap each other, nor a `delete` of the same key.
 */
import { createHash } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { nanoid } from 'nanoid';
import { InvalidOptionError } from '../errors.js';
import { isObject, positiveInteger, withDefault } from '../internal/validate.js';
import { ensureFolder, hasCode, readIfPresent, readNames, syncFolder } from '../internal/durable-files.js';
import { ignore } from '../internal/ignore.js';
import { checkKey, checkSequenceAbove, checkSnapshot } from './snapshot-checks.js';
import { decodeSnapshotFile, writeSnapshotFile } from './snapshot-format.js';
import type { LoadResult, Snapshot, SnapshotStore, SkippedSnapshot } from './snapshot-store.js';

/** Options of {@link FileSnapshotStore}. */
export interface FileSnapshotStoreOptions {
  /** Root folder of the store, holding one folder per key; created on the first save. */
  readonly dir: string;
  /**
   * How many intact snapshots of each key a save leaves behind (the new one included).
   * @defaultValue 2
   */
  readonly keep?: number | undefined;
  /**
   * Entries per encoded chunk; the event loop gets a turn between chunks.
   * @defaultValue 10_000
   */
  readonly chunkSize?: number | undefined;
}

const DEFAULT_KEEP = 2;
const DEFAULT_CHUNK_SIZE = 10_000;
// Number.MAX_SAFE_INTEGER has 16 digits, so names sort like sequences.
const SEQUENCE_DIGITS = 16;
const SNAPSHOT_NAME = /^(\d{16})\.snap$/;
const TEMP_NAME = /^\..*\.tmp$/;
const MAX_FOLDER_NAME = 200; // well under the common 255-byte limit on a name
const TOMBSTONE_PREFIX = '.deleted-';
// How many times `load` lists a folder when files vanish under it (pruned by a save, or deleted,
// while it reads) before it gives up; each vanishing means a newer listing exists to read.
const LOAD_ATTEMPTS = 5;

interface SnapshotFile {
  readonly sequence: number;
  readonly path: string;
}

interface Listing {
  /** Newest first. */
  readonly snapshots: readonly SnapshotFile[];
  readonly temps: readonly string[];
}

/**
 * Keeps snapshots as checksummed msgpackr files, written atomically and durably.
 *
 * @example
 * ```ts
 * const store = new FileSnapshotStore({ dir: './state', keep: 2 });
 * await store.save('counter', { sequence: 1, meta: { total: 3 }, entries: new Map([['a', 1]]) });
 * const { snapshot, skipped } = await store.load('counter');
 * for (const damaged of skipped) console.warn(`skipped ${damaged.location}: ${damaged.reason}`);
 * ```
 */
export class FileSnapshotStore implements SnapshotStore {
  /** The root folder, resolved to an absolute path. */
  readonly dir: string;
  /** How many intact snapshots of each key a save leaves behind. */
  readonly keep: number;
  /** Entries per encoded chunk. */
  readonly chunkSize: number;
  readonly #tempsInFlight = new Set<string>();
  // What reading a file has proven (true: intact, false: damaged), so pruning and the sequence
  // check do not read the same files again on every save. `load` never trusts it: it re-reads.
  readonly #verdicts = new Map<string, boolean>();

  /**
   * @param options - see {@link FileSnapshotStoreOptions}.
   * @throws InvalidOptionError naming `options`, `dir`, `keep` or `chunkSize`.
   */
  constructor(options: FileSnapshotStoreOptions) {
    isObject('options', options);
    const { dir } = options;
    if (typeof dir !== 'string' || dir.length === 0 || dir.includes('\0')) {
      throw new InvalidOptionError('dir', 'a non-empty path', dir);
    }
    this.dir = resolve(dir);
    this.keep = withDefault(options.keep, DEFAULT_KEEP, (value) => positiveInteger('keep', value));
    this.chunkSize = withDefault(options.chunkSize, DEFAULT_CHUNK_SIZE, (value) => positiveInteger('chunkSize', value));
  }

  /**
   * The folder that holds the snapshots of `key` (whether or not it exists yet).
   *
   * @throws InvalidOptionError naming `key`.
   *
   * @example
   * ```ts
   * store.folderOf('orders/EU'); // '<dir>/k-orders%2F%45%55'
   * ```
   */
  folderOf(key: string): string {
    checkKey(key);
    let name = 'k-';
    for (const byte of Buffer.from(key, 'utf8')) {
      name += isPlainByte(byte) ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    if (name.length > MAX_FOLDER_NAME) name = `h-${createHash('sha256').update(key, 'utf8').digest('hex')}`;
    return join(this.dir, name);
  }

  /**
   * Saves `snapshot` as the newest of `key` and resolves once it is durable (file and folder
   * fsync'd), then prunes. Pruning is best effort: if it fails, the save still succeeded and the
   * next save prunes again.
   *
   * @throws (rejects) InvalidOptionError naming `key`, `snapshot`, `sequence` (not above the newest
   *   intact snapshot; a damaged newer one may be replaced) or `entries`; the encoder's error for a
   *   value msgpackr cannot encode (a symbol); a file system error. The previous snapshots are
   *   then untouched and no temp file is left behind.
   *
   * @example
   * ```ts
   * await store.save('counter', { sequence: 8, meta: { total: 9 }, entries: state.entries() });
   * ```
   */
  async save(key: string, snapshot: Snapshot): Promise<void> {
    checkKey(key);
    const checked = checkSnapshot(snapshot);
    const { sequence } = checked;
    const folder = this.folderOf(key);
    await ensureFolder(folder);
    for (const file of (await listFolder(folder)).snapshots) {
      if (file.sequence < sequence) break;
      if (await this.#isIntact(key, file)) checkSequenceAbove(key, sequence, file.sequence);
    }

    const finalPath = join(folder, snapshotName(sequence));
    const tempPath = join(folder, `.${snapshotName(sequence)}.${nanoid(10)}.tmp`);
    this.#tempsInFlight.add(tempPath);
    let renamed = false;
    try {
      const handle = await open(tempPath, 'wx');
      try {
        await writeSnapshotFile(handle, key, checked, this.chunkSize);
        await handle.sync();
      } catch (error) {
        await handle.close().catch(ignore);
        throw error;
      }
      await handle.close();
      this.#verdicts.delete(finalPath); // it may have been a damaged file of the same sequence
      await rename(tempPath, finalPath);
      renamed = true;
      await syncFolder(folder);
    } catch (error) {
      await rm(tempPath, { force: true }).catch(ignore);
      // Renamed but not durable: take it back, so a rejected save has no effect a caller could see
      // now and a retry of the same sequence is not refused.
      if (renamed) await rm(finalPath, { force: true }).catch(ignore);
      throw error;
    } finally {
      this.#tempsInFlight.delete(tempPath);
    }
    this.#verdicts.set(finalPath, true);
    await this.#prune(key, folder, sequence).catch(ignore);
  }

  /**
   * The newest intact snapshot of `key`, reading files newest first and reporting each damaged
   * one it passes over (newest first). Removes leftover temp files of `key`.
   *
   * @throws (rejects) InvalidOptionError naming `key`; a file system error other than a missing
   *   file (a file that cannot be read is not known to be damaged, so it is not skipped).
   *
   * @example
   * ```ts
   * const { snapshot, skipped } = await store.load('counter');
   * if (skipped.length > 0) log.warn('damaged snapshots', skipped);
   * ```
   */
  async load(key: string): Promise<LoadResult> {
    const folder = this.folderOf(key);
    for (let attempt = 1; ; attempt++) {
      const listing = await listFolder(folder);
      await this.#removeStaleTemps(listing);
      const skipped: SkippedSnapshot[] = [];
      let vanished = false;
      for (const file of listing.snapshots) {
        const bytes = await readIfPresent(file.path);
        if (bytes === undefined) {
          vanished = true; // pruned or deleted since the listing: list again
          break;
        }
        const result = await decodeSnapshotFile(bytes, { key, sequence: file.sequence });
        this.#verdicts.set(file.path, result.intact);
        if (result.intact) return { snapshot: result.snapshot, skipped };
        skipped.push({ sequence: file.sequence, reason: result.reason, location: file.path });
      }
      if (!vanished) return { snapshot: undefined, skipped };
      if (attempt === LOAD_ATTEMPTS) {
        throw new Error(`Snapshots of ${JSON.stringify(key)} kept disappearing while loading; ` + 'is a save or delete of the same key running?');
      }
    }
  }

  /**
   * Removes every snapshot of `key`, atomically: the key's folder is renamed away (and the rename
   * made durable) before its files are removed, so a crash cannot leave some snapshots behind.
   *
   * @throws (rejects) InvalidOptionError naming `key`; a file system error.
   *
   * @example
   * ```ts
   * await store.delete('counter');
   * ```
   */
  async delete(key: string): Promise<void> {
    const folder = this.folderOf(key);
    const tombstone = join(this.dir, `${TOMBSTONE_PREFIX}${nanoid(10)}`);
    try {
      await rename(folder, tombstone);
      await syncFolder(this.dir);
    } catch (error) {
      if (!hasCode(error, 'ENOENT')) throw error;
    }
    for (const path of this.#verdicts.keys()) {
      if (path.startsWith(folder + sep)) this.#verdicts.delete(path);
    }
    // Also removes tombstones left by a crash during an earlier delete.
    for (const name of await readNames(this.dir)) {
      if (name.startsWith(TOMBSTONE_PREFIX)) await rm(join(this.dir, name), { recursive: true, force: true });
    }
  }

  /** Whether `file` is intact, reading it (without decoding its entries) unless already known. */
  async #isIntact(key: string, file: SnapshotFile): Promise<boolean> {
    const known = this.#verdicts.get(file.path);
    if (known !== undefined) return known;
    const bytes = await readIfPresent(file.path);
    if (bytes === undefined) return false;
    const result = await decodeSnapshotFile(bytes, { key, sequence: file.sequence }, { entries: false });
    this.#verdicts.set(file.path, result.intact);
    return result.intact;
  }

  /**
   * Keeps the `keep` newest intact snapshots up to `saved` and removes every other snapshot file
   * (older ones, damaged ones, damaged newer ones that the save's sequence check passed over) and
   * stale temp files. Runs only after `saved` is durable.
   */
  async #prune(key: string, folder: string, saved: number): Promise<void> {
    const listing = await listFolder(folder);
    let kept = 0;
    for (const file of listing.snapshots) {
      const keepIt =
        file.sequence > saved
          ? await this.#isIntact(key, file) // only a file written behind our back could be
          : kept < this.keep && (file.sequence === saved || (await this.#isIntact(key, file)));
      if (keepIt) {
        if (file.sequence <= saved) kept++;
        continue;
      }
      await rm(file.path, { force: true });
      this.#verdicts.delete(file.path);
    }
    await this.#removeStaleTemps(listing);
  }

  /** Best effort: a temp file that cannot be removed is never read, so it must not fail a load. */
  async #removeStaleTemps(listing: Listing): Promise<void> {
    for (const temp of listing.temps) {
      if (!this.#tempsInFlight.has(temp)) await rm(temp, { force: true }).catch(ignore);
    }
  }
}

function snapshotName(sequence: number): string {
  return `${String(sequence).padStart(SEQUENCE_DIGITS, '0')}.snap`;
}

function isPlainByte(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || // -
    byte === 0x5f // _
  );
}

async function listFolder(folder: string): Promise<Listing> {
  const snapshots: SnapshotFile[] = [];
  const temps: string[] = [];
  for (const name of await readNames(folder)) {
    const match = SNAPSHOT_NAME.exec(name);
    if (match !== null) {
      const sequence = Number(match[1]);
      if (Number.isSafeInteger(sequence)) snapshots.push({ sequence, path: join(folder, name) });
    } else if (TEMP_NAME.test(name)) {
      temps.push(join(folder, name));
    }
  }
  snapshots.sort((a, b) => b.sequence - a.sequence);
  return { snapshots, temps };
}
