/**
 * The single-writer lock of a journal folder: a file `journal.lock` holding `{ pid, hostname,
 * token }`. It appears atomically and complete (written to a temp file, fsync'd, then hard-linked
 * into place, which fails if the name exists); a lock whose process is dead on this host is taken
 * over by an atomic rename. A live holder of this host is given a short grace to exit first: a
 * writer killed a moment ago (kill -9 of `npx tsx …` leaves its node process dying, or a zombie its
 * parent has yet to reap) still answers `kill(pid, 0)`, and a service restarted at once would
 * otherwise be refused by its own predecessor. Within one process a registry refuses a second open
 * of the same folder.
 *
 * Limits, stated rather than hidden: a lock naming another host is always respected (its process
 * cannot be checked from here); a dead holder whose pid was reused by a live process looks alive
 * (the error names the pid so an operator can remove the file); and two processes taking over the
 * same stale lock at the same instant can both believe they won — a race `link`/`rename` cannot
 * close without an OS lock, which Node does not offer. Run one writer per folder.
 */
import { hostname as osHostname } from 'node:os';
import { link, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { JournalLockedError } from '../../errors.js';
import { errorCode, syncFolder } from '../../internal/durable-files.js';
import type { Clock } from '../../clock.js';

/** The name of the lock file in a journal folder. */
export const LOCK_NAME = 'journal.lock';
/** Temp files of lock attempts: `.journal.lock.<pid>.<token>.tmp`. */
const LOCK_TEMP = /^\.journal\.lock\.(\d+)\.[\w-]+\.tmp$/;

const ATTEMPTS = 5;
/** How often a live holder is looked for again during the grace: a killed process is gone in a few ms. */
const GRACE_POLL_MS = 20;
const held = new Set<string>();

/** How {@link acquireLock} waits for a live holder of this host to exit. */
export interface LockGrace {
  /** The longest wait, in ms; 0 refuses a live holder at once. */
  readonly graceMs: number;
  /** Whose timers pace the polls. */
  readonly clock: Clock;
}

interface Holder {
  readonly pid: number;
  readonly hostname: string;
  readonly token: string;
}

/** A held lock. */
export interface JournalLock {
  /** Removes the lock file if it is still ours. Never rejects. */
  release(): Promise<void>;
}

/**
 * Takes the lock of the journal folder `dir` (which must exist), waiting up to `grace.graceMs` for
 * a live holder of this host to exit.
 * @throws (rejects) JournalLockedError when a process of this host that outlives the grace, another
 *   host, or another open journal of this process holds it, or the lock file cannot be read as a
 *   lock.
 */
export async function acquireLock(dir: string, grace: LockGrace): Promise<JournalLock> {
  const path = join(dir, LOCK_NAME);
  if (held.has(path)) {
    throw new JournalLockedError(dir, { pid: process.pid, hostname: osHostname() }, 'it is already open in this process');
  }
  held.add(path); // at once, so a concurrent open in this process is refused too
  try {
    const me: Holder = { pid: process.pid, hostname: osHostname(), token: nanoid(12) };
    const temp = join(dir, `.${LOCK_NAME}.${me.pid}.${me.token}.tmp`);
    await writeDurably(temp, `${JSON.stringify(me)}\n`);
    let placed = false;
    let graceLeft = grace.graceMs; // one grace for the whole acquisition, however many holders come and go
    try {
      for (let attempt = 1; !placed; attempt++) {
        if (attempt > ATTEMPTS) throw new JournalLockedError(dir, {}, 'the lock file keeps changing');
        try {
          await link(temp, path);
          placed = true;
          break;
        } catch (error) {
          if (errorCode(error) !== 'EEXIST') throw error;
        }
        const owner = await readHolder(dir, path);
        if (owner === undefined) continue; // released meanwhile: try again
        const alive = isAlive(owner);
        if (alive !== false) {
          const local = owner.hostname === me.hostname;
          if (local && graceLeft > 0) {
            const waited = await awaitExit(owner, graceLeft, grace.clock);
            graceLeft -= waited.ms;
            // Start over rather than take over: the holder may have released the lock as it
            // exited, and another taker may have come first.
            if (waited.exited) continue;
          }
          throw new JournalLockedError(dir, owner, local && grace.graceMs > 0 ? `${alive}, still running after ${grace.graceMs} ms` : alive);
        }
        // Rename replaces the stale file in one step; reading back tells whether a concurrent
        // taker replaced ours just after (the narrow race described above remains).
        await rename(temp, path);
        placed = true;
        const now = await readHolder(dir, path);
        if (now?.token !== me.token) {
          throw new JournalLockedError(dir, now ?? {}, 'another process took over the same stale lock');
        }
      }
    } finally {
      await rm(temp, { force: true });
    }
    await syncFolder(dir);
    await removeDeadTemps(dir);
    let released = false;
    return {
      async release() {
        if (released) return;
        released = true;
        try {
          const owner = await readHolder(dir, path);
          if (owner?.token === me.token) await rm(path, { force: true });
        } catch {
          // A lock file that cannot be read or removed now is stale once we exit, and taken over.
        } finally {
          held.delete(path);
        }
      },
    };
  } catch (error) {
    held.delete(path);
    throw error;
  }
}

/**
 * `false` when the holder is certainly gone, or why it may not be: a process of this host that
 * `kill(pid, 0)` finds (EPERM: it exists but belongs to another user), or another host.
 */
function isAlive(owner: Holder): false | string {
  if (owner.hostname !== osHostname()) return `held by pid ${owner.pid} on another host, ${owner.hostname}`;
  // Our own pid, but not in the registry: a previous process that had the same pid (a container's
  // pid 1 after a restart) died holding it.
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return false;
  }
  return `held by live process ${owner.pid}`;
}

/**
 * Polls `owner`'s process until it is gone or `maxMs` have passed on `clock`; says whether it went,
 * and how long that took.
 */
async function awaitExit(owner: Holder, maxMs: number, clock: Clock): Promise<{ exited: boolean; ms: number }> {
  let ms = 0;
  while (ms < maxMs) {
    const step = Math.min(GRACE_POLL_MS, maxMs - ms);
    await new Promise<void>((resolve) => clock.setTimeout(resolve, step));
    ms += step;
    if (isAlive(owner) === false) return { exited: true, ms };
  }
  return { exited: false, ms };
}

/** The holder named by the lock file, or undefined when there is none. */
async function readHolder(dir: string, path: string): Promise<Holder | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const value = JSON.parse(text) as Partial<Holder> | null;
    // A pid ≤ 0 would make kill(pid, 0) probe a process group, so it is refused as malformed.
    if (
      typeof value === 'object' &&
      value !== null &&
      Number.isSafeInteger(value.pid) &&
      (value.pid as number) > 0 &&
      typeof value.hostname === 'string' &&
      typeof value.token === 'string'
    ) {
      return value as Holder;
    }
  } catch {
    // reported below
  }
  throw new JournalLockedError(dir, {}, `${path} is not a lock file this journal wrote; remove it if no process uses the journal`);
}

/** Removes the temp files that processes killed while taking a lock left behind. */
async function removeDeadTemps(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = Number(LOCK_TEMP.exec(name)?.[1]);
    if (pid > 0 && isAlive({ pid, hostname: osHostname(), token: '' }) === false) {
      await rm(join(dir, name), { force: true });
    }
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}
