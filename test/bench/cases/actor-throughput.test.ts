import { describe, expect, it } from 'vitest';
import { actorThroughputCase } from '../../../bench/cases/actor-throughput.js';
import { checksumsOfEveryImplementation, expectAllEqual } from '../fixtures.js';

describe('actorThroughputCase', () => {
  it('has every implementation, the eight kinds of actor included, reach the floor total', async () => {
    const totals = await checksumsOfEveryImplementation(actorThroughputCase);
    expect(totals.get('function-call loop')?.[0]).toBe(900_000);
    expectAllEqual(totals, 900_000);
    expect(actorThroughputCase.implementations.find(({ impl }) => impl === 'sluice, 8 actor kinds alive')).toEqual({
      impl: 'sluice, 8 actor kinds alive',
      role: 'sluice',
      compareWith: ['sluice actor'],
    });
  });
});
