import { describe, expect, it } from 'vitest';
import { renderMarkdownTable, renderTextTable } from '../../../bench/report/table.js';

describe('renderTextTable', () => {
  it('pads every column to its widest cell and rules off the header', () => {
    expect(
      renderTextTable([
        ['case', 'ops/s'],
        ['wordcount', '1.8 M'],
      ]),
    ).toBe(['case       ops/s', '---------  -----', 'wordcount  1.8 M'].join('\n'));
  });

  it('trims trailing spaces left by an empty last cell', () => {
    expect(
      renderTextTable([
        ['a', 'b'],
        ['x', ''],
      ]).split('\n')[2],
    ).toBe('x');
  });

  it('renders nothing for no rows', () => {
    expect(renderTextTable([])).toBe('');
  });
});

describe('renderMarkdownTable', () => {
  it('renders a header, a separator and one line per row', () => {
    expect(
      renderMarkdownTable([
        ['case', 'ops/s'],
        ['wordcount', '1.8 M'],
      ]),
    ).toBe(['| case | ops/s |', '| --- | --- |', '| wordcount | 1.8 M |'].join('\n'));
  });

  it('escapes pipes inside cells', () => {
    expect(renderMarkdownTable([['a'], ['x|y']]).split('\n')[2]).toBe('| x\\|y |');
  });
});
