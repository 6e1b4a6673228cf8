/**
 * Small durable-file primitives shared by the file-backed stores (snapshots, checkpoints, the journal): folders whose new names are
 * fsync'd into their parents, and files that appear only whole, through a rename of a fsync'd temp
 * file followed by an fsync of the folder.
 */
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { nanoid } from 'nanoid';
import { ignore } from './ignore.js';

/** The names in `folder`, or none when it does not exist. */
export async function readNames(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return [];
    throw error;
  }
}

export async function readIfPresent(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Creates `folder` and any missing parents, making each new name durable in its parent. */
export async function ensureFolder(folder: string): Promise<void> {
  const created = await mkdir(folder, { recursive: true });
  if (created === undefined) return;
  for (let path = folder; ; path = dirname(path)) {
    await syncFolder(dirname(path));
    if (path === created || dirname(path) === path) return;
  }
}

// Where a folder cannot be opened or fsync'd at all (Windows, some network and FUSE file systems)
// there is nothing stronger to do; any other failure is real and propagates.
const UNSYNCABLE_FOLDER = new Set(['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP']);

/** Makes the entries of `folder` (a rename, a new or removed name) durable. */
export async function syncFolder(folder: string): Promise<void> {
  let handle;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    if (!UNSYNCABLE_FOLDER.has(errorCode(error) ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

export function hasCode(error: unknown, code: string): boolean {
  return errorCode(error) === code;
}

/** The `code` of a Node system error, if `error` is one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}

/**
 * Writes `path` so that it appears only whole and durable: `write` fills a fresh temp file in the
 * same folder, which is fsync'd, renamed over `path`, and the rename fsync'd. On failure the temp
 * file is removed and `path` is untouched.
 */
export async function writeAtomically<T>(path: string, write: (handle: FileHandle) => Promise<T>): Promise<T> {
  const folder = dirname(path);
  await ensureFolder(folder);
  const temp = join(folder, `.${basename(path)}.${nanoid(10)}.tmp`);
  try {
    const handle = await open(temp, 'wx');
    let result: T;
    try {
      result = await write(handle);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    await syncFolder(folder);
    return result;
  } catch (error) {
    await rm(temp, { force: true }).catch(ignore);
    throw error;
  }
}
