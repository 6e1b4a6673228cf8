import { describe, expect, it } from 'vitest';
import { selectCases, selectProbes } from '../../../bench/harness/selection.js';

const cases = [{ name: 'keyed-state' }, { name: 'keyed-actor-uniform' }, { name: 'keyed-actor-zipf' }, { name: 'wordcount' }];
const probes = [
  { name: 'restore', cases: ['keyed-state'] },
  { name: 'pause', cases: ['keyed-actor-uniform', 'keyed-actor-zipf'] },
  { name: 'http-fairness', cases: [] },
];
const names = (selected: readonly { name: string }[]): string[] => selected.map((item) => item.name);

describe('selectCases', () => {
  it('selects every case without a name', () => {
    expect(names(selectCases(cases, undefined))).toEqual(names(cases));
  });

  it('selects the case of that exact name', () => {
    expect(names(selectCases(cases, 'keyed-actor-zipf'))).toEqual(['keyed-actor-zipf']);
  });

  it('selects a family by its prefix, but not by a partial word', () => {
    expect(names(selectCases(cases, 'keyed-actor'))).toEqual(['keyed-actor-uniform', 'keyed-actor-zipf']);
    expect(names(selectCases(cases, 'keyed'))).toEqual(['keyed-state', 'keyed-actor-uniform', 'keyed-actor-zipf']);
    expect(selectCases(cases, 'word')).toEqual([]);
  });

  it('selects nothing for an unknown name', () => {
    expect(selectCases(cases, 'nope')).toEqual([]);
  });
});

describe('selectProbes', () => {
  it('selects the probes of any selected case, once each', () => {
    expect(names(selectProbes(probes, [{ name: 'keyed-actor-zipf' }], 'keyed-actor-zipf'))).toEqual(['pause']);
    expect(names(selectProbes(probes, selectCases(cases, 'keyed'), 'keyed'))).toEqual(['restore', 'pause']);
    expect(selectProbes(probes, [{ name: 'wordcount' }], 'wordcount')).toEqual([]);
  });

  it('selects every probe, those of no case too, without a name', () => {
    expect(names(selectProbes(probes, cases, undefined))).toEqual(['restore', 'pause', 'http-fairness']);
  });

  it('selects a probe by its exact name alone, and never by a prefix', () => {
    expect(names(selectProbes(probes, selectCases(cases, 'http-fairness'), 'http-fairness'))).toEqual(['http-fairness']);
    expect(selectProbes(probes, selectCases(cases, 'http'), 'http')).toEqual([]);
  });
});
