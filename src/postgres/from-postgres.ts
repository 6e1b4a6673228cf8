/**
 * A PostgreSQL table (or a query's rows) as a replayable pipeline source, read in the order of
 * columns whose values only grow — an identity column, an insertion time with the id to break
 * ties. Its offset is the orderBy values of the last row read, so a checkpoint records it and a
 * resumed run reads on from the row after it; bounded, a read stops at the last row there was when
 * it began, and tailing, it asks again every `pollIntervalMs` for rows added since.
 */
import { InvalidOptionError } from '../errors.js';
import { flattenBatches } from '../internal/flatten-batches.js';
import { isFunction, nonNegativeIntegerOrInfinity, oneOf, positiveInteger, positiveNumber, withDefault } from '../internal/validate.js';
import type { Source, SourceItem } from '../streams/sources/source.js';
import { keysetStatements, type KeysetShape } from './internal/keyset-statements.js';
import { PostgresPages } from './internal/postgres-pages.js';
import { checkPostgresConnection, type PostgresConnectionChoice } from './postgres-pool.js';
import { checkIdentifier, quoteTable, type PostgresTableName } from './sql-names.js';

/**
 * Where a read of {@link fromPostgres} resumes: after the row whose orderBy values these are, as
 * PostgreSQL writes them as text (exactly: a timestamp with its microseconds, a numeric with every
 * digit); none before the first row. Plain strings, so a checkpoint keeps it as it is.
 */
export interface PostgresOffset {
  readonly after: readonly string[];
}

/** What a `fromPostgres` source reads: a table, or the columns of it to read. */
export interface PostgresTableInput {
  /** The table: a name, taken whole and quoted (`'a.b'` is a table named `a.b`), or `{ schema, name }`. */
  readonly table: PostgresTableName;
  /**
   * The columns each record has; the orderBy columns need not be among them.
   * @defaultValue every column of the table
   */
  readonly columns?: readonly string[] | undefined;
  readonly query?: undefined;
  readonly params?: undefined;
}

/**
 * What a `fromPostgres` source reads: the rows of a SELECT of the caller's, read as a subquery
 * (`SELECT * FROM (<query>) AS … WHERE <after the offset> ORDER BY … LIMIT …`), so it may join,
 * filter and compute columns; the orderBy columns are columns of its result.
 */
export interface PostgresQueryInput {
  /** One SELECT (or WITH … SELECT, VALUES, TABLE), without a trailing `;` needed. */
  readonly query: string;
  /** The values of `$1`, `$2`, … in `query`: they travel as parameters, never in the statement's text. */
  readonly params?: readonly unknown[] | undefined;
  readonly table?: undefined;
  readonly columns?: undefined;
}

/** How {@link fromPostgres} reads, whatever it reads. */
export interface PostgresReadOptions<TRecord> {
  /**
   * The column, or columns, the rows are read in the order of: their values must only grow as
   * rows are added, and be unique together (a timestamp with the id after it to break ties). A row
   * with NULL in one of them has no place in that order and is never read. An index on them (in
   * this order) lets each page start where the last one ended.
   */
  readonly orderBy: string | readonly string[];
  /**
   * Rows per page: each page is one statement, and one batch for the pipeline.
   * @defaultValue 1000
   */
  readonly batchSize?: number | undefined;
  /**
   * `'bounded'`: read up to the last row there was when the read began, then end (a backfill, a
   * batch job). `'tail'`: once caught up, ask again every `pollIntervalMs` for new rows, for as long
   * as the pipeline runs (see the caveat in docs/postgres.md on rows committed out of order).
   * @defaultValue 'bounded'
   */
  readonly mode?: 'bounded' | 'tail' | undefined;
  /**
   * Tailing, how long to wait after a page that was not full before asking again, in milliseconds.
   * @defaultValue 1000
   */
  readonly pollIntervalMs?: number | undefined;
  /**
   * Turns a row (an object by column name, with node-postgres's values) into a record. A throw makes
   * the row a dead letter (`malformed`, the row as JSON, the error thrown), and the read goes on.
   * @defaultValue the row itself
   */
  readonly map?: ((row: Record<string, unknown>) => TRecord) | undefined;
  /**
   * How long the server may be away (restarting, unreachable) before the read fails with
   * PostgresUnreachableError, in milliseconds; meanwhile the page is asked for again with a growing
   * pause, and the read carries on from the same row once the server answers. `Infinity`: wait for
   * as long as it takes.
   * @defaultValue 60000
   */
  readonly maxReconnectWaitMs?: number | undefined;
}

