/**
 * SQL identifiers from options (table, column and schema names) go into statements quoted, always,
 * so a name is taken exactly as written (case, spaces, quotes and all) and can never be read as SQL.
 * Values never go into statement text at all: they travel as parameters.
 */
import { InvalidOptionError } from '../errors.js';

/** A table: a name alone (searched for on the connection's `search_path`), or with its schema. */
export type PostgresTableName = string | { readonly schema: string; readonly name: string };

/** PostgreSQL keeps the first 63 bytes of a longer name, so two long names could meet. */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * `name` quoted as an identifier: `"` around it, each `"` inside doubled.
 * @example
 * ```ts
 * quoteIdentifier('Order "Lines"'); // '"Order ""Lines"""'
 * ```
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Checks that `name` can be an identifier: a non-empty string of at most 63 bytes, without NUL.
 * @throws InvalidOptionError naming `option` otherwise.
 */
export function checkIdentifier(option: string, name: unknown): string {
  if (typeof name !== 'string' || name === '') throw new InvalidOptionError(option, 'a non-empty SQL name', name);
  if (name.includes('\0')) throw new InvalidOptionError(option, 'a SQL name without NUL characters', name);
  if (Buffer.byteLength(name) > MAX_IDENTIFIER_BYTES) throw new InvalidOptionError(option, `a SQL name of at most ${MAX_IDENTIFIER_BYTES} bytes`, name);
  return name;
}

/**
 * The quoted (and schema-qualified, when it has one) name of `table`. A string is one name, taken
 * whole: `'a.b'` is a table named `a.b`; a table in schema `a` is `{ schema: 'a', name: 'b' }`.
 * @throws InvalidOptionError naming `option` for a name that cannot be an identifier.
 */
export function quoteTable(option: string, table: unknown): string {
  if (typeof table === 'object' && table !== null) {
    const { schema, name } = table as { schema?: unknown; name?: unknown };
    return `${quoteIdentifier(checkIdentifier(`${option}.schema`, schema))}.${quoteIdentifier(checkIdentifier(`${option}.name`, name))}`;
  }
  return quoteIdentifier(checkIdentifier(option, table));
}
