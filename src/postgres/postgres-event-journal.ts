/**
 * Event-sourced actors' events in a PostgreSQL table, so an actor recovers on any machine:
 *
 * ```
 * persistence_id  text         the actor's persistence id
 * sequence        bigint       the event's number in its log, from 1
 * event           bytea        the event, encoded by the codec (msgpack by default)
 * written_at      timestamptz
 * primary key (persistence_id, sequence)
 * ```
 *
 * An append is one `INSERT` of all its events (all or nothing), numbered after the last event the
 * writer knows of: the primary key refuses an append of a writer another one got ahead of, which
 * fails with EventJournalConflictError instead of interleaving two histories. A deletion never
 * removes a persistence id's last event, so its numbering survives. Reads go in pages, by key.
 */
import { EventJournalConflictError, JournalClosedError } from '../errors.js';
import { isFunction, isObject, positiveInteger, withDefault } from '../internal/validate.js';
import { msgpackCodec, type JournalCodec } from '../journal/codec.js';
import type { EventJournal, EventLog, PersistedEvent } from '../event-sourcing/event-journal.js';
import { checkFrom, checkPersistenceId } from '../event-sourcing/internal/log-checks.js';
import { ensureTables } from './internal/ensure-table.js';
import { PoolOnDemand } from './internal/pool-on-demand.js';
import { checkPostgresConnection, connectionOf, type PostgresConnectionChoice, type PostgresPool } from './postgres-pool.js';
import { sqlStateOf } from './sql-errors.js';
import { quoteTable, type PostgresTableName } from './sql-names.js';

/** Options of {@link PostgresEventJournal}: where to connect, and the journal's own. */
export type PostgresEventJournalOptions<TEvent> = PostgresConnectionChoice & {
  /**
   * The table, created when missing. A string is one name, taken exactly as written (quoted); a
   * table in a schema is `{ schema, name }`.
   * @defaultValue 'sluice_events'
   */
  readonly table?: PostgresTableName | undefined;
  /**
   * How events become the bytes of the `event` column and back.
   * @defaultValue msgpackCodec()
   */
  readonly codec?: JournalCodec<TEvent> | undefined;
  /**
   * Events a read asks the server for at once.
   * @defaultValue 1000
   */
  readonly readBatch?: number | undefined;
};

const DEFAULT_TABLE = 'sluice_events';
const DEFAULT_READ_BATCH = 1000;
/** SQLSTATE of a unique violation: another writer holds that sequence number. */
const UNIQUE_VIOLATION = '23505';

/** The statements of one table, its name quoted once. */
interface Statements {
  readonly create: string;
  readonly bounds: string;
  readonly append: string;
  readonly page: string;
  readonly remove: string;
}

/**
 * Keeps event-sourced actors' events in a PostgreSQL table.
 *
 * @example
 * ```ts
 * const journal = new PostgresEventJournal<AccountEvent>({ connectionString: 'postgresql://sluice@db:5432/app' });
 * const account = defineEventSourcedActor({ journal, persistenceId: 'account-7', initialState, command, apply });
 * // …
 * await system.shutdown();
 * await journal.close();
 * ```
 */
export class PostgresEventJournal<TEvent> implements EventJournal<TEvent> {
  /** The table, quoted as it goes into statements. */
  readonly table: string;
  readonly #codec: JournalCodec<TEvent>;
  readonly #readBatch: number;
  readonly #sql: Statements;
  readonly #pool: PoolOnDemand;

  /**
   * Checks the options; connects on first use (not here), creating the table when it is missing.
   * @throws InvalidOptionError naming `options`, `pool` or a connection option, `table`, `codec`
   *   or `readBatch`.
   */
  constructor(options: PostgresEventJournalOptions<TEvent>) {
    checkPostgresConnection(options);
    this.table = quoteTable('table', options.table ?? DEFAULT_TABLE);
    this.#codec = withDefault<JournalCodec<TEvent>>(options.codec, msgpackCodec<TEvent>(), (value) => checkCodec<TEvent>(value));
    this.#readBatch = withDefault(options.readBatch, DEFAULT_READ_BATCH, (value) => positiveInteger('readBatch', value));
    this.#sql = statements(this.table);
    this.#pool = new PoolOnDemand(connectionOf(options), (pool) => ensureTables(pool, [this.#sql.create]), 'PostgresEventJournal');
  }

