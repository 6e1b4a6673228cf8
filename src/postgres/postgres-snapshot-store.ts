/**
 * Actor snapshots in a PostgreSQL table, so that an actor restarted on another machine starts from
 * the state it left. A snapshot is the bytes of a snapshot file (`snapshot-format.ts`: magic,
 * length, entry count, frames of msgpack, and a SHA-256 over every byte), cut into rows of 1 MiB:
 *
 * ```
 * key_hash  bytea    SHA-256 of the key's UTF-8 (the key may be long, or hold NUL, which text cannot)
 * sequence  bigint   the snapshot's sequence
 * chunk     integer  the row's place in the snapshot, 0 first
 * chunks    integer  on row 0 only: how many rows the snapshot has
 * key       bytea    the key's UTF-8, for people reading the table
 * data      bytea    the row's bytes (stored uncompressed: msgpack is dense already)
 * sha256    bytea    the SHA-256 of `data`
 * saved_at  timestamptz
 * primary key (key_hash, sequence, chunk)
 * ```
 *
 * A save is one transaction: it checks the key's snapshots (the server hashes their rows, so none
 * is sent), refuses a sequence not above the newest intact one, streams the new rows in as the
 * entries are read a chunk at a time, and removes the damaged snapshots and the intact ones beyond
 * `keep`. Until it commits, readers see the previous snapshots, and a failed save leaves them as
 * they were. A load reads, in one consistent view of the table, the newest snapshot first: each
 * row is checked against its SHA-256, and the whole against the file format's checks (length,
 * checksum, key, sequence, entry count); a damaged one is reported in `skipped` and the next older
 * one tried.
 */
import { createHash } from 'node:crypto';
import { positiveInteger, withDefault } from '../internal/validate.js';
import { checkKey, checkSequenceAbove, checkSnapshot } from '../state/snapshot-checks.js';
import { decodeSnapshotFile, encodeSnapshot } from '../state/snapshot-format.js';
import type { LoadResult, Snapshot, SkippedSnapshot, SnapshotStore } from '../state/snapshot-store.js';
import { ensureTables, storeUncompressed } from './internal/ensure-table.js';
import { PoolOnDemand } from './internal/pool-on-demand.js';
import { SnapshotRows } from './internal/snapshot-rows.js';
import { inTransaction } from './internal/transaction.js';
import { checkPostgresConnection, connectionOf, type PostgresClient, type PostgresConnectionChoice, type PostgresPool } from './postgres-pool.js';
import { quoteTable, type PostgresTableName } from './sql-names.js';

/** Options of {@link PostgresSnapshotStore}: where to connect, and the store's own. */
export type PostgresSnapshotStoreOptions = PostgresConnectionChoice & {
  /**
   * The table, created when missing. A string is one name, taken exactly as written (quoted); a
   * table in a schema is `{ schema, name }`.
   * @defaultValue 'sluice_snapshots'
   */
  readonly table?: PostgresTableName | undefined;
  /**
   * How many intact snapshots of each key a save leaves behind (the new one included). More than
   * one, so a snapshot damaged at rest still leaves an older one to fall back to.
   * @defaultValue 2
   */
  readonly keep?: number | undefined;
  /**
   * Entries per encoded chunk; the event loop gets a turn between chunks.
   * @defaultValue 10_000
   */
  readonly chunkSize?: number | undefined;
};

const DEFAULT_TABLE = 'sluice_snapshots';
const DEFAULT_KEEP = 2;
const DEFAULT_CHUNK_SIZE = 10_000;
/** Bytes per row: small enough to send and check one at a time, large enough to be few. */
const ROW_BYTES = 1024 * 1024;
/** Rows a load asks for at once. */
const ROWS_PER_READ = 4;
const READ_VIEW = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** The statements of one table, its name quoted once. */
interface Statements {
  readonly create: string;
  readonly held: string;
  readonly listing: string;
  readonly rows: string;
  readonly insert: string;
  readonly remove: string;
  readonly removeKey: string;
}

/**
 * Keeps snapshots in a PostgreSQL table, checksummed, written in one transaction each.
 *
 * @example
 * ```ts
 * const store = new PostgresSnapshotStore({ connectionString: 'postgresql://sluice@db:5432/app' });
 * const counter = system.spawn(definition, { snapshot: { store, key: 'counter' } });
 * // …
 * await store.close();
 * ```
 */
