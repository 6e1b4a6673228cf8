/**
 * Doing something against a server that may be restarting: a failure that says the server is away
 * (see `isTransientPostgresError`) is waited out with a growing pause (100 ms doubling to 2 s) and
 * the operation tried again, for as long as `maxWaitMs` allows; any other failure is the caller's.
 * The operation must be safe to try again: a transaction that failed was rolled back as a whole.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { PostgresUnreachableError } from '../../errors.js';
import { isTransientPostgresError, sqlStateOf } from '../sql-errors.js';

export interface ReconnectOptions {
  /** The server as `user@host:port/database`, for the error when it stays away. */
  readonly where: string;
  /** How long the server may stay away, in milliseconds, before the operation fails. */
  readonly maxWaitMs: number;
  /** Ends the waiting early (the run is stopping): the operation fails with the last error. */
  readonly signal?: AbortSignal | undefined;
}

const FIRST_PAUSE_MS = 100;
const LONGEST_PAUSE_MS = 2_000;

/**
 * `operation()`, tried again while it fails because the server is away.
 * @throws (rejects) what `operation` threw when it is not the server being away, or when the wait
 *   was aborted; PostgresUnreachableError when the server stayed away past `maxWaitMs`.
 */
export async function reconnecting<T>(operation: () => Promise<T>, options: ReconnectOptions): Promise<T> {
  const started = Date.now();
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    try {
      return await operation();
    } catch (error) {
      if (!isTransientPostgresError(error) || options.signal?.aborted === true) throw error;
      const waited = Date.now() - started;
      if (waited + pause > options.maxWaitMs) {
        const reason = `away for more than ${options.maxWaitMs} ms (last: ${error instanceof Error ? error.message : String(error)})`;
        throw new PostgresUnreachableError(options.where, reason, sqlStateOf(error), error);
      }
      try {
        await sleep(pause, undefined, { signal: options.signal });
      } catch {
        throw error;
      }
      pause = Math.min(pause * 2, LONGEST_PAUSE_MS);
    }
  }
}
