/**
 * The bookkeeping of an exactly-once PostgreSQL sink, in two tables of the database it writes to:
 *
 * - the commit table (`sluice_commits`) holds, per job and sink partition, the last checkpoint whose
 *   rows are in the target table and the writer (one run of the sink) that may commit next. A commit
 *   locks that row, checks both by expected value, and advances it in the same transaction as the
 *   rows, so an interval is applied once: a zombie writer, whose run a newer one has recovered, finds
 *   another writer there and is refused;
 * - the staging table (`sluice_staged`) holds the rows of intervals pre-committed but not yet
 *   committed, in msgpack chunks tagged with the last checkpoint before them, so that after a crash
 *   between a checkpoint's completion and its commit the next run can still apply them.
 */
import type { PostgresClient, PostgresPool } from '../postgres-pool.js';
import { sqlStateOf } from '../sql-errors.js';
import { ensureTables } from './ensure-table.js';
import { inTransaction } from './transaction.js';

/** Not the staging table's owner (42501), or the table busy past the lock timeout (55P03): leave its storage as it is. */
const STORAGE_LEFT_AS_IS = new Set(['42501', '55P03']);

/** Who the commits are for. */
export interface CommitLogSetup {
  /** The commit table, quoted. */
  readonly commits: string;
  /** The staging table, quoted. */
  readonly staged: string;
  readonly job: string;
  readonly partition: number;
}

/** The commit row: the last checkpoint applied, and the writer that owns the output. */
export interface CommitState {
  readonly checkpoint: number;
  readonly writer: string;
}

/** A staged chunk read back. */
export interface StagedChunk {
  readonly seq: number;
  readonly data: Buffer;
}

export class CommitLog {
  readonly #setup: CommitLogSetup;

  constructor(setup: CommitLogSetup) {
    this.#setup = setup;
  }

  /** Creates the two tables when missing. */
  async ensure(pool: PostgresPool): Promise<void> {
    const { commits, staged } = this.#setup;
    await ensureTables(pool, [
      `CREATE TABLE IF NOT EXISTS ${commits} (job text NOT NULL, partition integer NOT NULL, checkpoint bigint NOT NULL, writer text NOT NULL, ` +
        `committed_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (job, partition))`,
      `CREATE TABLE IF NOT EXISTS ${staged} (job text NOT NULL, partition integer NOT NULL, writer text NOT NULL, seq bigint NOT NULL, ` +
        `after_checkpoint bigint NOT NULL, row_count integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (job, partition, writer, seq))`,
    ]);
    await this.#stageUncompressed(pool);
  }

  /**
   * Keeps staged chunks uncompressed (`STORAGE EXTERNAL`: out of line, as before, but not run
   * through the server's pglz). A chunk is written once and read back at most once, seconds later;
   * compressing it cost the server about four times what writing it did (20 chunks of 480 KiB:
   * 360-420 ms compressed, 75-90 ms not, on PostgreSQL 15), and that time was most of what
   * exactly-once costs over writing the rows alone. The column is altered once, when it is not
   * EXTERNAL yet (a table created here, or by an earlier version); ALTER TABLE locks the table, so
   * it waits a second at most, and a user who does not own the table leaves it compressed: slower,
   * the same rows.
   */
  async #stageUncompressed(pool: PostgresPool): Promise<void> {
    const { staged } = this.#setup;
    const { rows } = await pool.query(`SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'data'`, [staged]);
    if (rows[0]?.['attstorage'] === 'e') return;
    try {
      await inTransaction(pool, async (client) => {
        await client.query(`SET LOCAL lock_timeout = '1s'`);
        await client.query(`ALTER TABLE ${staged} ALTER COLUMN data SET STORAGE EXTERNAL`);
      });
    } catch (error) {
      if (!STORAGE_LEFT_AS_IS.has(sqlStateOf(error) ?? '')) throw error;
    }
  }

  /**
   * Locks the commit row for the rest of the transaction (creating it, at checkpoint 0 owned by
   * `writer`, when there is none) and returns it.
   */
  async lock(client: PostgresClient, writer: string): Promise<CommitState> {
    const { commits, job, partition } = this.#setup;
    await client.query(`INSERT INTO ${commits} (job, partition, checkpoint, writer) VALUES ($1, $2, 0, $3) ON CONFLICT (job, partition) DO NOTHING`, [
      job,
      partition,
      writer,
    ]);
    const { rows } = await client.query(`SELECT checkpoint, writer FROM ${commits} WHERE job = $1 AND partition = $2 FOR UPDATE`, [job, partition]);
    const row = rows[0] as { checkpoint: string | number; writer: string };
    return { checkpoint: Number(row.checkpoint), writer: row.writer };
  }

  /** Sets the commit row (locked by {@link lock}) to `checkpoint`, owned by `writer`. */
  async set(client: PostgresClient, checkpoint: number, writer: string): Promise<void> {
    const { commits, job, partition } = this.#setup;
    await client.query(`UPDATE ${commits} SET checkpoint = $3, writer = $4, committed_at = now() WHERE job = $1 AND partition = $2`, [
      job,
      partition,
      checkpoint,
      writer,
    ]);
  }

  /** Stages a chunk of `rowCount` rows, encoded as `data`, written after checkpoint `after`. */
  async stage(pool: PostgresPool, writer: string, seq: number, after: number, rowCount: number, data: Buffer): Promise<void> {
    const { staged, job, partition } = this.#setup;
    // Staged again after a lost acknowledgement, the same chunk is the same row.
    await pool.query(
      `INSERT INTO ${staged} (job, partition, writer, seq, after_checkpoint, row_count, data) VALUES ($1, $2, $3, $4, $5, $6, $7) ` +
        `ON CONFLICT (job, partition, writer, seq) DO NOTHING`,
      [job, partition, writer, seq, after, rowCount, data],
    );
  }

  /** The chunk of `writer` after `afterSeq` staged before checkpoint `below`, or undefined when there is no more. */
  async nextStaged(client: PostgresClient, writer: string, below: number, afterSeq: number): Promise<StagedChunk | undefined> {
    const { staged, job, partition } = this.#setup;
    const { rows } = await client.query(
      `SELECT seq, data FROM ${staged} WHERE job = $1 AND partition = $2 AND writer = $3 AND after_checkpoint < $4 AND seq > $5 ORDER BY seq LIMIT 1`,
      [job, partition, writer, below, afterSeq],
    );
    const row = rows[0] as { seq: string | number; data: Buffer } | undefined;
    return row === undefined ? undefined : { seq: Number(row.seq), data: row.data };
  }

  /** Deletes the chunks of `writer` staged before checkpoint `below`. */
  async dropStaged(client: PostgresClient, writer: string, below: number): Promise<void> {
    const { staged, job, partition } = this.#setup;
    await client.query(`DELETE FROM ${staged} WHERE job = $1 AND partition = $2 AND writer = $3 AND after_checkpoint < $4`, [job, partition, writer, below]);
  }

  /** Deletes every staged chunk of the job's partition, whoever wrote it. */
  async dropAllStaged(client: PostgresClient): Promise<void> {
    const { staged, job, partition } = this.#setup;
    await client.query(`DELETE FROM ${staged} WHERE job = $1 AND partition = $2`, [job, partition]);
  }
}
