/**
 * The sink behind `toPostgres`. Without checkpoints each batch goes straight to the table, in a
 * transaction of its own. With checkpoints (the run calls `recover` first):
 *
 * - `write` collects rows, and stages them (see `internal/commit-log.ts`) every 10,000 rows, so the
 *   rows between two checkpoints are durable without being visible, and memory stays bounded; one
 *   chunk at a time is on its way to the server while the next is collected, and a failure to stage
 *   it fails the write that would stage the next, or the pre-commit;
 * - `preCommit(n)` stages what is left, waits until every chunk is staged, and returns
 *   `{ checkpoint: n, writer }`;
 * - `commit` applies every staged row before checkpoint n to the table and advances the commit row
 *   from the checkpoint before to n, in one transaction, after checking the row still names this
 *   writer; a commit found already applied (its acknowledgement was lost) is not applied again;
 * - `recover(token)` completes the commit a crash interrupted (the staged rows of the token's
 *   writer), discards what was staged after it, and makes this run the writer, which fences off any
 *   older run still alive.
 *
 * A statement the server refuses for its data is taken back and the rows written again carefully,
 * each statement under a savepoint and a refused one split in halves, until the refused rows stand
 * alone: they go to dead letters, with the server's message, once the transaction has committed.
 */
import { nanoid } from 'nanoid';
import { Packr, Unpackr } from 'msgpackr';
import { InvalidOptionError, PostgresCommitConflictError } from '../errors.js';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import type { SinkContext } from '../streams/sinks/sink.js';
import { CommitLog } from './internal/commit-log.js';
import { leasePool, type PoolLease } from './internal/pool-lease.js';
import { reconnecting } from './internal/reconnecting.js';
import type { RowStatements } from './internal/row-statements.js';
import { writeRows, type PendingRow, type Rejection } from './internal/row-writer.js';
import { inTransaction } from './internal/transaction.js';
import type { PostgresClient, PostgresConnectionChoice, PostgresPool } from './postgres-pool.js';
import { isRowRejection, sqlStateOf } from './sql-errors.js';
import type { PostgresRow, PostgresTableSink } from './to-postgres.js';

/** Counters of a PostgreSQL sink, over all its runs. */
export interface PostgresSinkStats {
  /** Rows the table took. */
  readonly rowsWritten: number;
  /** Rows the server refused, sent to dead letters. */
  readonly rowsRejected: number;
  /** Checkpoint intervals committed. */
  readonly commits: number;
}

export interface PostgresSinkSetup<TRecord> {
  readonly connection: PostgresConnectionChoice;
  readonly statements: RowStatements;
  /** Quoted. */
  readonly table: string;
  readonly columns: readonly string[];
  readonly row: (record: TRecord) => PostgresRow;
  readonly job: string;
  /** Quoted. */
  readonly commitTable: string;
  /** Quoted. */
  readonly stagingTable: string;
  readonly maxReconnectWaitMs: number;
}

/** Rows per staged chunk. */
const STAGE_ROWS = 10_000;
/** Rows of staged chunks kept in memory for their commit; beyond, the commit reads them back. */
const HELD_ROWS = 200_000;
/** The sink is one instance per job: its partition in the commit table. */
const SINK_PARTITION = 0;
/** The target table, a column or the conflict target does not exist, or may not be written. */
const SETUP_STATES: Readonly<Record<string, 'table' | 'key'>> = { '42P01': 'table', '42703': 'table', '42501': 'table', '3F000': 'table', '42P10': 'key' };

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr(MSGPACK_OPTIONS);

/** Rows staged together: in memory until their commit, unless memory ran short. */
interface Chunk {
  readonly seq: number;
  /** The checkpoint pre-committed before they were written. */
  readonly after: number;
  readonly count: number;
  rows: readonly PendingRow[] | undefined;
}

/** What `preCommit` returns, and `commit` and `recover` get back. */
interface CommitToken {
  readonly checkpoint: number;
  readonly writer: string;
}

/** What a transaction wrote: rows offered, and those refused. */
interface Applied {
  readonly written: number;
  readonly refused: Rejection[];
}

/** Thrown inside a transaction to take it back and write its rows again carefully. */
class RowsRefused extends Error {}

export class PostgresSink<TRecord> implements PostgresTableSink<TRecord> {
  readonly name: string;
  readonly #setup: PostgresSinkSetup<TRecord>;
  readonly #log: CommitLog;
  #lease: Promise<PoolLease> | undefined;
  /** The server, for errors: `user@host:port/database` once the pool is open. */
  #where: string;
  #context: SinkContext | undefined;
  #abort = new AbortController();
  #writer = '';
  #checkpointed = false;
  #pending: PendingRow[] = [];
  /** Chunks staged (durable), in order. */
  #chunks: Chunk[] = [];
  /** The chunk on its way to the staging table, if one is: see {@link #stage}. */
  #staging: Promise<void> | undefined;
  #held = 0;
  #nextSeq = 1;
  #lastPreCommit = 0;
  #stats = { rowsWritten: 0, rowsRejected: 0, commits: 0 };

