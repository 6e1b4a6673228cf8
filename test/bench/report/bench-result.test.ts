import { describe, expect, it } from 'vitest';
import { judgeCase } from '../../../bench/report/bench-result.js';
import type { ChildReport } from '../../../bench/harness/child-protocol.js';
import { caseReport } from '../fixtures.js';

const sumCase = {
  name: 'sum',
  unit: 'numbers',
  implementations: [
    { impl: 'plain loop', role: 'floor' },
    { impl: 'peer', role: 'peer' },
    { impl: 'sluice', role: 'sluice' },
  ],
} as const;

function judge(reports: Record<string, ChildReport>) {
  const results = judgeCase(sumCase, new Map(Object.entries(reports)));
  return Object.fromEntries(results.map((result) => [result.impl, result]));
}

describe('judgeCase', () => {
  it('keeps the Sluice rows a row is compared with, for the ratio column', () => {
    const withCompare = { ...sumCase, implementations: [...sumCase.implementations, { impl: 'sluice 2', role: 'sluice', compareWith: ['sluice'] }] } as const;
    const reports = new Map(['plain loop', 'peer', 'sluice', 'sluice 2'].map((impl) => [impl, caseReport([42])] as const));
    const results = judgeCase(withCompare, reports);
    expect(results.map((result) => result.compareWith)).toEqual([undefined, undefined, undefined, ['sluice']]);
  });

  it('keeps what an implementation observed besides its rates, and has nothing for one that observed nothing', () => {
    const observations = { cold: { startMs: 900 }, runs: { startMs: [500, 600] } };
    const judged = judge({
      'plain loop': caseReport([42, 42]),
      peer: caseReport([42, 42]),
      sluice: { ...(caseReport([42, 42]) as Extract<ChildReport, { kind: 'case' }>), observations },
    });
    expect(judged['sluice']?.observations).toEqual(observations);
    expect(judged['peer']).not.toHaveProperty('observations');
  });

  it('reports the median rate of every implementation that reproduces the floor checksum', () => {
    const judged = judge({
      'plain loop': caseReport([42, 42, 42], [30, 10, 20]),
      peer: caseReport([42, 42], [1, 4]),
      sluice: caseReport([42], [5]),
    });
    expect(judged['plain loop']).toMatchObject({ opsPerSec: 20, checksum: 42, error: null, samples: [30, 10, 20], peakRssMb: 90 });
    expect(judged['peer']).toMatchObject({ opsPerSec: 2.5, error: null });
    expect(judged['sluice']).toMatchObject({ opsPerSec: 5, role: 'sluice', unit: 'numbers', operations: 1000, error: null });
  });

  it('turns a wrong checksum into a FAILURE with no rate, keeping its peak RSS', () => {
    const judged = judge({ 'plain loop': caseReport([42]), peer: caseReport([42]), sluice: caseReport([41]) });
    expect(judged['sluice']).toMatchObject({ opsPerSec: null, checksum: 41, peakRssMb: 90 });
    expect(judged['sluice']?.error).toMatch(/wrong answer: checksum 41, expected 42 from the floor \(plain loop\)/);
  });

  it('fails an implementation whose timed runs disagree, even when one run matches', () => {
    const judged = judge({ 'plain loop': caseReport([42]), peer: caseReport([42, 43]), sluice: caseReport([42]) });
    expect(judged['peer']).toMatchObject({ opsPerSec: null, error: 'runs disagree: checksums 42, 43' });
    expect(judged['sluice']?.error).toBeNull();
  });

  it('reports the cold rate beside the steady one, and fails a cold run that computed another answer', () => {
    const judged = judge({ 'plain loop': caseReport([42]), peer: caseReport([42, 42], undefined, 7), sluice: caseReport([42]) });
    expect(judged['sluice']).toMatchObject({ opsPerSec: 1000, coldOpsPerSec: 500, error: null });
    expect(judged['peer']).toMatchObject({ opsPerSec: null, coldOpsPerSec: null, error: 'runs disagree: checksums 42, 7' });
  });

  it('fails every row as unverified when the floor itself failed', () => {
    const judged = judge({ 'plain loop': { kind: 'error', message: 'boom' }, peer: caseReport([42]), sluice: caseReport([42]) });
    expect(judged['plain loop']).toMatchObject({ opsPerSec: null, error: 'boom' });
    expect(judged['peer']?.error).toMatch(/not verified: the floor \(plain loop\) has no checksum/);
    expect(judged['sluice']?.opsPerSec).toBeNull();
  });

  it('fails a child that crashed, one never run, and one with no timed runs', () => {
    const judged = judge({ 'plain loop': caseReport([42]), peer: { kind: 'error', message: 'child exited with code 1' }, sluice: caseReport([]) });
    expect(judged['peer']).toMatchObject({ opsPerSec: null, operations: null, error: 'child exited with code 1' });
    expect(judged['sluice']).toMatchObject({ opsPerSec: null, error: 'no timed runs' });
    expect(judgeCase(sumCase, new Map())[0]?.error).toBe('not run');
  });

  it('fails a report of the wrong kind', () => {
    const judged = judge({ 'plain loop': { kind: 'idle', peakRssMb: 80 } });
    expect(judged['plain loop']?.error).toMatch(/expected a case report, got a idle report/);
  });
});
