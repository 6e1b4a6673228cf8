/**
 * Canonical order and checksums for query outputs. A streaming engine may emit a query's rows in
 * any order (partitions run concurrently), so outputs are compared as arrays sorted by every field
 * of the row, and checksummed with an order-independent sum of row hashes.
 */

/** A row of a query's output: named numbers and strings. */
export type Row = { readonly [field: string]: number | string };

/**
 * The fields of `TRow` in comparison order: listing all of them makes the order total, so equal
 * multisets of rows sort to equal arrays.
 */
export type FieldOrder<TRow> = readonly (keyof TRow & string)[];

/**
 * Compares two rows field by field (numbers numerically, strings by code unit).
 * @example
 * ```ts
 * [{ a: 2 }, { a: 1 }].sort((x, y) => compareRows(x, y, ['a'])); // [{ a: 1 }, { a: 2 }]
 * ```
 */
export function compareRows<TRow>(a: TRow, b: TRow, fields: FieldOrder<TRow>): number {
  for (const field of fields) {
    const x = a[field] as number | string;
    const y = b[field] as number | string;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

/** A sorted copy of `rows` in the canonical order `fields` defines. */
export function canonical<TRow>(rows: readonly TRow[], fields: FieldOrder<TRow>): TRow[] {
  return [...rows].sort((a, b) => compareRows(a, b, fields));
}

/**
 * An order-independent checksum of `rows` over `fields`: the sum, modulo 2^32, of each row's
 * {@link rowHash}. Cheap enough to run on a million rows; equal for equal multisets of rows.
 */
export function checksum<TRow>(rows: readonly TRow[], fields: FieldOrder<TRow>): number {
  let sum = 0;
  for (const row of rows) sum = (sum + rowHash(row, fields)) % 4294967296;
  return sum;
}

/** A 32-bit FNV-1a-style hash of `row`'s `fields`, as an unsigned integer. */
export function rowHash<TRow>(row: TRow, fields: FieldOrder<TRow>): number {
  let h = 0x811c9dc5;
  for (const field of fields) h = mix(h, row[field] as number | string);
  return h >>> 0;
}

function mix(h: number, value: number | string): number {
  if (typeof value === 'number') {
    // Both 32-bit halves, so that large times and ids differ in their hash.
    h = Math.imul(h ^ (value | 0), 0x01000193);
    return Math.imul(h ^ Math.floor(value / 4294967296), 0x01000193);
  }
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ value.length, 0x01000193);
}
