/**
 * A pool opened on first use, for stores that are made long before they are used (a pipeline's
 * options, an actor's snapshot policy) and must not connect in a constructor. The first caller
 * leases the pool and prepares it (creates the tables); the callers that come meanwhile wait for
 * the same opening; one that fails is tried afresh by the next caller. `close()` is final.
 */
import { ignore } from '../../internal/ignore.js';
import type { PostgresConnectionChoice, PostgresPool } from '../postgres-pool.js';
import { leasePool, whereOf, type PoolLease } from './pool-lease.js';

/** The pool of one store, leased and prepared on first use, released by `close()`. */
export class PoolOnDemand {
  /** The server as `user@host:port/database`, or `the given pool`; known before anything opens. */
  readonly where: string;
  readonly #choice: PostgresConnectionChoice;
  readonly #prepare: (pool: PostgresPool) => Promise<void>;
  readonly #owner: string;
  #lease: PoolLease | undefined;
  #ready: Promise<PostgresPool> | undefined;
  #closing: Promise<void> | undefined;

  /**
   * @param choice - the connection part of the store's options.
   * @param prepare - run once on the pool before its first use (creating tables); may be run again
   *   after it failed.
   * @param owner - how errors name the store, e.g. `PostgresSnapshotStore`.
   */
  constructor(choice: PostgresConnectionChoice, prepare: (pool: PostgresPool) => Promise<void>, owner: string) {
    this.#choice = choice;
    this.#prepare = prepare;
    this.#owner = owner;
    this.where = whereOf(choice);
  }

  /**
   * The pool, opened and prepared.
   * @throws (rejects) as `connectPostgres` when the pool cannot be opened, what preparing it
   *   threw, or an Error when the store was closed.
   */
  pool(): Promise<PostgresPool> {
    if (this.#closing !== undefined) return Promise.reject(new Error(`This ${this.#owner} (${this.where}) is closed`));
    this.#ready ??= this.#open().catch((error: unknown) => {
      this.#ready = undefined;
      throw error;
    });
    return this.#ready;
  }

  /** Ends the pool if this store opened it, once an opening under way has settled; idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#ready?.catch(ignore);
      await this.#lease?.release();
    })();
    return this.#closing;
  }

  async #open(): Promise<PostgresPool> {
    this.#lease ??= await leasePool(this.#choice);
    await this.#prepare(this.#lease.pool);
    return this.#lease.pool;
  }
}
