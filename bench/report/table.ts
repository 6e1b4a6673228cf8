/**
 * Tables of text cells, rendered for a terminal (padded columns) or for Markdown (pipes). The first
 * row is the header; every row has as many cells as the header.
 */

/** A header row followed by body rows. */
export type Table = readonly (readonly string[])[];

/**
 * Pads every column to its widest cell, with a dashed rule under the header.
 *
 * @example
 * ```ts
 * renderTextTable([['case', 'ops/s'], ['wordcount', '1.8 M']]);
 * // case       ops/s
 * // ---------  -----
 * // wordcount  1.8 M
 * ```
 */
export function renderTextTable(table: Table): string {
  const [header, ...body] = table;
  if (header === undefined) return '';
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...body.map(line)].join('\n');
}

/**
 * A GitHub-flavoured Markdown table; pipes inside cells are escaped.
 *
 * @example
 * ```ts
 * renderMarkdownTable([['case', 'ops/s'], ['wordcount', '1.8 M']]);
 * // | case | ops/s |
 * // | --- | --- |
 * // | wordcount | 1.8 M |
 * ```
 */
export function renderMarkdownTable(table: Table): string {
  const [header, ...body] = table;
  if (header === undefined) return '';
  const line = (row: readonly string[]): string => `| ${row.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}
