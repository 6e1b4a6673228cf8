/**
 * Making names durable: a file's new, renamed or removed entry survives a crash only once its
 * folder is fsync'd. (The same steps as the file snapshot store's; kept apart so the journal does
 * not reach into `state/`.)
 */
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';

// Where a folder cannot be opened or fsync'd at all (Windows, some network and FUSE file systems)
// there is nothing stronger to do; any other failure is real and propagates.
const UNSYNCABLE_FOLDER = new Set(['EISDIR', 'EPERM', 'EINVAL', 'ENOTSUP']);

/**
 * Makes the entries of `folder` (a new, renamed or removed name) durable.
 *
 * @example
 * ```ts
 * await rename(temp, final);
 * await syncFolder(dirname(final));
 * ```
 */
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

/**
 * Creates `folder` and any missing parents, making each new name durable in its parent.
 *
 * @example
 * ```ts
 * await ensureFolder('./state/journal');
 * ```
 */
export async function ensureFolder(folder: string): Promise<void> {
  const created = await mkdir(folder, { recursive: true });
  if (created === undefined) return;
  for (let path = folder; ; path = dirname(path)) {
    await syncFolder(dirname(path));
    if (path === created || dirname(path) === path) return;
  }
}

/** The `code` of a Node system error, if `error` is one. */
export function errorCode(error: unknown): string | undefined {
  return error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
}