  constructor(setup: PostgresSinkSetup<TRecord>) {
    this.#setup = setup;
    this.name = `postgres:${setup.table}`;
    this.#where = `the server of ${setup.table}`;
    this.#log = new CommitLog({ commits: setup.commitTable, staged: setup.stagingTable, job: setup.job, partition: SINK_PARTITION });
  }

  stats(): PostgresSinkStats {
    return { ...this.#stats };
  }

  async open(context: SinkContext): Promise<void> {
    this.#context = context;
    const pool = await this.#pool();
    await this.#checkTarget(pool);
  }

  async write(records: readonly TRecord[]): Promise<void> {
    const rows = this.#rowsOf(records);
    if (rows.length === 0) return;
    if (this.#checkpointed) {
      for (const row of rows) this.#pending.push(row);
      if (this.#pending.length >= STAGE_ROWS) await this.#stage();
      return;
    }
    // One transaction a batch: one flush to disk per batch rather than per statement. Tried again
    // whole while the server is away; a batch whose COMMIT was acknowledged to nobody may be written
    // twice, which is what at-least-once allows.
    const pool = await this.#pool();
    const rejections = await this.#applyOnce(pool, async (client, careful) => ({
      written: rows.length,
      refused: await this.#writeRows(client, rows, careful),
    }));
    this.#report(rejections);
  }

  async preCommit(checkpoint: number): Promise<CommitToken> {
    await this.#stage();
    await this.#staged();
    this.#lastPreCommit = checkpoint;
    return { checkpoint, writer: this.#writer };
  }

  async commit(token: unknown): Promise<void> {
    const { checkpoint, writer } = checkToken(token);
    if (writer !== this.#writer) throw new PostgresCommitConflictError(this.#setup.job, SINK_PARTITION, `the token names writer ${writer}, not this run's`);
    const pool = await this.#pool();
    const committing = this.#chunks.filter((chunk) => chunk.after < checkpoint);
    const rejections = await this.#applyOnce(pool, async (client, careful) => {
      const state = await this.#log.lock(client, this.#writer);
      if (state.writer !== this.#writer) {
        throw new PostgresCommitConflictError(
          this.#setup.job,
          SINK_PARTITION,
          `writer ${state.writer} owns the output now (a newer run recovered it), so this run may not commit`,
        );
      }
      if (state.checkpoint >= checkpoint) return undefined;
      const applied = await this.#writeAll(client, this.#rowsOfChunks(client, committing, checkpoint), careful);
      await this.#log.set(client, checkpoint, this.#writer);
      await this.#log.dropStaged(client, this.#writer, checkpoint);
      return applied;
    });
    for (const chunk of committing) if (chunk.rows !== undefined) this.#held -= chunk.rows.length;
    this.#chunks = this.#chunks.filter((chunk) => chunk.after >= checkpoint);
    this.#stats.commits++;
    this.#report(rejections);
  }

  async recover(token: unknown): Promise<void> {
    const resumed = token === undefined || token === null ? undefined : checkToken(token);
    const checkpoint = resumed?.checkpoint ?? 0;
    this.#checkpointed = true;
    this.#lastPreCommit = checkpoint;
    const pool = await this.#pool();
    await this.#reconnecting(() => this.#log.ensure(pool));
    const rejections = await this.#applyOnce(pool, async (client, careful) => {
      const state = await this.#log.lock(client, this.#writer);
      let applied: Applied = { written: 0, refused: [] };
      if (state.checkpoint < checkpoint && resumed !== undefined) {
        // The checkpoint completed but its commit did not: the rows its writer staged go in now.
        applied = await this.#writeAll(client, this.#stagedBy(client, resumed.writer, checkpoint), careful);
      } else if (state.checkpoint > checkpoint && this.#setup.statements.mode === 'insert') {
        throw new PostgresCommitConflictError(
          this.#setup.job,
          SINK_PARTITION,
          `the table already holds the rows up to checkpoint ${state.checkpoint}, and this run resumes from ${checkpoint === 0 ? 'the start' : `checkpoint ${checkpoint}`}: ` +
            'inserting again what came after would write it twice. Give this run another `job`, or, if the table was emptied, delete the job from the commit table',
        );
      }
      await this.#log.set(client, checkpoint, this.#writer);
      await this.#log.dropAllStaged(client);
      return applied;
    });
    this.#report(rejections);
  }

  async close(): Promise<void> {
    try {
      await this.#staged();
    } finally {
      await this.#end();
    }
  }

  async release(): Promise<void> {
    this.#abort.abort();
    // Nothing staged is visible: a chunk that failed to land is discarded with the rest by the next run's recover.
    await this.#staged().catch(() => undefined);
    await this.#end();
  }

  /** The pool, opened on first use in a run; a new run gets a new writer id. */
  #pool(): Promise<PostgresPool> {
    if (this.#lease === undefined) {
      this.#writer = nanoid();
      this.#abort = new AbortController();
      this.#checkpointed = false;
      this.#pending = [];
      this.#chunks = [];
      this.#staging = undefined;
      this.#held = 0;
      this.#nextSeq = 1;
      this.#lastPreCommit = 0;
      this.#lease = leasePool(this.#setup.connection);
      this.#lease.catch(() => undefined);
    }
    return this.#lease.then((lease) => {
      this.#where = lease.where;
      return lease.pool;
    });
  }

  async #end(): Promise<void> {
    const lease = this.#lease;
    this.#lease = undefined;
    this.#context = undefined;
    await (await lease?.catch(() => undefined))?.release();
  }

  /** Proves at the start that the rows can go where they are meant to: a statement that writes nothing. */
  async #checkTarget(pool: PostgresPool): Promise<void> {
    const { statements, table, columns } = this.#setup;
    try {
      await this.#reconnecting(() => pool.query(statements.dryRun()));
    } catch (error) {
      const option = SETUP_STATES[sqlStateOf(error) ?? ''];
      if (option === undefined) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const expected =
        option === 'key'
          ? `the columns of a primary key or unique constraint of ${table} (PostgreSQL: ${message})`
          : `a table with the columns ${columns.join(', ')} that this user may insert into (PostgreSQL: ${message})`;
      throw new InvalidOptionError(option, expected, option === 'key' ? statements.key : table);
    }
  }

  #rowsOf(records: readonly TRecord[]): PendingRow[] {
    const rows: PendingRow[] = [];
    const { columns, row } = this.#setup;
    for (const record of records) {
      let values: unknown[];
      try {
        values = valuesOf(row(record), columns);
      } catch (error) {
        this.#deadLetter(record, error);
        continue;
      }
      rows.push({ values, record });
    }
    return rows;
  }

  /**
   * Sends the pending rows to the staging table as one chunk, once the chunk before has landed, and
   * returns without waiting for this one: the server writes it while the pipeline brings the next
   * rows and this process encodes them, which took as long as the insert itself. One chunk at a
   * time, so chunks land in order and memory stays bounded; {@link #staged} waits for it.
   * @throws (rejects) what staging the chunk before failed with.
   */
  async #stage(): Promise<void> {
    await this.#staged();
    if (this.#pending.length === 0) return;
    const rows = this.#pending;
    this.#pending = [];
    const chunk: Chunk = { seq: this.#nextSeq++, after: this.#lastPreCommit, count: rows.length, rows };
    const data = packr.pack(rows.map((row) => row.values));
    const pool = await this.#pool();
    const writer = this.#writer;
    const staging = this.#reconnecting(() => this.#log.stage(pool, writer, chunk.seq, chunk.after, rows.length, data)).then(() => this.#landed(chunk));
    // Its failure is thrown by whoever waits for it next (the next chunk, the pre-commit, close).
    staging.catch(() => undefined);
    this.#staging = staging;
  }

  /**
   * Waits until the chunk on its way, if any, has landed.
   * @throws (rejects) what staging it failed with.
   */
  async #staged(): Promise<void> {
    const staging = this.#staging;
    this.#staging = undefined;
    await staging;
  }

  /** A staged chunk, now durable: commits apply it; its rows stay in memory while there is room. */
  #landed(chunk: Chunk): void {
    this.#chunks.push(chunk);
    this.#held += chunk.count;
    for (const old of this.#chunks) {
      if (this.#held <= HELD_ROWS) break;
      if (old.rows === undefined) continue;
      this.#held -= old.rows.length;
      old.rows = undefined;
    }
  }

  /** The rows of staged `chunks`, chunk by chunk, from memory or read back. */
  async *#rowsOfChunks(client: PostgresClient, chunks: readonly Chunk[], below: number): AsyncGenerator<readonly PendingRow[]> {
    for (const chunk of chunks) {
      if (chunk.rows !== undefined) {
        yield chunk.rows;
        continue;
      }
      const staged = await this.#log.nextStaged(client, this.#writer, below, chunk.seq - 1);
      if (staged?.seq !== chunk.seq) throw new Error(`toPostgres: staged chunk ${chunk.seq} of job ${this.#setup.job} is missing`);
      yield decodeRows(staged.data, this.#setup.columns);
    }
  }

  /** The rows `writer` staged before checkpoint `below`, chunk by chunk, read back. */
  async *#stagedBy(client: PostgresClient, writer: string, below: number): AsyncGenerator<readonly PendingRow[]> {
    for (let seq = 0, chunk; (chunk = await this.#log.nextStaged(client, writer, below, seq)) !== undefined; seq = chunk.seq) {
      yield decodeRows(chunk.data, this.#setup.columns);
    }
  }

  /**
   * Writes `batches` of rows, in order, in full statements across the batches' bounds: only the
   * last statement may be short. A chunk holds what the pipeline's batches added up to (10,240
   * rows of 1,024), so written chunk by chunk every chunk ended in a short statement, which the
   * server parsed and planned afresh, and one more round trip.
   */
  async #writeAll(client: PostgresClient, batches: AsyncIterable<readonly PendingRow[]>, careful: boolean): Promise<Applied> {
    const size = this.#setup.statements.rowsPerStatement;
    const refused: Rejection[] = [];
    let written = 0;
    let carried: readonly PendingRow[] = [];
    for await (const batch of batches) {
      written += batch.length;
      const rows = carried.length === 0 ? batch : [...carried, ...batch];
      const whole = rows.length - (rows.length % size);
      refused.push(...(await this.#writeRows(client, whole === rows.length ? rows : rows.slice(0, whole), careful)));
      carried = rows.slice(whole);
    }
    if (carried.length > 0) refused.push(...(await this.#writeRows(client, carried, careful)));
    return { written, refused };
  }

  async #writeRows(client: PostgresClient, rows: readonly PendingRow[], careful: boolean): Promise<Rejection[]> {
    try {
      return await writeRows(client, rows, { statements: this.#setup.statements, table: this.#setup.table, careful });
    } catch (error) {
      if (!careful && (isRowRejection(error) || sqlStateOf(error) === '21000')) throw new RowsRefused();
      throw error;
    }
  }

  /**
   * Runs `work` in a transaction, first optimistically, then, when the server refused rows, again
   * carefully; tried again while the server is away. Its refusals count once the transaction has
   * committed (undefined: there was nothing to do).
   */
  async #applyOnce(pool: PostgresPool, work: (client: PostgresClient, careful: boolean) => Promise<Applied | undefined>): Promise<Rejection[]> {
    let careful = false;
    // A retry after a lost COMMIT acknowledgement finds the work done: the refusals are the last attempt's.
    let refusals: Rejection[] = [];
    for (;;) {
      try {
        const done = await this.#reconnecting(() =>
          inTransaction(pool, async (client) => {
            const result = await work(client, careful);
            if (result !== undefined) refusals = result.refused;
            return result;
          }),
        );
        if (done !== undefined) this.#stats.rowsWritten += done.written - done.refused.length;
        return done === undefined ? refusals : done.refused;
      } catch (error) {
        if (!(error instanceof RowsRefused) || careful) throw error;
        careful = true;
      }
    }
  }

  #reconnecting<T>(operation: () => Promise<T>): Promise<T> {
    return reconnecting(operation, { where: this.#where, maxWaitMs: this.#setup.maxReconnectWaitMs, signal: this.#abort.signal });
  }

  #report(rejections: readonly Rejection[]): void {
    this.#stats.rowsRejected += rejections.length;
    for (const { row, error } of rejections) this.#deadLetter(row.record, error);
  }

  #deadLetter(record: unknown, error: unknown): void {
    if (this.#context === undefined) throw error;
    this.#context.deadLetter(record, error);
  }
}

/** A row's values in column order. */
function valuesOf(row: PostgresRow, columns: readonly string[]): unknown[] {
  if (Array.isArray(row)) {
    if (row.length !== columns.length) throw new TypeError(`the row has ${row.length} values for ${columns.length} columns (${columns.join(', ')})`);
    return row as unknown[];
  }
  if (typeof row !== 'object' || row === null) throw new TypeError(`a row must be an array or an object, got ${row === null ? 'null' : typeof row}`);
  const record = row as Readonly<Record<string, unknown>>;
  return columns.map((column) => record[column]);
}

/** Rows read back from the staging table; their records are the rows, by column name. */
function decodeRows(data: Buffer, columns: readonly string[]): PendingRow[] {
  const values = unpackr.unpack(data) as unknown[][];
  return values.map((row) => ({ values: row, record: Object.fromEntries(columns.map((column, i) => [column, row[i]])) }));
}

function checkToken(token: unknown): CommitToken {
  const candidate = token as Partial<CommitToken> | null;
  if (typeof candidate === 'object' && candidate !== null && Number.isInteger(candidate.checkpoint) && typeof candidate.writer === 'string') {
    return { checkpoint: candidate.checkpoint as number, writer: candidate.writer };
  }
  throw new InvalidOptionError('token', 'a commit token of toPostgres ({ checkpoint, writer })', token);
}
