import { describe, expect, it } from 'vitest';
import { actorThroughputCase } from '../../../bench/cases/actor-throughput.js';
import { checksumsOfEveryImplementation, expectAllEqual } from '../fixtures.js';

describe('actorThroughputCase', () => {
  it('has every implementation, the eight kinds of actor (frozen states and not) included, reach the floor total', async () => {
    const totals = await checksumsOfEveryImplementation(actorThroughputCase);
    expect(totals.get('function-call loop')?.[0]).toBe(900_000);
    expectAllEqual(totals, 900_000);
    for (const impl of ['sluice, 8 actor kinds alive', 'sluice, 8 actor kinds alive, freezeState: false']) {
      expect(actorThroughputCase.implementations.find((row) => row.impl === impl)).toEqual({ impl, role: 'sluice', compareWith: ['sluice actor'] });
    }
  });
});
