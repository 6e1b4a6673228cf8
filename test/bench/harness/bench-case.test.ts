import { describe, expect, it } from 'vitest';
import { defineCase, DEFAULT_PLANS, type ImplementationSpec } from '../../../bench/harness/bench-case.js';

const loop: ImplementationSpec<number[]> = { impl: 'plain loop', role: 'floor', create: (numbers) => ({ run: () => numbers.length }) };
const sluice: ImplementationSpec<number[]> = { impl: 'sluice', role: 'sluice', create: (numbers) => ({ run: () => numbers.length }) };

function spec(implementations: readonly ImplementationSpec<number[]>[]) {
  return {
    name: 'sum',
    unit: 'numbers',
    input: (scale: 'quick' | 'full') => Array.from({ length: scale === 'quick' ? 3 : 10 }, (_, i) => i),
    operations: (numbers: number[]) => numbers.length,
    implementations,
  };
}

describe('defineCase', () => {
  it('lists implementation names and roles without building the input', () => {
    let built = 0;
    const benchCase = defineCase({ ...spec([loop, sluice]), input: () => (built++, []) });
    expect(benchCase.implementations).toEqual([
      { impl: 'plain loop', role: 'floor' },
      { impl: 'sluice', role: 'sluice' },
    ]);
    expect(built).toBe(0);
  });

  it('throws for a case without a floor, or with two', () => {
    expect(() => defineCase(spec([sluice]))).toThrow(/exactly one floor implementation, got 0/);
    expect(() => defineCase(spec([loop, { ...loop, impl: 'other loop' }]))).toThrow(/exactly one floor implementation, got 2/);
  });

  it('throws for two implementations of one name', () => {
    expect(() => defineCase(spec([loop, sluice, { ...sluice }]))).toThrow(/two implementations named `sluice`/);
  });

  describe('compareWith', () => {
    const checkpointed = { ...sluice, impl: 'sluice, checkpoints', compareWith: ['sluice'] };

    it('passes the Sluice implementations a row is also compared with on to the parent', () => {
      expect(defineCase(spec([loop, sluice, checkpointed])).implementations).toEqual([
        { impl: 'plain loop', role: 'floor' },
        { impl: 'sluice', role: 'sluice' },
        { impl: 'sluice, checkpoints', role: 'sluice', compareWith: ['sluice'] },
      ]);
    });

    it('throws for a name that is not another Sluice implementation of the case', () => {
      expect(() => defineCase(spec([loop, sluice, { ...checkpointed, compareWith: ['nope'] }]))).toThrow(
        /`compareWith` of `sluice, checkpoints` in case `sum` to name another Sluice implementation, got `nope`/,
      );
      expect(() => defineCase(spec([loop, sluice, { ...checkpointed, compareWith: ['plain loop'] }]))).toThrow(/got `plain loop`/);
      expect(() => defineCase(spec([loop, { ...sluice, compareWith: ['sluice'] }]))).toThrow(/got `sluice`/);
    });
  });

  describe('load', () => {
    it('builds the input at the scale asked for and the named runner over it', async () => {
      const loaded = defineCase(spec([loop, sluice])).load('sluice', 'quick');
      expect(loaded.operations).toBe(3);
      expect(await loaded.runner.run()).toBe(3);
    });

    it('throws naming the implementations there are, for an unknown one', () => {
      expect(() => defineCase(spec([loop, sluice])).load('nope', 'quick')).toThrow(/no implementation `nope`; it has: plain loop, sluice/);
    });
  });

  describe('plan', () => {
    it('is the default plan unless the case gives its own', () => {
      expect(defineCase(spec([loop])).plan('full')).toEqual(DEFAULT_PLANS.full);
      const own = { quick: { warmups: 0, runs: 1 }, full: { warmups: 1, runs: 2 } };
      expect(defineCase({ ...spec([loop]), plans: own }).plan('quick')).toEqual({ warmups: 0, runs: 1 });
    });
  });

  describe('unavailable', () => {
    it('is undefined for a case that needs nothing, and the case’s reason otherwise', async () => {
      expect(await defineCase(spec([loop])).unavailable()).toBeUndefined();
      const needy = defineCase({ ...spec([loop]), unavailable: async () => 'the service does not answer' });
      expect(await needy.unavailable()).toBe('the service does not answer');
    });
  });

  describe('findings', () => {
    const rows = [{ impl: 'plain loop', operations: 3, opsPerSec: 30, samples: [30] }];

    it('is empty for a case that has nothing to add, and what the case makes of its rows otherwise', () => {
      expect(defineCase(spec([loop])).findings(rows)).toEqual([]);
      const finding = defineCase({ ...spec([loop]), findings: (judged) => judged.map((row) => `${row.impl}: ${1e6 / (row.opsPerSec ?? 1)} µs`) });
      expect(finding.findings(rows)).toEqual(['plain loop: 33333.333333333336 µs']);
    });
  });

  it('runs its children one after another unless it says they take turns', () => {
    expect(defineCase(spec([loop, sluice])).interleaved).toBe(false);
    expect(defineCase({ ...spec([loop, sluice]), interleaved: true }).interleaved).toBe(true);
  });
});