  /**
   * Opens the log of `persistenceId`: finds its first and last events.
   * @throws (rejects) InvalidOptionError naming `persistenceId`; what the server or connecting to it threw.
   */
  async open(persistenceId: string): Promise<EventLog<TEvent>> {
    checkPersistenceId(persistenceId);
    const pool = await this.#pool.pool();
    const { rows } = await pool.query(this.#sql.bounds, [persistenceId]);
    const row = rows[0] ?? {};
    const last = row['last'] === null || row['last'] === undefined ? 0 : Number(row['last']);
    const first = row['first'] === null || row['first'] === undefined ? last + 1 : Number(row['first']);
    return new PostgresEventLog({ persistenceId, pool, codec: this.#codec, readBatch: this.#readBatch, sql: this.#sql, first, last });
  }

  /**
   * Ends the pool this journal opened (a borrowed pool is left open), once an opening under way has
   * settled. Close it after the actors that use it have stopped. Idempotent.
   */
  close(): Promise<void> {
    return this.#pool.close();
  }
}

interface LogSetup<TEvent> {
  readonly persistenceId: string;
  readonly pool: PostgresPool;
  readonly codec: JournalCodec<TEvent>;
  readonly readBatch: number;
  readonly sql: Statements;
  readonly first: number;
  readonly last: number;
}

class PostgresEventLog<TEvent> implements EventLog<TEvent> {
  readonly persistenceId: string;
  readonly #setup: LogSetup<TEvent>;
  #first: number;
  #last: number;
  /** Closed, or an append failed: no more appends. */
  #done = false;

  constructor(setup: LogSetup<TEvent>) {
    this.persistenceId = setup.persistenceId;
    this.#setup = setup;
    this.#first = setup.first;
    this.#last = setup.last;
  }

  get lastSequence(): number {
    return this.#last;
  }

  get firstSequence(): number {
    return this.#first;
  }

  async append(events: readonly TEvent[]): Promise<number> {
    if (this.#done) throw new JournalClosedError(`PostgreSQL event log of ${this.persistenceId}`);
    const { pool, codec, sql } = this.#setup;
    const from = this.#last + 1;
    try {
      await pool.query(sql.append, [this.persistenceId, from, events.map((event) => Buffer.from(codec.encode(event)))]);
    } catch (error) {
      this.#done = true;
      if (sqlStateOf(error) === UNIQUE_VIOLATION) {
        throw new EventJournalConflictError(this.persistenceId, from, 'another writer holds that sequence number');
      }
      throw error;
    }
    this.#last += events.length;
    return this.#last;
  }

  async *read(from: number): AsyncGenerator<PersistedEvent<TEvent>, void, undefined> {
    checkFrom(from, this.#first, this.#last);
    const { pool, codec, sql, readBatch } = this.#setup;
    const last = this.#last;
    for (let next = from; next <= last;) {
      const { rows } = await pool.query(sql.page, [this.persistenceId, next, last, readBatch]);
      if (rows.length === 0) throw new Error(`Events ${next} to ${last} of ${this.persistenceId} are missing from the table`);
      for (const row of rows) {
        const sequence = Number(row['sequence']);
        let event: TEvent;
        try {
          event = codec.decode(row['event'] as Buffer);
        } catch (error) {
          throw new Error(`Event ${sequence} of ${this.persistenceId} cannot be decoded by the ${codec.name} codec`, { cause: error });
        }
        yield { sequence, event };
        next = sequence + 1;
      }
    }
  }

  async deleteUpTo(sequence: number): Promise<number> {
    const { pool, sql } = this.#setup;
    const { rows } = await pool.query(sql.remove, [this.persistenceId, sequence]);
    const first = rows[0]?.['first'];
    if (first !== null && first !== undefined) this.#first = Math.max(this.#first, Number(first));
    return this.#first;
  }

  async close(): Promise<void> {
    this.#done = true;
  }
}

function checkCodec<TEvent>(value: unknown): JournalCodec<TEvent> {
  // Checked as openJournal checks its codec, naming the same options.
  isObject('codec', value);
  isFunction('codec.encode', (value as Partial<JournalCodec<TEvent>>).encode);
  isFunction('codec.decode', (value as Partial<JournalCodec<TEvent>>).decode);
  return value as JournalCodec<TEvent>;
}

function statements(table: string): Statements {
  return {
    create: `CREATE TABLE IF NOT EXISTS ${table} (
      persistence_id text NOT NULL,
      sequence bigint NOT NULL,
      event bytea NOT NULL,
      written_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (persistence_id, sequence)
    )`,
    bounds: `SELECT min(sequence) AS first, max(sequence) AS last FROM ${table} WHERE persistence_id = $1`,
    append: `INSERT INTO ${table} (persistence_id, sequence, event)
      SELECT $1, $2::bigint + u.n - 1, u.e FROM unnest($3::bytea[]) WITH ORDINALITY AS u(e, n)`,
    page: `SELECT sequence, event FROM ${table} WHERE persistence_id = $1 AND sequence >= $2 AND sequence <= $3 ORDER BY sequence LIMIT $4`,
    // The last event stays, whatever `sequence` says, so the numbering survives; the answer is the new first.
    remove: `WITH gone AS (
      DELETE FROM ${table} WHERE persistence_id = $1 AND sequence <= $2
        AND sequence < (SELECT max(sequence) FROM ${table} WHERE persistence_id = $1)
      RETURNING sequence
    ) SELECT max(sequence) + 1 AS first FROM gone`,
  };
}
