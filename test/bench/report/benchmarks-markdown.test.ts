import { describe, expect, it } from 'vitest';
import { describePlans, describeTurns, renderBenchmarks } from '../../../bench/report/benchmarks-markdown.js';
import { extractRun, type RecordedRun } from '../../../bench/report/recorded-run.js';
import { compareRuns } from '../../../bench/report/regression.js';
import { result } from '../fixtures.js';

const run: RecordedRun = {
  scale: 'quick',
  date: '2025-02-01T00:00:00.000Z',
  machine: { cpuModel: 'Test CPU', cores: 2, memoryGiB: 23.5, node: 'v20.1.0', platform: 'linux x64' },
  results: [
    result({ impl: 'plain loop', opsPerSec: 4e6 }),
    result({ impl: 'sluice', role: 'sluice', opsPerSec: 1e6 }),
    result({ impl: 'peer', role: 'peer', opsPerSec: null, coldOpsPerSec: null, error: 'wrong answer: checksum 1, expected 42' }),
  ],
};
const plans = new Map([['sum', { warmups: 2, runs: 3 }]]);

describe('describeTurns', () => {
  it('names the cases whose children took turns, and says nothing when none did', () => {
    expect(describeTurns([])).toBe('');
    expect(describeTurns(['cpu-heavy', 'wordcount'])).toBe(
      ' (for cpu-heavy, wordcount, the children alive together, taking turns run by run, so a slow spell of the host falls on every row alike)',
    );
    expect(renderBenchmarks({ run, plans, interleaved: ['sum'], idleRssMb: 93.4, probes: [] })).toContain(
      'each implementation in its own child process (for sum, the children',
    );
  });
});

describe('describePlans', () => {
  it('states the most common plan and names the cases that differ', () => {
    const mixed = new Map([
      ['a', { warmups: 3, runs: 7 }],
      ['b', { warmups: 1, runs: 3 }],
      ['c', { warmups: 3, runs: 7 }],
    ]);
    expect(describePlans(mixed)).toBe('median of 7 timed runs after 3 warm-ups (b: 3 after 1)');
    expect(describePlans(new Map([['a', { warmups: 1, runs: 1 }]]))).toBe('median of 1 timed run after 1 warm-up');
  });
});

describe('renderBenchmarks', () => {
  const markdown = renderBenchmarks({ run, plans, idleRssMb: 93.4, probes: ['a snapshot takes 0.01 ms'] });

  it('says how to rerun, on what machine, at what scale', () => {
    expect(markdown).toContain('npm run bench -- --markdown BENCHMARKS.md');
    expect(markdown).toContain('- CPU: Test CPU, 2 cores');
    expect(markdown).toContain('- memory: 23.5 GiB');
    expect(markdown).toContain('- Node: v20.1.0 (linux x64)');
    expect(markdown).toContain('- date: 2025-02-01T00:00:00.000Z');
    expect(markdown).toMatch(/- run: quick/);
    expect(markdown).toContain('median of 3 timed runs after 2 warm-ups');
    expect(markdown).toContain('- idle child: 93 MB peak RSS');
  });

  it('holds the table, its failures and the probes', () => {
    expect(markdown).toContain('| sum | sluice | 1,000 | 500.0 K numbers/s | 1.00 M numbers/s | 100 | 0.25x plain loop, n/a peer |');
    expect(markdown).toContain('| sum | peer | 1,000 |  | FAILURE | 100 |  |');
    expect(markdown).toContain('- FAILURE sum / peer: wrong answer: checksum 1, expected 42');
    expect(markdown).toContain('- a snapshot takes 0.01 ms');
  });

  it('lists what the cases found, and the cases skipped, before the probes', () => {
    const found = renderBenchmarks({ run, plans, idleRssMb: 93.4, findings: ['cluster: skipped, NATS does not answer'], probes: ['a snapshot takes 0.01 ms'] });
    expect(found).toContain('## Other measurements\n\n- cluster: skipped, NATS does not answer\n- a snapshot takes 0.01 ms\n');
    expect(renderBenchmarks({ run, plans, idleRssMb: 93.4, probes: [] })).toContain('## Other measurements\n\nNone in this run.\n');
  });

  it('records the run so that the next one can read it back', () => {
    expect(extractRun(markdown)?.results).toHaveLength(3);
    expect(markdown).toMatch(/nothing to compare with yet/);
  });

  it('calls out the regressions against the run it held before', () => {
    const previous = extractRun(markdown)!;
    const slower = { ...run, results: [run.results[0]!, { ...run.results[1]!, opsPerSec: 5e5 }, run.results[2]!] };
    const next = renderBenchmarks({
      run: slower,
      plans,
      idleRssMb: null,
      probes: [],
      previous: { run: previous, comparison: compareRuns(previous.results, slower.results) },
    });
    expect(next).toContain('- SLOWER sum / sluice: 1.00 M → 500.0 K numbers/s (-50.0%)');
    expect(next).toContain('- idle child: FAILURE');
    expect(next).toContain('None in this run.');
  });
});
