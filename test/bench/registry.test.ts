import { describe, expect, it } from 'vitest';
import { CASES, findCase, findProbe, PROBES } from '../../bench/registry.js';

describe('CASES', () => {
  it('has unique names, so a child finds the case it was told', () => {
    const names = CASES.map((benchCase) => benchCase.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(findCase(name).name).toBe(name);
  });

  it('has a Sluice implementation in every case, to compare with the floor', () => {
    for (const benchCase of CASES) expect(benchCase.implementations.some((implementation) => implementation.role === 'sluice')).toBe(true);
  });

  it('keeps the cases of the published table', () => {
    expect(CASES.map((benchCase) => benchCase.name)).toEqual([
      'actor-throughput',
      'state-update',
      'keyed-state',
      'keyed-actor-uniform',
      'keyed-actor-zipf',
      'wordcount',
      'memory-bound-1x',
      'memory-bound-10x',
    ]);
  });
});

describe('PROBES', () => {
  it('belong only to cases that exist', () => {
    for (const probe of PROBES) {
      expect(findProbe(probe.name)).toBe(probe);
      for (const name of probe.cases) expect(() => findCase(name)).not.toThrow();
    }
  });
});

describe('findCase', () => {
  it('throws for an unknown name', () => {
    expect(() => findCase('nope')).toThrow(/No benchmark case named `nope`/);
    expect(() => findProbe('nope')).toThrow(/No benchmark probe named `nope`/);
  });
});
