/**
 * Children that take turns: the parent waits until every child has loaded, then lets one run at a
 * time, each round in a rotated order, until all have reported; a child that fails leaves the
 * rotation without holding the others back.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChildReport } from '../../../bench/harness/child-protocol.js';
import type { BenchChild, ChildMessage } from '../../../bench/harness/run-in-child.js';
import { takeTurns } from '../../../bench/harness/run-in-turns.js';

/** How a fake child behaves: its runs, and whether it fails while loading or after some runs. */
interface Script {
  readonly runs: number;
  /** Fails (an error report) instead of asking for turn number `failAt` (0: while loading). */
  readonly failAt?: number | undefined;
}

/** What the fake children did, shared so a test can check that no two ran at once. */
interface Stage {
  running: number | undefined;
  readonly grants: number[];
  loaded: number;
}

function fakeChild(index: number, script: Script, stage: Stage, count: number): BenchChild {
  let asked = 0;
  let granted = 0;
  const report: ChildReport = { kind: 'case', operations: 1, rates: [index], checksums: [index], coldRate: 1, coldChecksum: index, peakRssMb: 1 };
  const failure: ChildReport = { kind: 'error', message: `child ${index} failed` };
  return {
    grant() {
      if (stage.running !== undefined) throw new Error(`child ${index} granted while child ${stage.running} runs`);
      if (stage.loaded < count) throw new Error(`child ${index} granted before every child loaded`);
      if (granted !== asked - 1) throw new Error(`child ${index} granted without asking`);
      granted++;
      stage.running = index;
      stage.grants.push(index);
    },
    async next(): Promise<ChildMessage> {
      // A child's messages come on later turns of the event loop, as over IPC.
      await new Promise((resolve) => setImmediate(resolve));
      if (stage.running === index) stage.running = undefined;
      if (asked === 0) stage.loaded++;
      if (script.failAt === asked) {
        asked = Infinity;
        return failure;
      }
      if (asked >= script.runs) return report;
      asked++;
      return { kind: 'turn' };
    },
  };
}

const scripts = fc.array(fc.record({ runs: fc.integer({ min: 0, max: 6 }), failAt: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }) }), {
  minLength: 1,
  maxLength: 5,
});

describe('takeTurns', () => {
  it('runs one child at a time, only once all have loaded, each as many runs as it asks for, and reports in the children’s order', async () => {
    await fc.assert(
      fc.asyncProperty(scripts, async (drawn) => {
        const stage: Stage = { running: undefined, grants: [], loaded: 0 };
        const reports = await takeTurns(
          drawn.map((script, index) => fakeChild(index, script, stage, drawn.length)),
          1_000,
        );
        drawn.forEach((script, index) => {
          const fails = script.failAt !== undefined && script.failAt <= script.runs;
          const turns = fails ? (script.failAt as number) : script.runs;
          expect(stage.grants.filter((granted) => granted === index)).toHaveLength(turns);
          expect(reports[index]).toEqual(
            fails ? { kind: 'error', message: `child ${index} failed` } : expect.objectContaining({ kind: 'case', checksums: [index] }),
          );
        });
        expect(stage.running).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it('rotates the order round by round, so no child always runs first', async () => {
    const stage: Stage = { running: undefined, grants: [], loaded: 0 };
    await takeTurns(
      [0, 1, 2].map((index) => fakeChild(index, { runs: 3 }, stage, 3)),
      1_000,
    );
    expect(stage.grants).toEqual([0, 1, 2, 1, 2, 0, 2, 0, 1]);
  });

  it('keeps rotating among the children still running once one has finished', async () => {
    const stage: Stage = { running: undefined, grants: [], loaded: 0 };
    await takeTurns(
      [{ runs: 1 }, { runs: 3 }, { runs: 3 }].map((script, index) => fakeChild(index, script, stage, 3)),
      1_000,
    );
    // Round 0: 0, 1, 2 (child 0 then reports); round 1 over [1, 2] starts at 1; round 2 at 2.
    expect(stage.grants).toEqual([0, 1, 2, 2, 1, 1, 2]);
  });
});
