import { describe, expect, it } from 'vitest';
import { failureLines, formatRate, ratios, resultTable } from '../../../bench/report/result-table.js';
import { result } from '../fixtures.js';

const floor = result({ impl: 'plain loop', role: 'floor', opsPerSec: 4e6 });
const peer = result({ impl: 'streams', role: 'peer', opsPerSec: 1e6 });
const sluice = result({ impl: 'sluice', role: 'sluice', opsPerSec: 2e6 });
const other = result({ case: 'other', impl: 'plain loop', role: 'floor', opsPerSec: 1 });

describe('formatRate', () => {
  it.each([
    [9_170_000, '9.17 M'],
    [611_400, '611.4 K'],
    [950.4, '950'],
  ])('formats %d as %s', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });
});

describe('ratios', () => {
  it("divides a Sluice row's rate by the floor's and each peer's in the same case only", () => {
    expect(ratios(sluice, [floor, peer, sluice, other])).toBe('0.50x plain loop, 2.00x streams');
  });

  it('keeps two significant digits of a ratio below 0.1', () => {
    expect(ratios({ ...sluice, opsPerSec: 12_345 }, [floor, sluice])).toBe('0.0031x plain loop');
  });

  it('is empty for floor and peer rows, and for a failed Sluice row', () => {
    expect(ratios(floor, [floor, sluice])).toBe('');
    expect(ratios(peer, [floor, peer, sluice])).toBe('');
    expect(ratios({ ...sluice, opsPerSec: null }, [floor, sluice])).toBe('');
  });

  it('divides by another Sluice row only when the row names it in compareWith', () => {
    const checkpointed = result({ impl: 'sluice, checkpoints', role: 'sluice', opsPerSec: 1.5e6, compareWith: ['sluice'] });
    expect(ratios(checkpointed, [floor, sluice, checkpointed])).toBe('0.38x plain loop, 0.75x sluice');
    expect(ratios(sluice, [floor, sluice, checkpointed])).toBe('0.50x plain loop');
  });

  it('says n/a for a peer that failed rather than dividing by nothing', () => {
    expect(ratios(sluice, [floor, { ...peer, opsPerSec: null, error: 'boom' }, sluice])).toBe('0.50x plain loop, n/a streams');
  });
});

describe('resultTable', () => {
  it('has one row per result with operations, cold and steady rates, peak RSS and ratios', () => {
    const [header, ...rows] = resultTable([floor, { ...sluice, coldOpsPerSec: 1.5e6 }]);
    expect(header).toEqual(['case', 'implementation', 'ops/run', 'cold rate', 'median rate', 'peak RSS (MB)', 'Sluice vs peers']);
    expect(rows).toEqual([
      ['sum', 'plain loop', '1,000', '500.0 K numbers/s', '4.00 M numbers/s', '100', ''],
      ['sum', 'sluice', '1,000', '1.50 M numbers/s', '2.00 M numbers/s', '100', '0.50x plain loop'],
    ]);
  });

  it('shows a FAILURE as the word, never as a number', () => {
    const failed = { ...sluice, opsPerSec: null, coldOpsPerSec: null, operations: null, peakRssMb: null, error: 'wrong answer' };
    expect(resultTable([floor, failed])[2]).toEqual(['sum', 'sluice', '', '', 'FAILURE', '', '']);
  });
});

describe('failureLines', () => {
  it('names each failed row and says why', () => {
    expect(failureLines([floor, { ...sluice, opsPerSec: null, error: 'wrong answer' }])).toEqual(['FAILURE sum / sluice: wrong answer']);
    expect(failureLines([floor, sluice])).toEqual([]);
  });
});