/**
 * Options of {@link fromPostgres}: where to connect ({@link PostgresConnectionChoice}), what to
 * read (a `table`, or a `query`), and how.
 */
export type FromPostgresOptions<TRecord = Record<string, unknown>> = PostgresConnectionChoice &
  PostgresReadOptions<TRecord> &
  (PostgresTableInput | PostgresQueryInput);

/**
 * Reads the rows of a table, or of a query, in the order of `orderBy`, as records: replayable from
 * any row, a page of `batchSize` rows per statement, with nothing held open on the server between
 * pages. A server that goes away mid-read is waited for (up to `maxReconnectWaitMs`) and the read
 * carries on from the row after the last one it handed out: nothing is lost or read twice.
 *
 * Every table and column name is quoted; every value (the parameters, the offset, the page size)
 * travels as a statement parameter.
 *
 * @throws InvalidOptionError naming the option, at once: neither or both of `table` and `query`,
 *   a name that cannot be an identifier, `columns` or `params` not an array (or `columns` with a
 *   query, `params` with a table), `orderBy` empty or repeating a column, `batchSize` not a
 *   positive integer, `mode` not `'bounded'` or `'tail'`, `pollIntervalMs` not a positive number,
 *   `maxReconnectWaitMs` not an integer ≥ 0 (or Infinity), `map` not a function, or a connection
 *   option of the wrong type. A read rejects with PostgresUnreachableError when the server cannot
 *   be reached when it begins, or stays away too long; with the server's own error when it refuses
 *   the statement (no such table or column, a query that is not a SELECT).
 * @example
 * ```ts
 * const orders = fromPostgres<Order>({
 *   connectionString: 'postgresql://sluice@db:5432/shop',
 *   table: { schema: 'sales', name: 'orders' },
 *   orderBy: ['created_at', 'id'],
 *   mode: 'tail',
 *   map: (row) => ({ id: String(row['id']), total: Number(row['total']), at: (row['created_at'] as Date).getTime() }),
 * });
 * await pipeline(orders).keyBy((o) => o.id, { partitions: 4 }).reduce(add, zero).to(sink)
 *   .run({ checkpoint: { dir: 'state/orders' } }).done;
 * ```
 */
export function fromPostgres<TRecord = Record<string, unknown>>(options: FromPostgresOptions<TRecord>): Source<TRecord, PostgresOffset> {
  checkPostgresConnection(options);
  const { table, columns, query, params, orderBy, batchSize, mode, pollIntervalMs, map, maxReconnectWaitMs, ...connection } = options;
  const input = checkInput(table, columns, query, params);
  const keys = checkOrderBy(orderBy);
  if (map !== undefined) isFunction('map', map);
  const statements = keysetStatements({ ...input.shape, orderBy: keys });
  const setup = {
    connection: connection as PostgresConnectionChoice,
    statements,
    params: input.params,
    batchSize: withDefault(batchSize, 1000, (v) => positiveInteger('batchSize', v)),
    tail: withDefault(mode, 'bounded', (v) => oneOf('mode', v, ['bounded', 'tail'])) === 'tail',
    pollIntervalMs: withDefault(pollIntervalMs, 1000, (v) => positiveNumber('pollIntervalMs', v)),
    maxReconnectWaitMs: withDefault(maxReconnectWaitMs, 60_000, (v) => nonNegativeIntegerOrInfinity('maxReconnectWaitMs', v)),
    map,
  };
  const start: PostgresOffset = { after: [] };
  const readBatches = (from: PostgresOffset = start): AsyncIterable<SourceItem<TRecord, PostgresOffset>[]> => {
    const after = checkOffset(from, keys.length);
    return { [Symbol.asyncIterator]: () => new PostgresPages<TRecord>({ ...setup, after }) };
  };
  return {
    name: `postgres:${input.name}`,
    replayable: true,
    start,
    read: (from) => flattenBatches(readBatches(from)),
    readBatches,
  };
}

