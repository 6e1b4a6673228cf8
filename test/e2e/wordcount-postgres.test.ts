/**
 * The word count into PostgreSQL, from outside, exactly as the contract writes it:
 * `examples/wordcount.ts --input FILE --pg URL --table NAME [--checkpoint-dir DIR] [--partitions N]`.
 * The table holds the counts of an independent model; a kill -9 at a moment fast-check picks, then
 * the same command, changes nothing in the end; one more run says the job is already complete and
 * leaves every row as it was (the same row versions, not only the same values).
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { quoteIdentifier } from '../../src/postgres/index.js';
import { projectRoot } from '../docs/markdown.js';
import { wordcountModel } from '../helpers/wordcount-model.js';
import { pgUrl, tableName, testPool, withPostgres } from '../postgres/postgres-fixtures.js';

const exec = promisify(execFile);

function wordcount(...args: string[]) {
  return exec(process.execPath, ['--import', 'tsx', 'examples/wordcount.ts', ...args], { cwd: projectRoot, timeout: 120_000 });
}

/**
 * Runs the example with `args` and kills it with SIGKILL `afterMs` after it started, if it is still
 * running then; resolves with whether it was.
 */
async function killAfter(afterMs: number, ...args: string[]): Promise<boolean> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/wordcount.ts', ...args], { cwd: projectRoot, stdio: 'ignore' });
  const exited = once(child, 'exit');
  // The moment of the crash is the fault injected, not a wait for something to happen.
  await Promise.race([sleep(afterMs), exited]);
  child.kill('SIGKILL');
  const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  return signal === 'SIGKILL';
}

/** A text of `words` words over a skewed vocabulary, the same every time. */
function text(words: number): string {
  let seed = 7;
  const next = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const lines: string[] = [];
  for (let i = 0; i < words; i += 12) {
    const line: string[] = [];
    for (let j = 0; j < 12; j++) line.push(`w${Math.floor(next() ** 3 * 5_000)}${next() < 0.05 ? 'É' : ''}`);
    lines.push(line.join(next() < 0.5 ? ' ' : ', '));
  }
  return `${lines.join('\n')}\n`;
}

/** The model's counts, as rows, in byte order (the table is read back `COLLATE "C"`). */
function modelRows(input: string): { word: string; count: string }[] {
  return wordcountModel(input)
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { word: string; count: number })
    .map(({ word, count }) => ({ word, count: String(count) }))
    .sort((a, b) => Buffer.compare(Buffer.from(a.word), Buffer.from(b.word)));
}

/** The table's rows, by word, with their row versions. */
async function tableRows(table: string): Promise<{ word: string; count: string; version: string }[]> {
  const { rows } = await (
    await testPool()
  ).query(`SELECT word, count::text AS count, xmin::text AS version FROM ${quoteIdentifier(table)} ORDER BY word COLLATE "C"`);
  return rows as { word: string; count: string; version: string }[];
}

const withoutVersions = (rows: readonly { word: string; count: string }[]) => rows.map(({ word, count }) => ({ word, count }));

withPostgres('examples/wordcount.ts --pg', () => {
  let dir = '';
  let input = '';
  let expected: { word: string; count: string }[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-wordcount-pg-'));
    input = join(dir, 'input.txt');
    const content = text(600_000);
    await writeFile(input, content);
    expected = modelRows(content);
  });
  const jobs: string[] = [];
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    const pool = await testPool();
    for (const table of ['sluice_checkpoints', 'sluice_checkpoint_parts', 'sluice_commits', 'sluice_staged']) {
      await pool.query(`DELETE FROM ${table} WHERE job = ANY($1)`, [jobs]).catch(() => undefined);
    }
  });
  /** A fresh table for the word count, whose job's rows go when the file is done. */
  const countsTable = (label: string): string => {
    const table = tableName(label);
    jobs.push(`wordcount:${table}`);
    return table;
  };

  it('writes the counts into the table it creates, and a second run says the job is complete and changes nothing', async () => {
    const table = countsTable('Word Counts');
    await wordcount('--input', input, '--pg', pgUrl, '--table', table, '--partitions', '3');
    const first = await tableRows(table);
    expect(withoutVersions(first)).toEqual(expected);
    const { stderr } = await wordcount('--input', input, '--pg', pgUrl, '--table', table, '--partitions', '3');
    expect(stderr).toContain('already complete');
    expect(await tableRows(table)).toEqual(first);
  }, 120_000);

  it.each([
    ['its checkpoints in the database', false],
    ['its checkpoints in --checkpoint-dir', true],
  ])(
    'ends with the same table after kill -9 at any moment and the same command again, %s (property)',
    async (_label, inFolder) => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 2_500 }), fc.integer({ min: 1, max: 6 }), async (killAtMs, partitions) => {
          const table = tableName('wc_kill');
          const command = ['--input', input, '--pg', pgUrl, '--table', table, '--partitions', String(partitions), '--checkpoint-interval', '100'];
          if (inFolder) command.push('--checkpoint-dir', join(dir, table));
          await killAfter(killAtMs, ...command);
          await wordcount(...command);
          const resumed = await tableRows(table);
          expect(withoutVersions(resumed)).toEqual(expected);
          const { stderr } = await wordcount(...command);
          expect(stderr).toContain(`already complete`);
          expect(stderr).toContain(`table ${table} is left as it is`);
          expect(await tableRows(table)).toEqual(resumed);
        }),
        { numRuns: 3, seed: 2212 },
      );
    },
    300_000,
  );

  it('fails with a message naming the server, without its password, when nothing answers there', async () => {
    const failure = await wordcount('--input', input, '--pg', 'postgresql://root:s3cret@127.0.0.1:1/test', '--table', 't').then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toContain('root@127.0.0.1:1/test');
    expect(failure?.stderr).not.toContain('s3cret');
  }, 60_000);
});
