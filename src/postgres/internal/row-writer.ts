/**
 * Writing rows in statements, inside a transaction. First optimistically: big statements, and a
 * refusal is the caller's to handle (it has aborted the transaction; the caller rolls back and
 * comes back carefully). Carefully: each statement under a savepoint, and a statement the server
 * refuses for its data is split in halves until the refused rows stand alone; those become
 * rejections, every other row is written, in order.
 */
import { PostgresRowRejectedError } from '../../errors.js';
import type { PostgresClient } from '../postgres-pool.js';
import { isRowRejection, serverDetails, sqlStateOf } from '../sql-errors.js';
import type { RowStatements } from './row-statements.js';

/** One row to write: its values in column order, and the record it came from (for dead letters). */
export interface PendingRow {
  readonly values: readonly unknown[];
  readonly record: unknown;
}

/** A row the server refused, and why. */
export interface Rejection {
  readonly row: PendingRow;
  readonly error: PostgresRowRejectedError;
}

/** 21000: one upsert statement met the same key twice; halves of it may not. */
const SAME_KEY_TWICE = '21000';

/** How {@link writeRows} goes about it. */
export interface WriteRowsOptions {
  readonly statements: RowStatements;
  /** The table, quoted, for rejections. */
  readonly table: string;
  /** Refusals are split down to the refused rows; otherwise the first refusal rejects (throws). */
  readonly careful: boolean;
}

/**
 * Writes `rows`, in order, on `client`, which is inside a transaction.
 * @returns the rows the server refused (always empty when not careful).
 * @throws (rejects) any failure that is not a refusal of the data, and, when not careful, the first refusal too.
 */
export async function writeRows(client: PostgresClient, rows: readonly PendingRow[], options: WriteRowsOptions): Promise<Rejection[]> {
  const { statements } = options;
  const rejections: Rejection[] = [];
  // An optimistic write may keep one row per key: nothing sees the rows it passes over. A careful
  // one keeps them all, so that a later row refused leaves the earlier one written, as it would be.
  const written = options.careful ? rows : statements.lastOfEachKey(rows);
  const size = statements.rowsPerStatement;
  for (let start = 0; start < written.length; start += size) {
    const part = written.slice(start, start + size);
    if (options.careful) await tryPart(client, part, options, rejections);
    else await client.query(statements.statement(part.map((row) => row.values)));
  }
  return rejections;
}

async function tryPart(client: PostgresClient, part: readonly PendingRow[], options: WriteRowsOptions, rejections: Rejection[]): Promise<void> {
  const statement = options.statements.statement(part.map((row) => row.values));
  await client.query('SAVEPOINT sluice_rows');
  try {
    await client.query(statement);
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT sluice_rows');
    const splittable = isRowRejection(error) || sqlStateOf(error) === SAME_KEY_TWICE;
    if (!splittable || (part.length === 1 && !isRowRejection(error))) throw error;
    if (part.length === 1) {
      rejections.push({ row: part[0] as PendingRow, error: rejectionOf(options.table, error) });
      return;
    }
    const half = Math.ceil(part.length / 2);
    await tryPart(client, part.slice(0, half), options, rejections);
    await tryPart(client, part.slice(half), options, rejections);
    return;
  }
  await client.query('RELEASE SAVEPOINT sluice_rows');
}

/** The server's refusal of a row of `table`, with its own message. */
export function rejectionOf(table: string, error: unknown): PostgresRowRejectedError {
  const { constraint, detail } = serverDetails(error);
  const message = error instanceof Error ? error.message : String(error);
  return new PostgresRowRejectedError(table, message, sqlStateOf(error) ?? 'unknown', constraint, detail, error);
}
