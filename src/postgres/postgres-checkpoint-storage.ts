/**
 * A pipeline's checkpoints in two PostgreSQL tables, shared by any number of jobs (each under its
 * own `job` name), so a job resumes from its last checkpoint wherever it runs next. As in a NATS KV
 * bucket, each partition's state is one msgpack value cut into pieces (rows of at most 1 MiB) that
 * carry its length and SHA-256, checked when it is read back; the manifest (checksummed, as in a
 * folder) is written last, in a statement of its own, and is the commit point.
 *
 * ```
 * sluice_checkpoints        job text, id bigint, manifest text, written_at timestamptz
 *                           primary key (job, id)
 * sluice_checkpoint_parts   job text, id bigint, stage integer, partition integer, chunk integer,
 *                           chunks integer, bytes bigint, sha256 bytea, data bytea
 *                           primary key (job, id, stage, partition, chunk)
 * ```
 *
 * `chunks`, `bytes` and `sha256` describe the whole partition, the same on each of its rows; `data`
 * is stored uncompressed. A partition is written in one transaction (replacing one written before
 * under the same id), so its rows appear together; a checkpoint is read in one consistent view of
 * both tables; pruning and discarding are one transaction each.
 */
import { CheckpointUnusableError, InvalidOptionError } from '../errors.js';
import type { SnapshotEntry } from '../state/snapshot-store.js';
import type { CheckpointStorage, RestoredCheckpoint } from '../streams/checkpoint/checkpoint-storage.js';
import { decodeManifest, encodeManifest, type Manifest, type PartitionSnapshotRef } from '../streams/checkpoint/manifest.js';
import { packPartition, unpackPartition, type PartitionMeta } from '../streams/checkpoint/packed-partition.js';
import { ensureTables, storeUncompressed } from './internal/ensure-table.js';
import { PoolOnDemand } from './internal/pool-on-demand.js';
import { inTransaction } from './internal/transaction.js';
import { checkPostgresConnection, connectionOf, type PostgresClient, type PostgresConnectionChoice, type PostgresPool } from './postgres-pool.js';
import { quoteTable, type PostgresTableName } from './sql-names.js';

/** Options of {@link PostgresCheckpointStorage}: where to connect, whose checkpoints, in which tables. */
export type PostgresCheckpointStorageOptions = PostgresConnectionChoice & {
  /**
   * The job whose checkpoints these are: every row carries it, so many jobs can share the tables.
   * Two runs of the same pipeline must name the same job to resume one from the other.
   */
  readonly job: string;
  /**
   * The table of manifests, one row per complete checkpoint; created when missing. A string is one
   * name, taken exactly as written (quoted); a table in a schema is `{ schema, name }`.
   * @defaultValue 'sluice_checkpoints'
   */
  readonly table?: PostgresTableName | undefined;
  /**
   * The table of partition state, in pieces; created when missing.
   * @defaultValue 'sluice_checkpoint_parts'
   */
  readonly partsTable?: PostgresTableName | undefined;
};

const DEFAULT_TABLE = 'sluice_checkpoints';
const DEFAULT_PARTS_TABLE = 'sluice_checkpoint_parts';
/** Bytes of a partition's state per row. */
const CHUNK_BYTES = 1024 * 1024;
const READ_VIEW = 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY';
// A lone surrogate becomes U+FFFD on its way to the server, so two job names would meet.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The statements of the two tables, their names quoted once. */
interface Statements {
  readonly createManifests: string;
  readonly createParts: string;
  readonly highestId: string;
  readonly manifestIds: string;
  readonly manifest: string;
  readonly writeManifest: string;
  readonly partRows: string;
  readonly removePart: string;
  readonly insertPart: string;
  readonly pruneCutoff: string;
  readonly removeManifestsBelow: string;
  readonly removePartsBelow: string;
  readonly removeManifestsAbove: string;
  readonly removePartsAbove: string;
}

/**
 * Keeps a pipeline's checkpoints in PostgreSQL (`run({ checkpoint: { storage } })`).
 *
 * @example
 * ```ts
 * const storage = new PostgresCheckpointStorage({ connectionString: process.env.DATABASE_URL, job: 'wordcount' });
 * try {
 *   await job.run({ checkpoint: { storage, interval: 5_000 } }).done;
 * } finally {
 *   await storage.close();
 * }
 * ```
 */
export class PostgresCheckpointStorage implements CheckpointStorage {
  /** `PostgreSQL user@host:port/database, job <job>` (never a password). */
  readonly location: string;
  /** The job whose checkpoints these are. */
  readonly job: string;
  /** The table of manifests, quoted as it goes into statements. */
  readonly table: string;
  /** The table of partition state, quoted. */
  readonly partsTable: string;
  readonly #sql: Statements;
  readonly #pool: PoolOnDemand;

