import { describe, expect, it } from 'vitest';
import { SLUICE_QUERIES } from '../../bench/nexmark/cases.js';
import { CASE_NAMES, loadCase, loadCases, loadProbe, loadProbes, PROBE_NAMES } from '../../bench/registry.js';

describe('loadCases', () => {
  it('loads every case under the name it is registered by, each name once', async () => {
    const cases = await loadCases();
    expect(cases.map((benchCase) => benchCase.name)).toEqual(CASE_NAMES);
    expect(new Set(CASE_NAMES).size).toBe(CASE_NAMES.length);
  });

  it('keeps the cases of the published table, in order', () => {
    expect(CASE_NAMES).toEqual([
      'actor-throughput',
      'actor-spawn',
      'actor-idle-memory',
      'actor-million',
      'state-update',
      'keyed-state',
      'keyed-actor-uniform',
      'keyed-actor-zipf',
      'wordcount-records',
      'wordcount',
      'ingest',
      'cpu-heavy',
      'cluster',
      'memory-bound-1x',
      'memory-bound-10x',
      'checkpoint-overhead',
      'postgres-insert',
      'postgres-upsert',
      'nexmark-q0',
      'nexmark-q1',
      'nexmark-q2',
      'nexmark-q3',
      'nexmark-q5',
      'nexmark-q7',
      'nexmark-q8',
    ]);
  });

  it('has a case for every query Sluice has a Nexmark pipeline for', () => {
    expect(CASE_NAMES.filter((name) => name.startsWith('nexmark-'))).toEqual(SLUICE_QUERIES.map((query) => `nexmark-${query}`));
  });

  it('has a Sluice implementation in every case, to compare with the floor', async () => {
    for (const benchCase of await loadCases()) {
      expect(benchCase.implementations.some((implementation) => implementation.role === 'sluice')).toBe(true);
    }
  });
});

describe('loadCase', () => {
  it('loads one case by name, and throws for an unknown one', async () => {
    expect((await loadCase('wordcount')).name).toBe('wordcount');
    await expect(loadCase('nope')).rejects.toThrow(/No benchmark case named `nope`/);
  });
});

describe('loadProbes', () => {
  it('loads every probe under its name, each belonging only to cases that exist', async () => {
    for (const probe of await loadProbes()) {
      expect((await loadProbe(probe.name)).name).toBe(probe.name);
      for (const name of probe.cases) expect(CASE_NAMES).toContain(name);
    }
    await expect(loadProbe('nope')).rejects.toThrow(/No benchmark probe named `nope`/);
  });

  it('lists the probes by name without loading them, none sharing a name with a case', async () => {
    expect((await loadProbes()).map((probe) => probe.name)).toEqual(PROBE_NAMES);
    expect(PROBE_NAMES).toContain('http-fairness');
    for (const name of PROBE_NAMES) expect(CASE_NAMES).not.toContain(name);
  });
});
