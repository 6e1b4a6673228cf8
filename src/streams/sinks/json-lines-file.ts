/**
 * A JSON-lines file sink, one `JSON.stringify` per line. In a run without checkpoints it writes
 * straight into the file. In a checkpointed run it is exactly-once, by two-phase commit: records
 * go to a part file in `<path>.parts/`; at each checkpoint the part is fsync'd and set aside as
 * pending; when the checkpoint completes, pending parts become committed; when the job completes,
 * the committed parts are joined into `<path>` atomically. A resume discards whatever was written
 * after the checkpoint it resumes from, so the final file equals an uninterrupted run's.
 *
 * Part names: `<seq, 10 digits>.open` (being written), `.pending` (pre-committed), `.part`
 * (committed). Every step is a rename, so a crash between any two leaves a state `recover` mends.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { access, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidOptionError } from '../../errors.js';
import { ensureFolder, readNames, syncFolder, writeAtomically } from '../../internal/durable-files.js';
import type { Sink } from './sink.js';
import { toWritable } from './writable-sinks.js';

/** What a checkpoint's pre-commit hands back: every part up to `seq` belongs to it or an earlier one. */
interface PartsToken {
  readonly seq: number;
}

const PART = /^(\d{10})\.(open|pending|part)$/;

/**
 * Writes records as JSON lines to `path`; exactly-once across crashes in a checkpointed run.
 *
 * @throws InvalidOptionError naming `path` when it is not a non-empty string.
 * @example
 * ```ts
 * await pipeline(fromArray(words)).to(toJsonLinesFile('out.jsonl')).run({ checkpoint: { dir: 'chk' } }).done;
 * ```
 */
export function toJsonLinesFile<TRecord>(path: string): Sink<TRecord> {
  if (typeof path !== 'string' || path.length === 0) throw new InvalidOptionError('path', 'a file path', path);
  const parts = `${path}.parts`;
  const partPath = (seq: number, state: 'open' | 'pending' | 'part'): string => join(parts, `${String(seq).padStart(10, '0')}.${state}`);
  const lines = (records: readonly TRecord[]): string => records.map((record) => `${JSON.stringify(record)}\n`).join('');

  /** The file written straight into, in a run without checkpoints; opened on the first write or at close. */
  let direct: { readonly sink: Sink<TRecord>; readonly stream: WriteStream } | undefined;
  const openDirect = (): Sink<TRecord> => {
    if (direct === undefined) {
      const stream = createWriteStream(path);
      direct = { sink: toWritable<TRecord>(stream, { serialize: (record) => `${JSON.stringify(record)}\n` }), stream };
    }
    return direct.sink;
  };
  /** Ends the direct file and waits until its descriptor is closed, not only flushed. */
  const closeDirect = async (): Promise<void> => {
    const sink = openDirect();
    const { stream } = direct as NonNullable<typeof direct>;
    await sink.close?.();
    if (!stream.closed) await once(stream, 'close');
  };
  /** Set by `recover`: the run is checkpointed. */
  let transactional = false;
  let seq = 0;
  let current: FileHandle | undefined;

  const listParts = async (): Promise<{ seq: number; state: string; name: string }[]> =>
    (await readNames(parts))
      .map((name) => ({ name, match: PART.exec(name) }))
      .filter((p): p is { name: string; match: RegExpExecArray } => p.match !== null)
      .map(({ name, match }) => ({ seq: Number(match[1]), state: match[2] as string, name }))
      .sort((a, b) => a.seq - b.seq);

  /** Commits every pending part up to `upTo`. */
  const commitUpTo = async (upTo: number): Promise<void> => {
    let renamed = false;
    for (const part of await listParts()) {
      if (part.state !== 'pending' || part.seq > upTo) continue;
      await rename(join(parts, part.name), partPath(part.seq, 'part'));
      renamed = true;
    }
    if (renamed) await syncFolder(parts);
  };

  return {
    name: path,
    async write(batch) {
      if (!transactional) {
        // The file is opened on the first write (or at close), so building a pipeline touches no disk.
        return openDirect().write(batch);
      }
      if (batch.length === 0) return;
      if (current === undefined) {
        await ensureFolder(parts);
        current = await open(partPath(++seq, 'open'), 'w');
      }
      await current.write(lines(batch));
    },
    async preCommit(): Promise<PartsToken> {
      if (current !== undefined) {
        await current.sync();
        await current.close();
        current = undefined;
        await rename(partPath(seq, 'open'), partPath(seq, 'pending'));
        await syncFolder(parts);
      }
      return { seq };
    },
    async commit(token) {
      await commitUpTo((token as PartsToken).seq);
    },
    async recover(token) {
      transactional = true;
      const upTo = (token as PartsToken | undefined)?.seq ?? 0;
      for (const part of await listParts()) {
        // Written after the checkpoint resumed from: that work is done again, so its output goes.
        if (part.seq > upTo || part.state === 'open') await rm(join(parts, part.name), { force: true });
      }
      await commitUpTo(upTo);
      seq = upTo;
    },
    async release() {
      // A part being written is left as it is: the next run's `recover` discards it.
      await current?.close();
      current = undefined;
      if (direct !== undefined) await closeDirect();
    },
    async close() {
      if (!transactional) return closeDirect();
      // The job is complete and its last checkpoint committed: join the committed parts into the
      // file, atomically. Again after a crash midway, this gives the same file; once the parts are
      // gone, the file is made and stays as it is.
      if (!(await exists(parts)) && (await exists(path))) return;
      const names = (await listParts()).filter((p) => p.state === 'part');
      await writeAtomically(path, async (handle) => {
        for (const part of names) await handle.write(await readFile(join(parts, part.name)));
      });
      await rm(parts, { recursive: true, force: true });
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