/** What to read, checked: the statements' shape (without orderBy), the query's parameters, and a name for metrics. */
interface CheckedInput {
  readonly shape: Omit<KeysetShape, 'orderBy'>;
  readonly params: readonly unknown[];
  readonly name: string;
}

function checkInput(table: unknown, columns: unknown, query: unknown, params: unknown): CheckedInput {
  if (table !== undefined && query !== undefined) throw new InvalidOptionError('query', 'absent when `table` is given: one thing to read', query);
  if (table !== undefined) {
    if (params !== undefined) throw new InvalidOptionError('params', 'absent when reading a `table` (parameters belong to a `query`)', params);
    const quoted = quoteTable('table', table);
    const name = typeof table === 'string' ? table : `${(table as { schema: string }).schema}.${(table as { name: string }).name}`;
    return { shape: { from: { table: quoted }, columns: columns === undefined ? undefined : checkColumns(columns), paramCount: 0 }, params: [], name };
  }
  if (query === undefined) throw new InvalidOptionError('table', 'a table name (or a `query` to read instead)', table);
  if (typeof query !== 'string' || query.trim() === '') throw new InvalidOptionError('query', 'a SELECT statement', query);
  if (columns !== undefined) throw new InvalidOptionError('columns', 'absent when reading a `query` (its SELECT list says which columns)', columns);
  if (params !== undefined && !Array.isArray(params)) throw new InvalidOptionError('params', 'an array of values for $1, $2, …', params);
  const values: readonly unknown[] = params ?? [];
  // A trailing `;` would end the statement inside the subquery. (The query goes on lines of its
  // own in the statement, so a `--` comment on its last line ends there.)
  let select = query.trimEnd();
  while (select.endsWith(';')) select = select.slice(0, -1).trimEnd();
  return { shape: { from: { query: select }, columns: undefined, paramCount: values.length }, params: values, name: 'query' };
}

function checkColumns(columns: unknown): readonly string[] {
  if (!Array.isArray(columns) || columns.length === 0) throw new InvalidOptionError('columns', 'a non-empty array of column names', columns);
  return columns.map((column, i) => checkIdentifier(`columns[${i}]`, column));
}

function checkOrderBy(orderBy: unknown): readonly string[] {
  const names: unknown[] = typeof orderBy === 'string' ? [orderBy] : Array.isArray(orderBy) ? orderBy : [];
  if (names.length === 0) throw new InvalidOptionError('orderBy', 'a column name, or a non-empty array of them', orderBy);
  const keys = names.map((name, i) => checkIdentifier(typeof orderBy === 'string' ? 'orderBy' : `orderBy[${i}]`, name));
  if (new Set(keys).size !== keys.length) throw new InvalidOptionError('orderBy', 'distinct column names', orderBy);
  return keys;
}

/** The orderBy values of `from`, which must be a start (none) or as many strings as there are orderBy columns. */
function checkOffset(from: unknown, keys: number): readonly string[] {
  const after = (from as Partial<PostgresOffset> | null)?.after;
  const valid =
    typeof from === 'object' &&
    from !== null &&
    Array.isArray(after) &&
    (after.length === 0 || after.length === keys) &&
    after.every((v) => typeof v === 'string');
  if (!valid) throw new InvalidOptionError('from', `a fromPostgres offset: { after: [] }, or { after: [...] } with ${keys} orderBy value(s) as text`, from);
  return after as readonly string[];
}
