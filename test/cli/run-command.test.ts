/**
 * `sluice run` from outside: the word-count job run from its module alone writes the very bytes
 * the word-count program writes, on one thread or two and with checkpoints; a second run on a
 * completed job's checkpoint folder runs nothing and leaves the output alone; standard output is
 * the job's; a failed run exits 1 with one line; and SIGTERM, SIGINT and a second signal end the
 * run as the help says.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../docs/markdown.js';
import { sluice, startSluice } from './sluice.js';

const exec = promisify(execFile);
const JOB = 'examples/wordcount.job.ts';
const INPUT = 'examples/data/sluice-gate.txt';
const ENDLESS = 'test/cli/fixtures/endless.job.ts';
const COMPLETE = /^sluice run: job complete in \d+\.\d\d s \(27 records in, 165 out\)\n$/;

describe('sluice run', { timeout: 60_000 }, () => {
  let dir = '';
  let expected = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-cli-'));
    const reference = join(dir, 'reference.jsonl');
    await exec(process.execPath, ['--import', 'tsx', 'examples/wordcount.ts', '--input', INPUT, '--output', reference], { cwd: projectRoot });
    expected = await readFile(reference, 'utf8');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes what examples/wordcount.ts writes, on one thread and on two, with one line on stderr and nothing on stdout', async () => {
    for (const workers of [[], ['--workers', '2']]) {
      const output = join(dir, `counts${workers.length}.jsonl`);
      const ended = await sluice(['run', JOB, ...workers, '--', '--input', INPUT, '--output', output]);
      expect(ended).toMatchObject({ code: 0, stdout: '' });
      expect(ended.stderr).toMatch(COMPLETE);
      expect(await readFile(output, 'utf8'), workers.join(' ')).toBe(expected);
    }
  });

  it("leaves stdout to the job's sink", async () => {
    const ended = await sluice(['run', JOB, '--', '--input', INPUT]);
    expect(ended.code).toBe(0);
    expect(ended.stdout).toBe(expected);
    expect(ended.stderr).toMatch(COMPLETE);
  });

  it('runs with --checkpoint-dir, and a second run there finds the job complete, runs nothing and leaves the output as it was', async () => {
    const output = join(dir, 'checkpointed.jsonl');
    const checkpoints = join(dir, 'checkpoints');
    const args = ['run', JOB, '--checkpoint-dir', checkpoints, '--', '--input', INPUT, '--output', output];
    const first = await sluice(args);
    expect(first).toMatchObject({ code: 0, stdout: '' });
    expect(first.stderr).toMatch(COMPLETE);
    expect(await readFile(output, 'utf8')).toBe(expected);
    const written = (await stat(output)).mtimeMs;

    const again = await sluice(args);
    expect(again).toEqual({
      code: 0,
      signal: null,
      stdout: '',
      stderr: `sluice run: the job had already completed (checkpoint 1 in ${checkpoints}): nothing ran, and its output is as that run left it\n`,
    });
    expect(await readFile(output, 'utf8')).toBe(expected);
    expect((await stat(output)).mtimeMs).toBe(written);
  });

  it("exits 1 when the run fails, with the error's name and message on one line and no stack unless SLUICE_DEBUG is set", async () => {
    // The word count's sink refuses checkpoints when its result would go to standard output.
    const args = ['run', JOB, '--checkpoint-dir', join(dir, 'refused'), '--', '--input', INPUT];
    const [plain, debug] = await Promise.all([sluice(args), sluice(args, { SLUICE_DEBUG: '1' })]);
    expect(plain).toEqual({
      code: 1,
      signal: null,
      stdout: '',
      stderr: 'sluice run: InvalidOptionError: Expected `--output` to be a file when the job takes checkpoints, got `undefined`\n',
    });
    expect(debug.code).toBe(1);
    expect(debug.stderr).toMatch(/^sluice run: InvalidOptionError: Expected `--output` to be a file when the job takes checkpoints, got `undefined`\n {4}at /);
  });

  it('stops the run on SIGTERM, says so, and exits 143', async () => {
    const run = startSluice(['run', ENDLESS]);
    await run.stderrLine('endless: started');
    run.child.kill('SIGTERM');
    const ended = await run.ended;
    expect(ended.code).toBe(143);
    expect(ended.stderr).toMatch(/^endless: started\nsluice run: stopped by SIGTERM after \d+\.\d\d s \(\d+ records in, \d+ out\)\n$/);
  });

  it('exits 130 at once on a second SIGINT while the run is still stopping after the first', async () => {
    const run = startSluice(['run', ENDLESS, '--', '--hold']);
    await run.stderrLine('endless: started');
    run.child.kill('SIGINT');
    // The sink holds the stop open (for ten minutes); only the second signal ends the process.
    await run.stderrLine('endless: holding');
    run.child.kill('SIGINT');
    const ended = await run.ended;
    expect(ended).toEqual({ code: 130, signal: null, stdout: '', stderr: 'endless: started\nendless: holding\n' });
  });
});
