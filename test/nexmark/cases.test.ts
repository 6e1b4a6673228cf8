import { describe, expect, it } from 'vitest';
import { SLUICE_QUERIES, nexmarkCase } from '../../bench/nexmark/cases.js';
import { generate } from '../../bench/nexmark/generator.js';

const events = generate(0, 5000);

describe('nexmarkCase', () => {
  it.each(SLUICE_QUERIES)('runs %s by every implementation to the same checksum', async (query) => {
    const benchCase = nexmarkCase(query, events, { partitions: 2, stream: {} });
    expect(benchCase).toMatchObject({ name: `nexmark-${query}`, unit: 'events', operations: 5000 });
    expect(benchCase.implementations.map((implementation) => implementation.impl)).toHaveLength(3);
    const checksums = await Promise.all(benchCase.implementations.map((implementation) => implementation.run()));
    expect(new Set(checksums).size).toBe(1);
    const rows = await benchCase.implementations[1]!.execute();
    expect(rows.length).toBeGreaterThan(0);
    expect(benchCase.checksum(rows)).toBe(checksums[0]);
  });

  it('has a Sluice run over the generating source only when told how the events were generated', () => {
    expect(nexmarkCase('q1', events).implementations.map((implementation) => implementation.impl)).toEqual(['plain loop (model)', 'sluice pipeline']);
  });

  it('tells a wrong answer apart: the checksum changes with the events', async () => {
    const other = nexmarkCase('q1', generate(0, 5000, { seed: 1 }));
    expect(await other.implementations[0]!.run()).not.toBe(await nexmarkCase('q1', events).implementations[0]!.run());
  });
});