  /**
   * Checks the options; connects on first use (not here), creating the tables when missing.
   * @param options - see {@link PostgresCheckpointStorageOptions}.
   * @throws InvalidOptionError naming `options`, `pool` or a connection option, `job`, `table` or
   *   `partsTable`.
   */
  constructor(options: PostgresCheckpointStorageOptions) {
    checkPostgresConnection(options); // an object, with a pool or options to open one
    const { job } = options;
    if (typeof job !== 'string' || job === '' || job.includes('\0') || LONE_SURROGATE.test(job)) {
      throw new InvalidOptionError('job', 'a non-empty string without NUL or lone surrogates', job);
    }
    this.job = job;
    this.table = quoteTable('table', options.table ?? DEFAULT_TABLE);
    this.partsTable = quoteTable('partsTable', options.partsTable ?? DEFAULT_PARTS_TABLE);
    if (this.table === this.partsTable) throw new InvalidOptionError('partsTable', 'another table than `table`', options.partsTable);
    this.#sql = statements(this.table, this.partsTable);
    this.#pool = new PoolOnDemand(connectionOf(options), (pool) => this.#createTables(pool), 'PostgresCheckpointStorage');
    this.location = `PostgreSQL ${this.#pool.where}, job ${job}`;
  }

  /** The highest checkpoint id of the job, complete or not (0 when there is none). */
  async highestId(): Promise<number> {
    const { rows } = await (await this.#pool.pool()).query(this.#sql.highestId, [this.job]);
    return Number(rows[0]?.['id'] ?? 0);
  }

  /**
   * Writes one partition's entries for checkpoint `id`, in one transaction that replaces what an
   * earlier attempt wrote there; resolves once it has committed.
   */
  async writePartition(id: number, stage: number, partition: number, entries: Iterable<SnapshotEntry>): Promise<PartitionSnapshotRef> {
    const { meta, chunks, entries: count } = packPartition(entries, CHUNK_BYTES);
    const sha256 = Buffer.from(meta.sha256, 'hex');
    await inTransaction(await this.#pool.pool(), async (client) => {
      await client.query(this.#sql.removePart, [this.job, id, stage, partition]);
      for (const [n, data] of chunks.entries()) {
        await client.query(this.#sql.insertPart, [this.job, id, stage, partition, n, meta.chunks, meta.bytes, sha256, data]);
      }
    });
    return { partition, file: `s${stage}-p${partition}`, entries: count, bytes: meta.bytes };
  }

  /** Makes checkpoint `manifest.id` complete: one row, in one statement (it replaces an earlier one of the same id). */
  async writeManifest(manifest: Manifest): Promise<void> {
    await (await this.#pool.pool()).query(this.#sql.writeManifest, [this.job, manifest.id, encodeManifest(manifest)]);
  }

  /**
   * The newest checkpoint of the job that is complete and intact, read back whole in one
   * consistent view of the tables; undefined when the job has none at all.
   * @throws CheckpointUnusableError (rejects) when it has checkpoints but none is intact; what the
   *   server or connecting to it threw.
   */
  async latest(): Promise<RestoredCheckpoint | undefined> {
    const skipped: { id: number; reason: string }[] = [];
    const restored = await inTransaction(
      await this.#pool.pool(),
      async (client) => {
        const { rows } = await client.query(this.#sql.manifestIds, [this.job]);
        for (const row of rows) {
          const id = Number(row['id']);
          const manifest = await this.#manifest(client, id);
          if (typeof manifest === 'string') {
            skipped.push({ id, reason: `manifest: ${manifest}` });
            continue;
          }
          const entries = await this.#entries(client, manifest);
          if (typeof entries === 'string') skipped.push({ id, reason: entries });
          else return { manifest, entries, skipped };
        }
        return undefined;
      },
      READ_VIEW,
    );
    if (restored === undefined && skipped.length > 0) throw new CheckpointUnusableError(this.location, skipped);
    return restored;
  }

  /** Deletes every checkpoint of the job older than the newest `keep` complete ones, complete or not, in one transaction. */
  async prune(keep: number): Promise<void> {
    await inTransaction(await this.#pool.pool(), async (client) => {
      if (keep < 1) return this.#remove(client, 'Above', 0); // ids start at 1: everything goes
      const { rows } = await client.query(this.#sql.pruneCutoff, [this.job, keep - 1]);
      // Fewer than `keep` complete: nothing to delete. Else whatever is older than the keep-th.
      if (rows.length > 0) await this.#remove(client, 'Below', Number(rows[0]?.['id']));
    });
  }

  /** Deletes the job's checkpoints above `id`, in one transaction: leftovers of a run that died before completing them. */
  async discardAbove(id: number): Promise<void> {
    await inTransaction(await this.#pool.pool(), (client) => this.#remove(client, 'Above', id));
  }

  /**
   * Ends the pool this storage opened (a borrowed pool is left open), once a use under way has
   * settled. The storage cannot be used afterwards. Idempotent.
   *
   * @example
   * ```ts
   * await handle.done;
   * await storage.close();
   * ```
   */
  close(): Promise<void> {
    return this.#pool.close();
  }

  async #createTables(pool: PostgresPool): Promise<void> {
    await ensureTables(pool, [this.#sql.createManifests, this.#sql.createParts]);
    await storeUncompressed(pool, this.partsTable, 'data');
  }

  /** Deletes the job's checkpoints with an id below or above `id`, manifests and parts. */
  async #remove(client: PostgresClient, where: 'Below' | 'Above', id: number): Promise<void> {
    await client.query(this.#sql[`removeManifests${where}`], [this.job, id]);
    await client.query(this.#sql[`removeParts${where}`], [this.job, id]);
  }

  /** Checkpoint `id`'s manifest, or why it cannot be trusted. */
  async #manifest(client: PostgresClient, id: number): Promise<Manifest | string> {
    const { rows } = await client.query(this.#sql.manifest, [this.job, id]);
    const decoded = decodeManifest(String(rows[0]?.['manifest']));
    if ('damaged' in decoded) return decoded.damaged;
    // Proven by its checksum, but a row can be copied under another id: it must name its own.
    if (decoded.manifest.id !== id) return `names checkpoint ${String(decoded.manifest.id)}`;
    return decoded.manifest;
  }

  /** Every partition's entries, or why the checkpoint cannot be used. */
  async #entries(client: PostgresClient, manifest: Manifest): Promise<SnapshotEntry[][][] | string> {
    const stages: SnapshotEntry[][][] = [];
    for (const [stage, { snapshots }] of manifest.stages.entries()) {
      const partitions: SnapshotEntry[][] = [];
      for (const ref of snapshots) {
        const { rows } = await client.query(this.#sql.partRows, [this.job, manifest.id, stage, ref.partition]);
        const first = rows[0];
        if (first === undefined) return `${ref.file}: missing`;
        const meta: PartitionMeta = { chunks: first['chunks'] as number, bytes: Number(first['bytes']), sha256: (first['sha256'] as Buffer).toString('hex') };
        const pieces = new Map(rows.map((row) => [row['chunk'] as number, row['data'] as Buffer]));
        const entries = await unpackPartition(meta, async (n) => pieces.get(n));
        if (typeof entries === 'string') return `${ref.file}: ${entries}`;
        partitions[ref.partition] = entries;
      }
      stages.push(partitions);
    }
    return stages;
  }
}

function statements(manifests: string, parts: string): Statements {
  return {
    createManifests: `CREATE TABLE IF NOT EXISTS ${manifests} (
      job text NOT NULL,
      id bigint NOT NULL,
      manifest text NOT NULL,
      written_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (job, id)
    )`,
    createParts: `CREATE TABLE IF NOT EXISTS ${parts} (
      job text NOT NULL,
      id bigint NOT NULL,
      stage integer NOT NULL,
      partition integer NOT NULL,
      chunk integer NOT NULL,
      chunks integer NOT NULL,
      bytes bigint NOT NULL,
      sha256 bytea NOT NULL,
      data bytea NOT NULL,
      PRIMARY KEY (job, id, stage, partition, chunk)
    )`,
    highestId: `SELECT greatest((SELECT max(id) FROM ${manifests} WHERE job = $1), (SELECT max(id) FROM ${parts} WHERE job = $1)) AS id`,
    manifestIds: `SELECT id FROM ${manifests} WHERE job = $1 ORDER BY id DESC`,
    manifest: `SELECT manifest FROM ${manifests} WHERE job = $1 AND id = $2`,
    writeManifest: `INSERT INTO ${manifests} (job, id, manifest) VALUES ($1, $2, $3)
      ON CONFLICT (job, id) DO UPDATE SET manifest = EXCLUDED.manifest, written_at = now()`,
    partRows: `SELECT chunk, chunks, bytes, sha256, data FROM ${parts} WHERE job = $1 AND id = $2 AND stage = $3 AND partition = $4 ORDER BY chunk`,
    removePart: `DELETE FROM ${parts} WHERE job = $1 AND id = $2 AND stage = $3 AND partition = $4`,
    insertPart: `INSERT INTO ${parts} (job, id, stage, partition, chunk, chunks, bytes, sha256, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    pruneCutoff: `SELECT id FROM ${manifests} WHERE job = $1 ORDER BY id DESC OFFSET $2 LIMIT 1`,
    removeManifestsBelow: `DELETE FROM ${manifests} WHERE job = $1 AND id < $2`,
    removePartsBelow: `DELETE FROM ${parts} WHERE job = $1 AND id < $2`,
    removeManifestsAbove: `DELETE FROM ${manifests} WHERE job = $1 AND id > $2`,
    removePartsAbove: `DELETE FROM ${parts} WHERE job = $1 AND id > $2`,
  };
}
