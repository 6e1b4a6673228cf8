/**
 * Exactly-once across SIGKILL, from outside: a child running a checkpointed job is killed at a point
 * fast-check chooses — after K words, in the middle of a checkpoint, just before or after a sink
 * commit — then started again (with another partition count) and run to the end. The output file
 * holds every update exactly once, whatever the kill point; a failing one shrinks to the earliest.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../docs/markdown.js';
import { WORDS } from './checkpointed-words.js';

const exec = promisify(execFile);

function job(dir: string, partitions: number, kill?: string) {
  return exec(process.execPath, ['--import', 'tsx', 'test/e2e/checkpointed-job.ts', dir, String(partitions), ...(kill === undefined ? [] : [kill])], {
    cwd: projectRoot,
    timeout: 60_000,
  });
}

const killPoints = fc.oneof(
  fc.integer({ min: 1, max: WORDS.length }).map((k) => `record:${k}`),
  fc.integer({ min: 1, max: 8 }).map((n) => `precommit:${n}`),
  fc.tuple(fc.integer({ min: 1, max: 8 }), fc.constantFrom('before', 'after')).map(([n, when]) => `commit:${n}:${when}`),
);

describe('a checkpointed job killed with SIGKILL', () => {
  it('ends with the output of an uninterrupted run, wherever it was killed', async () => {
    const totals = new Map<string, number>();
    for (const word of WORDS) totals.set(word, (totals.get(word) ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(killPoints, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), async (kill, before, after) => {
        const dir = await mkdtemp(join(tmpdir(), 'sluice-kill-'));
        try {
          const killed = await job(dir, before, kill).then(
            () => 'finished',
            (error: { signal?: string }) => error.signal,
          );
          // A kill point past the job's last commit is never reached: the job just finishes.
          expect(['SIGKILL', 'finished']).toContain(killed);
          await job(dir, after);
          const perKey = new Map<string, number[]>();
          for (const line of (await readFile(join(dir, 'out.jsonl'), 'utf8')).split('\n')) {
            if (line === '') continue;
            const { key, value } = JSON.parse(line) as { key: string; value: number };
            perKey.set(key, [...(perKey.get(key) ?? []), value]);
          }
          expect(perKey.size).toBe(totals.size);
          for (const [key, total] of totals) expect(perKey.get(key)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 8 },
    );
  }, 240_000);
});
