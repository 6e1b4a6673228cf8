import { describe, expect, it } from 'vitest';
import { actorThroughputCase } from '../../../bench/cases/actor-throughput.js';
import { measure } from '../../../bench/harness/measure.js';

describe('actorThroughputCase', () => {
  it('has every implementation, the eight kinds of actor included, reach the floor total', async () => {
    const totals = new Map<string, number[]>();
    for (const { impl } of actorThroughputCase.implementations) {
      const { operations, runner } = actorThroughputCase.load(impl, 'quick');
      const measured = await measure(runner, operations, { warmups: 0, runs: 1 });
      totals.set(impl, [measured.coldChecksum, ...measured.checksums]);
    }
    const floor = totals.get('function-call loop')?.[0];
    expect(floor).toBe(900_000);
    for (const [impl, sums] of totals) expect({ impl, sums }).toEqual({ impl, sums: sums.map(() => floor) });
    expect(actorThroughputCase.implementations.find(({ impl }) => impl === 'sluice, 8 actor kinds alive')).toEqual({
      impl: 'sluice, 8 actor kinds alive',
      role: 'sluice',
      compareWith: ['sluice actor'],
    });
  });
});
