/**
 * The statements that write rows: one multi-row `INSERT … VALUES ($1, $2), ($3, $4), …` per batch
 * of rows (node-postgres sends every value as a parameter; none is ever written into the text),
 * with `ON CONFLICT (key) DO UPDATE` for upserts. A batch holds at most `batchRows` rows and never
 * more than the 65,535 parameters a statement may have. Full batches have the same text every
 * time, so they go as a named statement that the server plans once per connection.
 */
import { createHash } from 'node:crypto';
import { Packr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../../internal/msgpack-options.js';
import type { PostgresQueryConfig } from '../postgres-pool.js';
import { quoteIdentifier } from '../sql-names.js';

/** The most parameters PostgreSQL's protocol lets one statement have. */
const MAX_PARAMETERS = 65_535;

/** How rows meet rows already in the table. */
export type WriteMode = 'upsert' | 'insert';

/** What every statement of one sink shares. */
export interface RowTarget {
  /** The table, quoted. */
  readonly table: string;
  readonly columns: readonly string[];
  /** The key columns, a subset of `columns`; empty for inserts without a key. */
  readonly key: readonly string[];
  readonly mode: WriteMode;
  /** Rows per statement at most. */
  readonly batchRows: number;
}

/** Builds a target's statements; each text is built once per row count. */
export class RowStatements {
  readonly #target: RowTarget;
  readonly #rowsPerStatement: number;
  readonly #keyIndexes: readonly number[];
  readonly #head: string;
  readonly #tail: string;
  readonly #texts = new Map<number, string>();
  readonly #fullName: string;

  constructor(target: RowTarget) {
    this.#target = target;
    this.#rowsPerStatement = Math.max(1, Math.min(target.batchRows, Math.floor(MAX_PARAMETERS / target.columns.length)));
    this.#keyIndexes = target.key.map((column) => target.columns.indexOf(column));
    const quoted = target.columns.map(quoteIdentifier);
    this.#head = `INSERT INTO ${target.table} (${quoted.join(', ')}) VALUES `;
    this.#tail = conflictClause(target);
    const digest = createHash('sha256').update(this.#head).update(this.#tail).digest('hex').slice(0, 16);
    this.#fullName = `sluice_rows_${digest}_${this.#rowsPerStatement}`;
  }

  get mode(): WriteMode {
    return this.#target.mode;
  }

  /** The key columns. */
  get key(): readonly string[] {
    return this.#target.key;
  }

  /**
   * A statement that writes nothing but fails as a real one would when the table, a column or the
   * conflict target does not exist, or the user may not insert: a check to run at the start.
   */
  dryRun(): string {
    return `${this.#head.replace(/ VALUES $/, '')} SELECT ${this.#target.columns.map(() => 'NULL').join(', ')} WHERE false${this.#tail}`;
  }

  /** Rows per statement at most. */
  get rowsPerStatement(): number {
    return this.#rowsPerStatement;
  }

  /**
   * The statement that writes `rows` (at most {@link rowsPerStatement}), each an array of values in
   * the order of the columns.
   */
  statement(rows: readonly (readonly unknown[])[]): PostgresQueryConfig {
    const values: unknown[] = [];
    for (const row of rows) for (const value of row) values.push(value === undefined ? null : value);
    const text = this.#text(rows.length);
    return rows.length === this.#rowsPerStatement ? { name: this.#fullName, text, values } : { text, values };
  }

  /**
   * For an upsert, `rows` with only the last row of each key kept, in the order of those last rows:
   * one statement may not update the same row twice, and the last write of a key is the one that
   * counts. Other modes keep every row.
   */
  lastOfEachKey<TRow extends { readonly values: readonly unknown[] }>(rows: readonly TRow[]): readonly TRow[] {
    if (this.#target.mode !== 'upsert' || rows.length < 2) return rows;
    const last = new Map<string, number>();
    for (let i = 0; i < rows.length; i++) last.set(keyText((rows[i] as TRow).values, this.#keyIndexes), i);
    if (last.size === rows.length) return rows;
    return rows.filter((row, i) => last.get(keyText(row.values, this.#keyIndexes)) === i);
  }

  #text(rowCount: number): string {
    let text = this.#texts.get(rowCount);
    if (text === undefined) {
      const width = this.#target.columns.length;
      const tuples: string[] = [];
      for (let r = 0; r < rowCount; r++) {
        const params: string[] = [];
        for (let c = 1; c <= width; c++) params.push(`$${r * width + c}`);
        tuples.push(`(${params.join(', ')})`);
      }
      text = this.#head + tuples.join(', ') + this.#tail;
      // Only the full size and a few remainders recur; keep the cache from growing with odd sizes.
      if (this.#texts.size < 8 || rowCount === this.#rowsPerStatement) this.#texts.set(rowCount, text);
    }
    return text;
  }
}

function conflictClause({ mode, key, columns }: RowTarget): string {
  if (mode !== 'upsert') return '';
  const target = key.map(quoteIdentifier).join(', ');
  const others = columns.filter((column) => !key.includes(column)).map(quoteIdentifier);
  if (others.length === 0) return ` ON CONFLICT (${target}) DO NOTHING`;
  return ` ON CONFLICT (${target}) DO UPDATE SET ${others.map((column) => `${column} = EXCLUDED.${column}`).join(', ')}`;
}

const packr = new Packr(MSGPACK_OPTIONS);

/** A text that two key values share exactly when they are the same value. */
function keyText(values: readonly unknown[], indexes: readonly number[]): string {
  if (indexes.length === 1) {
    const value = values[indexes[0] as number];
    if (typeof value === 'string') return `s${value}`;
    if (typeof value === 'number') return `n${value}`;
  }
  return `m${packr.pack(indexes.map((i) => values[i] ?? null)).toString('latin1')}`;
}
