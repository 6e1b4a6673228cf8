/**
 * `toPostgres`: a sink that writes records as rows of a PostgreSQL table, in multi-row statements.
 * In a checkpointed run it is exactly-once (see `postgres-sink.ts` and `internal/commit-log.ts`);
 * without checkpoints, at-least-once: a resumed or retried run may write a row again, which an
 * upsert makes harmless.
 */
import { InvalidOptionError } from '../errors.js';
import { isFunction, oneOf, positiveInteger, withDefault } from '../internal/validate.js';
import { RowStatements } from './internal/row-statements.js';
import { PostgresSink, type PostgresSinkStats } from './postgres-sink.js';
import { checkPostgresConnection, type PostgresConnectionChoice } from './postgres-pool.js';
import { checkIdentifier, quoteTable, type PostgresTableName } from './sql-names.js';
import type { Sink } from '../streams/sinks/sink.js';

/** What a record becomes: its values in the order of `columns`, or an object with a value per column name. */
export type PostgresRow = readonly unknown[] | Readonly<Record<string, unknown>>;

/** Options of {@link toPostgres}. */
export type ToPostgresOptions<TRecord> = PostgresConnectionChoice & {
  /** The table written to; it must exist. A string is one name, taken whole; `{ schema, name }` for another schema. */
  readonly table: PostgresTableName;
  /** The columns written, in the order `row` gives their values. */
  readonly columns: readonly string[];
  /**
   * The column(s) that identify a row: the conflict target of an upsert (a primary key or a unique
   * constraint over exactly these columns). Required with `mode: 'upsert'`.
   */
  readonly key?: string | readonly string[] | undefined;
  /**
   * `upsert`: a row whose key is in the table replaces the values of the other columns (`INSERT …
   * ON CONFLICT (key) DO UPDATE`); `insert`: every row is inserted, and one the table refuses (a
   * duplicate key) goes to dead letters.
   * @defaultValue 'upsert'
   */
  readonly mode?: 'upsert' | 'insert' | undefined;
  /**
   * Turns a record into a row. The values go as parameters, converted as node-postgres converts
   * them (a Date to a timestamp, a Buffer to bytea, an array to an array, another object to JSON);
   * `undefined` is NULL.
   * @defaultValue the record itself: an array of values, or an object read by column name
   */
  readonly row?: ((record: TRecord) => PostgresRow) | undefined;
  /**
   * Whose commits these are in the commit table: two checkpointed jobs writing to the same table
   * need different names. A run resumes the commits of the job named here.
   * @defaultValue the table's name
   */
  readonly job?: string | undefined;
  /**
   * Rows per statement at most (fewer when `columns` × rows would pass 65,535 parameters).
   * @defaultValue 1000
   */
  readonly batchSize?: number | undefined;
  /** The commit table of exactly-once runs. @defaultValue 'sluice_commits' */
  readonly commitTable?: PostgresTableName | undefined;
  /** Where exactly-once runs keep the rows of checkpoints not yet committed. @defaultValue 'sluice_staged' */
  readonly stagingTable?: PostgresTableName | undefined;
  /**
   * How long the server may be away (restarting) before a write fails the run, in milliseconds;
   * meanwhile the sink reconnects with a growing pause (100 ms to 2 s) and tries again.
   * @defaultValue 60000
   */
  readonly maxReconnectWaitMs?: number | undefined;
};

/** A sink into a PostgreSQL table, with its counters. */
export interface PostgresTableSink<TRecord> extends Sink<TRecord> {
  /** Counters over all the sink's runs. */
  stats(): PostgresSinkStats;
}

/**
 * Writes each record as a row of `table`: exactly-once in a checkpointed run (the rows of a
 * checkpoint interval commit in one transaction with the job's row of the commit table), at-least-
 * once otherwise. A row the server refuses for its data (a constraint, a wrong type) goes to the
 * pipeline's dead letters with the server's message, and the rows around it are written. The
 * tables Sluice needs (commits, staging) are created when missing; the target table is not.
 *
 * @throws InvalidOptionError naming the option, at once: a `table`, `columns` or `key` name that
 *   cannot be an identifier, a `key` column not among `columns`, `upsert` without `key`, a `row`
 *   that is not a function, a `batchSize` or `maxReconnectWaitMs` that is not a positive integer,
 *   a `pool` that is not one. The run fails with PostgresUnreachableError when the server cannot be
 *   reached (or stays away past `maxReconnectWaitMs`), InvalidOptionError naming `table` when it or
 *   a column does not exist, PostgresCommitConflictError when another run owns the job's output now.
 * @example
 * ```ts
 * const sink = toPostgres<{ word: string; count: number }>({
 *   connectionString: 'postgresql://root@127.0.0.1:5432/test',
 *   table: 'word_counts',
 *   columns: ['word', 'count'],
 *   key: 'word',
 * });
 * ```
 */
export function toPostgres<TRecord>(options: ToPostgresOptions<TRecord>): PostgresTableSink<TRecord> {
  checkPostgresConnection(options);
  const { table, columns, key, mode, row, job, batchSize, commitTable, stagingTable, maxReconnectWaitMs, ...connection } = options;
  const quotedTable = quoteTable('table', table);
  if (!Array.isArray(columns) || columns.length === 0) throw new InvalidOptionError('columns', 'a non-empty array of column names', columns);
  const columnNames = columns.map((column, i) => checkIdentifier(`columns[${i}]`, column));
  const duplicate = columnNames.find((column, i) => columnNames.indexOf(column) !== i);
  if (duplicate !== undefined) throw new InvalidOptionError('columns', 'column names without repeats', columns);
  const writeMode = withDefault(mode, 'upsert' as const, (v) => oneOf('mode', v, ['upsert', 'insert'] as const));
  const keyNames = key === undefined ? [] : typeof key === 'string' ? [key] : Array.isArray(key) ? [...(key as readonly string[])] : undefined;
  if (keyNames === undefined) throw new InvalidOptionError('key', 'a column name or an array of them', key);
  for (const name of keyNames)
    if (!columnNames.includes(name)) throw new InvalidOptionError('key', `columns among \`columns\` (${columnNames.join(', ')})`, key);
  if (writeMode === 'upsert' && keyNames.length === 0) throw new InvalidOptionError('key', "the conflict target's column(s), with mode 'upsert'", key);
  if (row !== undefined) isFunction('row', row);
  const jobName = job === undefined ? quotedTable : checkJob(job);
  return new PostgresSink<TRecord>({
    connection: connection as PostgresConnectionChoice,
    statements: new RowStatements({
      table: quotedTable,
      columns: columnNames,
      key: keyNames,
      mode: writeMode,
      batchRows: withDefault(batchSize, 1000, (v) => positiveInteger('batchSize', v)),
    }),
    table: quotedTable,
    columns: columnNames,
    row: row ?? defaultRow,
    job: jobName,
    commitTable: quoteTable('commitTable', commitTable ?? 'sluice_commits'),
    stagingTable: quoteTable('stagingTable', stagingTable ?? 'sluice_staged'),
    maxReconnectWaitMs: withDefault(maxReconnectWaitMs, 60_000, (v) => positiveInteger('maxReconnectWaitMs', v)),
  });
}

function checkJob(job: unknown): string {
  if (typeof job !== 'string' || job === '') throw new InvalidOptionError('job', 'a non-empty string', job);
  return job;
}

function defaultRow(record: unknown): PostgresRow {
  if (typeof record === 'object' && record !== null) return record as PostgresRow;
  throw new TypeError(`a record must be an array or an object to be a row without a \`row\` option, got ${typeof record}`);
}
