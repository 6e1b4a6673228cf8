import { describe, expect, it } from 'vitest';
import { steadyAgainstCold } from '../../../bench/report/steady-vs-cold.js';
import { result } from '../fixtures.js';

describe('steadyAgainstCold', () => {
  it('says so when every Sluice row kept at least 0.9x its cold rate, peers and failures aside', () => {
    const rows = [
      result({ impl: 'sluice', role: 'sluice', opsPerSec: 9e6, coldOpsPerSec: 1e7 }),
      result({ impl: 'peer', role: 'peer', opsPerSec: 1e6, coldOpsPerSec: 5e6 }),
      result({ impl: 'broken', role: 'sluice', opsPerSec: null, coldOpsPerSec: null, error: 'boom' }),
    ];
    expect(steadyAgainstCold(rows)).toEqual(['Every Sluice row ran at least 0.9x its cold rate once warm (1 row).']);
  });

  it('names each Sluice row that ran slower once warm, with both rates', () => {
    const rows = [
      result({ impl: 'sluice', role: 'sluice', opsPerSec: 3.5e6, coldOpsPerSec: 1.2e7 }),
      result({ impl: 'sluice, 8 kinds', role: 'sluice', opsPerSec: 2e7, coldOpsPerSec: 6e6 }),
    ];
    expect(steadyAgainstCold(rows)).toEqual([
      '1 of 2 Sluice rows ran below 0.9x their cold rate once warm:',
      'sum / sluice: steady 3.50 M numbers/s, cold 12.00 M (0.29x)',
    ]);
  });
});
