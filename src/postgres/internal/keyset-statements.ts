/**
 * The statements `fromPostgres` reads with, written once when the source is made. Reading is keyset
 * pagination: each page asks for the rows whose orderBy values come after the last row read, as a
 * row comparison, `(a, b) > ($1, $2)`, in the order `ORDER BY a, b` — so rows that share a first
 * value across a page boundary are neither skipped nor read twice, and an index on `(a, b)` serves
 * each page without counting through the rows before it, as an OFFSET would.
 *
 * Each row also carries its orderBy values as the server writes them as text, in columns added
 * after the caller's: that text is the offset. Passed back as an untyped parameter, it is read as
 * the column's own type, so the position is exact whatever the type (a timestamp keeps its
 * microseconds, which a JavaScript Date would lose; a numeric or a bigint keeps every digit).
 *
 * Every name is quoted, and every value — the caller's parameters, the offset, the page size — is
 * a parameter, never statement text.
 */
import { quoteIdentifier } from '../sql-names.js';

/** What the statements are over: a table (or the columns of it to read), or a query of the caller's. */
export interface KeysetShape {
  /** A quoted table name, or a SELECT to read as a subquery. */
  readonly from: { readonly table: string } | { readonly query: string };
  /** The columns to read, unquoted; undefined for all of them. */
  readonly columns: readonly string[] | undefined;
  /** The orderBy columns, unquoted. */
  readonly orderBy: readonly string[];
  /** How many parameters the caller's query takes ($1 to $n); ours come after. */
  readonly paramCount: number;
}

/** The statements of one source. */
export interface KeysetStatements {
  /** How many of a page's columns, at the end, are the orderBy values as text. */
  readonly keyColumns: number;
  /**
   * A page: at most `$last` rows in order, after the offset when `after`, and no further than the
   * bound when `bounded`. Parameters: the caller's, then the offset's values (when `after`), then
   * the bound's (when `bounded`), then the page size.
   */
  page(after: boolean, bounded: boolean): string;
  /** The orderBy values, as text, of the last row there is now (none when there are no rows). Parameters: the caller's. */
  readonly last: string;
}

/** What the source reads from is called this in the statements. */
const ALIAS = 'sluice_source';

/** The statements that read `shape`. */
export function keysetStatements(shape: KeysetShape): KeysetStatements {
  const column = (name: string): string => `${ALIAS}.${quoteIdentifier(name)}`;
  const from = 'table' in shape.from ? `${shape.from.table} AS ${ALIAS}` : `(\n${shape.from.query}\n) AS ${ALIAS}`;
  const selected = shape.columns === undefined ? `${ALIAS}.*` : shape.columns.map(column).join(', ');
  const keys = shape.orderBy.map(column);
  const keyTexts = keys.map((key) => `(${key})::text`).join(', ');
  // A NULL has no place in the order (a row comparison with one is unknown), so such rows are never
  // read, whatever the offset: the same rows are read from the start as from any resume.
  const notNull = keys.map((key) => `${key} IS NOT NULL`);
  const keyList = keys.join(', ');
  const pageText = (after: boolean, bounded: boolean): string => {
    let parameter = shape.paramCount;
    const placeholders = (): string => keys.map(() => `$${++parameter}`).join(', ');
    const conditions = [...notNull];
    if (after) conditions.push(`(${keyList}) > (${placeholders()})`);
    if (bounded) conditions.push(`(${keyList}) <= (${placeholders()})`);
    return `SELECT ${selected}, ${keyTexts} FROM ${from} WHERE ${conditions.join(' AND ')} ORDER BY ${keyList} LIMIT $${++parameter}`;
  };
  // Indexed by after + 2 × bounded.
  const pages = [pageText(false, false), pageText(true, false), pageText(false, true), pageText(true, true)];
  const descending = keys.map((key) => `${key} DESC`).join(', ');
  return {
    keyColumns: keys.length,
    page: (after, bounded) => pages[(after ? 1 : 0) + (bounded ? 2 : 0)] as string,
    last: `SELECT ${keyTexts} FROM ${from} WHERE ${notNull.join(' AND ')} ORDER BY ${descending} LIMIT 1`,
  };
}