export class PostgresSnapshotStore implements SnapshotStore {
  /** The table, quoted as it goes into statements. */
  readonly table: string;
  /** How many intact snapshots of each key a save leaves behind. */
  readonly keep: number;
  /** Entries per encoded chunk. */
  readonly chunkSize: number;
  readonly #sql: Statements;
  readonly #pool: PoolOnDemand;

  /**
   * Checks the options; connects on first use (not here), creating the table when it is missing.
   * @param options - see {@link PostgresSnapshotStoreOptions}.
   * @throws InvalidOptionError naming `options`, `pool` or a connection option, `table`, `keep`
   *   or `chunkSize`.
   */
  constructor(options: PostgresSnapshotStoreOptions) {
    checkPostgresConnection(options); // an object, with a pool or options to open one
    this.table = quoteTable('table', options.table ?? DEFAULT_TABLE);
    this.keep = withDefault(options.keep, DEFAULT_KEEP, (value) => positiveInteger('keep', value));
    this.chunkSize = withDefault(options.chunkSize, DEFAULT_CHUNK_SIZE, (value) => positiveInteger('chunkSize', value));
    this.#sql = statements(this.table);
    this.#pool = new PoolOnDemand(connectionOf(options), (pool) => this.#createTable(pool), 'PostgresSnapshotStore');
  }

