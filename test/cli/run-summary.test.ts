import { describe, expect, it } from 'vitest';
import { runSummary } from '../../src/cli/run-summary.js';
import type { PipelineResult } from '../../src/index.js';

const completed: PipelineResult = {
  recordsRead: 27,
  recordsWritten: 165,
  deadLetters: 0,
  lateRecords: 0,
  stopped: false,
  durationMs: 1234,
  resumedFrom: undefined,
  skippedCheckpoints: [],
  alreadyComplete: false,
  checkpoints: 0,
};
const quietly = { signal: undefined, checkpointDir: undefined };

describe('runSummary', () => {
  it('says a completed run took how long, and what went in and out', () => {
    expect(runSummary(completed, quietly)).toBe('job complete in 1.23 s (27 records in, 165 out)');
  });

  it('adds dead letters and the checkpoint the run resumed from, when there were any', () => {
    expect(runSummary({ ...completed, deadLetters: 2, resumedFrom: 4, checkpoints: 1 }, { signal: undefined, checkpointDir: 'ck' })).toBe(
      'job complete in 1.23 s (27 records in, 165 out, 2 dead letters, resumed from checkpoint 4)',
    );
  });

  it('says a job that had completed before did not run again', () => {
    expect(
      runSummary({ ...completed, recordsRead: 0, recordsWritten: 0, alreadyComplete: true, resumedFrom: 3 }, { signal: undefined, checkpointDir: 'ck' }),
    ).toBe('the job had already completed (checkpoint 3 in ck): nothing ran, and its output is as that run left it');
  });

  it('says which signal stopped a run, and, with checkpoints, that the same command goes on', () => {
    const stopped = { ...completed, stopped: true };
    expect(runSummary(stopped, { signal: 'SIGTERM', checkpointDir: undefined })).toBe('stopped by SIGTERM after 1.23 s (27 records in, 165 out)');
    expect(runSummary(stopped, { signal: 'SIGINT', checkpointDir: 'ck' })).toBe(
      'stopped by SIGINT after 1.23 s (27 records in, 165 out); the same command goes on from the last checkpoint in ck',
    );
  });
});
