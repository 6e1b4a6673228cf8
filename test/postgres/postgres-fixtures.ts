/**
 * What the PostgreSQL tests share: the server (skipped with a printed reason when none answers),
 * a pool for the tests' own queries, and tables with unique names, dropped when the file is done.
 */
import { afterAll, describe } from 'vitest';
import { connectPostgres, quoteIdentifier, type PostgresPool } from '../../src/postgres/index.js';
import { checkPostgres } from '../helpers/services.js';
import { uniqueName } from './pg-fixtures.js';

const postgres = await checkPostgres();

/** The server's URL; only read inside a `withPostgres` block. */
export const pgUrl = postgres.url ?? 'postgresql://unreachable';

/** `describe`, skipped when PostgreSQL does not answer. */
export const withPostgres: typeof describe = describe.skipIf(postgres.url === undefined) as typeof describe;

let opened: Promise<PostgresPool> | undefined;
const created: string[] = [];

/** A pool for the test's own queries, ended after the file. */
export function testPool(): Promise<PostgresPool> {
  opened ??= connectPostgres({ connectionString: pgUrl }).then(({ pool }) => pool);
  return opened;
}

/** A fresh table name starting with `label`, dropped after the file. */
export function tableName(label: string): string {
  const name = uniqueName(label);
  created.push(name);
  return name;
}

/** Creates a fresh table with `columns` (SQL, e.g. `word text primary key, count bigint`) and returns its name. */
export async function createTable(label: string, columns: string): Promise<string> {
  const name = tableName(label);
  await (await testPool()).query(`CREATE TABLE ${quoteIdentifier(name)} (${columns})`);
  return name;
}

/** Every row of `table`, ordered by `orderBy`. */
export async function rowsOf(table: string, orderBy: string): Promise<Record<string, unknown>[]> {
  const { rows } = await (await testPool()).query(`SELECT * FROM ${quoteIdentifier(table)} ORDER BY ${orderBy}`);
  return rows.map((row) => ({ ...row }));
}

afterAll(async () => {
  if (opened === undefined) return;
  const pool = await opened;
  for (const name of created) await pool.query(`DROP TABLE IF EXISTS ${quoteIdentifier(name)}`);
  await pool.end();
});