  /**
   * Saves `snapshot` as the newest of `key` and resolves once the transaction holding it has
   * committed; the same transaction removes the damaged snapshots of `key` and the intact ones
   * beyond `keep`.
   *
   * @throws (rejects) InvalidOptionError naming `key`, `snapshot`, `sequence` (not above the newest
   *   intact snapshot; a damaged newer one is replaced) or `entries`; the encoder's error for a
   *   value msgpackr cannot encode; what the server or connecting to it threw. The transaction is
   *   then rolled back: the previous snapshots are as they were.
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
    const hash = keyHash(key);
    const name = Buffer.from(key, 'utf8');
    await inTransaction(await this.#pool.pool(), async (client) => {
      const held = await this.#held(client, hash);
      for (const other of held) if (other.intact) checkSequenceAbove(key, sequence, other.sequence);
      // Every intact one is below `sequence` now, and `held` is newest first: the first `keep - 1`
      // intact ones stay beside the new one. Removed first, so a damaged one of the same sequence
      // makes way; nobody sees the removal before the new snapshot is there.
      let kept = 1;
      const doomed: number[] = [];
      for (const other of held) {
        if (other.intact && kept < this.keep) kept++;
        else doomed.push(other.sequence);
      }
      if (doomed.length > 0) await client.query(this.#sql.remove, [hash, doomed]);

      const rows = new SnapshotRows(ROW_BYTES, async (chunk, data, chunks) => {
        await client.query(this.#sql.insert, [hash, sequence, chunk, chunks ?? null, name, data, sha256(data)]);
      });
      await encodeSnapshot((parts, position) => rows.write(parts, position), key, checked, this.chunkSize);
      await rows.finish();
    });
  }

  /**
   * The newest intact snapshot of `key`, read newest first in one consistent view of the table,
   * with each damaged one it passes over reported (newest first).
   *
   * @throws (rejects) InvalidOptionError naming `key`; what the server or connecting to it threw
   *   (a snapshot that cannot be read is not known to be damaged, so it is not skipped).
   *
   * @example
   * ```ts
   * const { snapshot, skipped } = await store.load('counter');
   * for (const damaged of skipped) log.warn(`snapshot ${damaged.sequence}: ${damaged.reason}`);
   * ```
   */
  async load(key: string): Promise<LoadResult> {
    checkKey(key);
    const hash = keyHash(key);
    const location = `PostgreSQL ${this.#pool.where}, table ${this.table}`;
    return inTransaction(
      await this.#pool.pool(),
      async (client) => {
        const skipped: SkippedSnapshot[] = [];
        const { rows } = await client.query(this.#sql.listing, [hash]);
        for (const row of rows) {
          const sequence = Number(row['sequence']);
          const bytes = await this.#read(client, hash, sequence, row['rows'] as number, row['chunks'] as number | null);
          const result = typeof bytes === 'string' ? { intact: false as const, reason: bytes } : await decodeSnapshotFile(bytes, { key, sequence });
          if (result.intact) return { snapshot: result.snapshot, skipped };
          skipped.push({ sequence, reason: result.reason, location });
        }
        return { snapshot: undefined, skipped };
      },
      READ_VIEW,
    );
  }

  /**
   * Removes every snapshot of `key`, in one statement.
   *
   * @throws (rejects) InvalidOptionError naming `key`; what the server or connecting to it threw.
   *
   * @example
   * ```ts
   * await store.delete('counter');
   * ```
   */
  async delete(key: string): Promise<void> {
    checkKey(key);
    await (await this.#pool.pool()).query(this.#sql.removeKey, [keyHash(key)]);
  }

  /**
   * Ends the pool this store opened (a borrowed pool is left open), once a use under way has
   * settled. The store cannot be used afterwards. Idempotent.
   *
   * @example
   * ```ts
   * await system.shutdown();
   * await store.close();
   * ```
   */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async #createTable(pool: PostgresPool): Promise<void> {
    await ensureTables(pool, [this.#sql.create]);
    await storeUncompressed(pool, this.table, 'data');
  }

  /** The sequences held for `hash`, newest first, and whether the server finds each intact. */
  async #held(client: PostgresClient, hash: Buffer): Promise<{ readonly sequence: number; readonly intact: boolean }[]> {
    const { rows } = await client.query(this.#sql.held, [hash]);
    return rows.map((row) => ({ sequence: Number(row['sequence']), intact: row['intact'] === true }));
  }

  /** The bytes of snapshot `sequence`, every row checked against its SHA-256, or why they are not whole. */
  async #read(client: PostgresClient, hash: Buffer, sequence: number, present: number, chunks: number | null): Promise<Buffer | string> {
    if (chunks === null) return 'chunk 0 missing';
    if (present !== chunks) return `${present} rows where chunk 0 declares ${chunks}`;
    const parts: Buffer[] = [];
    for (let from = 0; from < chunks; from += ROWS_PER_READ) {
      const { rows } = await client.query(this.#sql.rows, [hash, sequence, from, from + ROWS_PER_READ]);
      for (const [offset, row] of rows.entries()) {
        const chunk = from + offset;
        if (row['chunk'] !== chunk) return `chunk ${chunk} missing`;
        const data = row['data'] as Buffer;
        if (!sha256(data).equals(row['sha256'] as Buffer)) return `chunk ${chunk}: checksum mismatch`;
        parts.push(data);
      }
      if (rows.length < Math.min(ROWS_PER_READ, chunks - from)) return `chunk ${from + rows.length} missing`;
    }
    return Buffer.concat(parts);
  }
}

function statements(table: string): Statements {
  // An intact snapshot: rows 0 to chunks - 1, each matching its SHA-256; checked by the server.
  const intact = 'count(*) = max(chunks) AND min(chunk) = 0 AND max(chunk) = max(chunks) - 1 AND bool_and(sha256(data) = sha256)';
  return {
    create: `CREATE TABLE IF NOT EXISTS ${table} (
      key_hash bytea NOT NULL,
      sequence bigint NOT NULL,
      chunk integer NOT NULL,
      chunks integer,
      key bytea NOT NULL,
      data bytea NOT NULL,
      sha256 bytea NOT NULL,
      saved_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (key_hash, sequence, chunk)
    )`,
    held: `SELECT sequence, (${intact}) AS intact FROM ${table} WHERE key_hash = $1 GROUP BY sequence ORDER BY sequence DESC`,
    listing: `SELECT sequence, count(*)::integer AS rows, max(chunks) AS chunks FROM ${table} WHERE key_hash = $1 GROUP BY sequence ORDER BY sequence DESC`,
    rows: `SELECT chunk, data, sha256 FROM ${table} WHERE key_hash = $1 AND sequence = $2 AND chunk >= $3 AND chunk < $4 ORDER BY chunk`,
    insert: `INSERT INTO ${table} (key_hash, sequence, chunk, chunks, key, data, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    remove: `DELETE FROM ${table} WHERE key_hash = $1 AND sequence = ANY($2::bigint[])`,
    removeKey: `DELETE FROM ${table} WHERE key_hash = $1`,
  };
}

function keyHash(key: string): Buffer {
  return sha256(Buffer.from(key, 'utf8'));
}

function sha256(bytes: Buffer): Buffer {
  return createHash('sha256').update(bytes).digest();
}
