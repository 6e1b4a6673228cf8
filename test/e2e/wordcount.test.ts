/**
 * The word-count contract, from outside: the command line, the output format and order, stderr
 * for everything else, and output that crashes, partition counts and thread counts do not change;
 * and the job module's arguments, as a host reads them from its command line.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, readFile, rm, watch, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/index.js';
import { parseWordcountArgs } from '../../examples/wordcount.job.js';
import { codeBlocks, projectRoot, readProjectFile } from '../docs/markdown.js';
import { wordcountModel as model } from '../helpers/wordcount-model.js';

const exec = promisify(execFile);
const INPUT = 'examples/data/sluice-gate.txt';

function wordcount(...args: string[]) {
  return exec(process.execPath, ['--import', 'tsx', 'examples/wordcount.ts', ...args], { cwd: projectRoot, timeout: 60_000 });
}

/** How a run that should fail failed: its exit code and stderr (undefined when it succeeded). */
function failureOf(...args: string[]): Promise<{ code: number; stderr: string } | undefined> {
  return wordcount(...args).then(
    () => undefined,
    (error: { code: number; stderr: string }) => error,
  );
}

/**
 * Runs the example with `args` (which hold `--checkpoint-dir DIR`), kills it with SIGKILL once
 * `checkpoints` checkpoints (1 by default) have completed, and resolves with the signal it died of
 * (null when it finished first).
 */
async function killAfterACheckpoint(...args: string[]): Promise<NodeJS.Signals | null> {
  return killAfterCheckpoints(1, ...args);
}

async function killAfterCheckpoints(checkpoints: number, ...args: string[]): Promise<NodeJS.Signals | null> {
  const dir = args[args.indexOf('--checkpoint-dir') + 1] as string;
  // Made here so it can be watched from the start; the run takes a folder that exists.
  await mkdir(dir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/wordcount.ts', ...args], { cwd: projectRoot, stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = once(child, 'exit');
  await checkpointFolder(dir, checkpoints + 1, exited);
  child.kill('SIGKILL');
  const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  return signal;
}

/**
 * Resolves once the folder of checkpoint `id` appears in `dir` (or `exited` settles first): a run
 * takes one checkpoint at a time, so by then every checkpoint before it has completed.
 */
async function checkpointFolder(dir: string, id: number, exited: Promise<unknown>): Promise<void> {
  const name = `chk-${String(id).padStart(10, '0')}`;
  const stop = new AbortController();
  const watcher = watch(dir, { signal: stop.signal });
  const present = async (): Promise<boolean> => (await readdir(dir)).some((entry) => entry >= name && entry.startsWith('chk-'));
  try {
    const appeared = (async () => {
      if (await present()) return;
      for await (const event of watcher) if (event.filename !== null && event.filename >= name && (await present())) return;
    })();
    await Promise.race([appeared, exited]);
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
  } finally {
    stop.abort();
  }
}

describe('examples/wordcount.ts', () => {
  let dir = '';
  let expected = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-wordcount-'));
    expected = model(readProjectFile(INPUT));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints exactly the sorted JSON-lines counts on stdout, and its summary on stderr', async () => {
    const { stdout, stderr } = await wordcount('--input', INPUT);
    expect(stdout).toBe(expected);
    expect(stderr).toMatch(/wordcount: 27 lines, \d+ words, \d+ distinct, .* 0 restarts, 0 dead letters/);
  });

  it('opens as the README shows', async () => {
    const shown = codeBlocks(readProjectFile('README.md')).find((block) => block.heading === 'The flagship demo' && block.lang === 'text');
    expect(expected.startsWith(`${shown?.code}\n`)).toBe(true);
  });

  it('gives byte-identical output with injected crashes and any partition count', async () => {
    const crashed = await wordcount('--input', INPUT, '--crash-rate', '0.1', '--seed', '42', '--partitions', '3');
    expect(crashed.stdout).toBe(expected);
    expect(crashed.stderr).toMatch(/[1-9]\d* restarts/);
    const single = await wordcount('--input', INPUT, '--partitions', '1');
    expect(single.stdout).toBe(expected);
  });

  it('keeps its output byte-identical under injected crashes on two million words and more, beyond the restart limit meant for real failures', async () => {
    const input = join(dir, 'two-million.txt');
    // 6,000 copies of the 373-word text: 2.2 million words, about 2,000 injected crashes at 0.001.
    await writeFile(input, readProjectFile(INPUT).repeat(6_000));
    const crashed = await wordcount('--input', input, '--crash-rate', '0.001', '--seed', '7');
    expect(crashed.stdout).toBe(model(readProjectFile(INPUT).repeat(6_000)));
    const restarts = Number(/(\d[\d,]*) restarts/.exec(crashed.stderr)?.[1]?.replaceAll(',', ''));
    expect(restarts).toBeGreaterThan(1_000);
  });

  it('writes to --output and leaves stdout empty', async () => {
    const output = join(dir, 'counts.jsonl');
    const { stdout } = await wordcount('--input', INPUT, '--output', output);
    expect(stdout).toBe('');
    expect(await readFile(output, 'utf8')).toBe(expected);
  });

  it('resumes after kill -9 with any --partitions and writes the file an uninterrupted run writes', async () => {
    const input = join(dir, 'long.txt');
    await writeFile(input, readProjectFile(INPUT).repeat(12_000));
    const output = join(dir, 'long.jsonl');
    const checkpoints = join(dir, 'checkpoints');
    const args = ['--input', input, '--output', output, '--checkpoint-dir', checkpoints, '--checkpoint-interval', '100'];
    // Killed as soon as it reports a completed checkpoint, while it is still reading.
    expect(await killAfterACheckpoint(...args, '--partitions', '4')).toBe('SIGKILL');

    const resumed = await wordcount(...args, '--partitions', '3');
    expect(resumed.stderr).toMatch(/resumed from checkpoint \d+/);
    expect(await readFile(output, 'utf8')).toBe(model(readProjectFile(INPUT).repeat(12_000)));

    const again = await wordcount(...args, '--partitions', '2');
    expect(again.stderr).toMatch(/the job is already complete/);
    expect(await readFile(output, 'utf8')).toBe(model(readProjectFile(INPUT).repeat(12_000)));
  });

  it('--with-chars resumes a run without it, killed with kill -9, migrating its counts, and writes what an uninterrupted --with-chars run writes', async () => {
    const text = readProjectFile(INPUT).replace(/ the /g, ' naïve 日本語 ').repeat(8_000);
    const input = join(dir, 'chars.txt');
    await writeFile(input, text);
    const withChars = model(text, { withChars: true });
    const uninterrupted = join(dir, 'chars-uninterrupted.jsonl');
    await wordcount('--input', input, '--output', uninterrupted, '--with-chars');
    expect(await readFile(uninterrupted, 'utf8')).toBe(withChars);

    // Killed after the first, second or third checkpoint (chosen by fast-check from a seed), or not at all (complete).
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), async (checkpointsBeforeKill, partitions) => {
        const run = await mkdtemp(join(dir, 'chars-'));
        const output = join(run, 'counts.jsonl');
        const args = ['--input', input, '--output', output, '--checkpoint-dir', join(run, 'checkpoints'), '--checkpoint-interval', '50'];
        if (checkpointsBeforeKill === 4) await wordcount(...args);
        else await killAfterCheckpoints(checkpointsBeforeKill, ...args);
        const resumed = await wordcount(...args, '--with-chars', '--partitions', String(partitions));
        expect(resumed.stderr).toMatch(/resumed from checkpoint \d+/);
        expect(await readFile(output, 'utf8')).toBe(withChars);
        // Once finished at version 2, the job is complete, for either version: the file stays.
        expect((await wordcount(...args, '--with-chars')).stderr).toMatch(/the job is already complete/);
        expect((await wordcount(...args)).stderr).toMatch(/the job is already complete/);
        expect(await readFile(output, 'utf8')).toBe(withChars);
      }),
      { numRuns: 4, seed: 2026 },
    );

    // A run without --with-chars cannot resume the newer state of an unfinished --with-chars run.
    const run = await mkdtemp(join(dir, 'chars-'));
    const args = ['--input', input, '--output', join(run, 'counts.jsonl'), '--checkpoint-dir', join(run, 'checkpoints'), '--checkpoint-interval', '50'];
    expect(await killAfterCheckpoints(1, ...args, '--with-chars')).toBe('SIGKILL');
    const older = await failureOf(...args);
    expect(older?.code).toBe(1);
    expect(older?.stderr).toMatch(/state of stage count was written at state version 2, a newer version than this code's 1/);
  }, 180_000);

  it('exits 2 with a usage message for bad arguments', async () => {
    for (const args of [
      [],
      ['--input', INPUT, '--partitions', '0'],
      ['--input', INPUT, '--crash-rate', '2', '--seed', '1'],
      ['--bogus'],
      ['--input', INPUT, '--checkpoint-dir', dir],
      ['--input', INPUT, '--output', join(dir, 'x'), '--checkpoint-interval', '5'],
    ]) {
      const failure = await failureOf(...args);
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toContain('usage: npx tsx examples/wordcount.ts --input FILE');
    }
  });

  it('exits 2 with a one-line reason for a --workers that is not an integer from 1 to 64', async () => {
    // Refused before anything runs, so the four processes may as well start together.
    const values = ['0', 'two', '1.5', '65'];
    const failures = await Promise.all(values.map((workers) => failureOf('--input', INPUT, '--workers', workers)));
    for (const [i, workers] of values.entries()) {
      expect(failures[i]?.code).toBe(2);
      const [reason, usage] = failures[i]?.stderr.split('\n') ?? [];
      expect(reason).toBe(`wordcount: --workers must be an integer from 1 to 64, got ${workers}`);
      expect(usage).toMatch(/^usage: npx tsx examples\/wordcount.ts --input FILE .*\[--workers N\]/);
    }
  });
});

describe('examples/wordcount.ts on worker threads', () => {
  let dir = '';
  let input = '';
  let expected = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-wordcount-workers-'));
    // 100 copies of the text: 37,500 words, many batches for each thread, about 370 injected crashes at 0.01.
    input = join(dir, 'hundred.txt');
    await writeFile(input, readProjectFile(INPUT).repeat(100));
    expected = model(readProjectFile(INPUT).repeat(100));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints byte-identical output on 1, 2 and 3 threads', async () => {
    for (const workers of ['1', '2', '3']) {
      const { stdout, stderr } = await wordcount('--input', input, '--workers', workers);
      expect(stdout, `--workers ${workers}`).toBe(expected);
      expect(stderr).toMatch(/wordcount: 2700 lines, 37500 words, \d+ distinct, .* 0 restarts, 0 dead letters/);
    }
  });

  it('writes byte-identical output on 1, 2 and 3 threads under injected crashes', async () => {
    for (const workers of ['1', '2', '3']) {
      const output = join(dir, `crashed-${workers}.jsonl`);
      const { stdout, stderr } = await wordcount('--input', input, '--output', output, '--workers', workers, '--crash-rate', '0.01', '--seed', '7');
      expect(stdout).toBe('');
      expect(await readFile(output, 'utf8'), `--workers ${workers}`).toBe(expected);
      expect(stderr).toMatch(/[1-9]\d* restarts/);
    }
  });

  it('resumes after kill -9 with another --workers and --partitions and writes the file an uninterrupted run writes', async () => {
    const long = join(dir, 'long.txt');
    await writeFile(long, readProjectFile(INPUT).repeat(12_000));
    const output = join(dir, 'long.jsonl');
    const args = ['--input', long, '--output', output, '--checkpoint-dir', join(dir, 'checkpoints'), '--checkpoint-interval', '100'];
    // Killed as soon as it reports a completed checkpoint, while its threads are still counting.
    expect(await killAfterACheckpoint(...args, '--workers', '2', '--partitions', '4')).toBe('SIGKILL');

    const resumed = await wordcount(...args, '--workers', '3', '--partitions', '3');
    expect(resumed.stderr).toMatch(/resumed from checkpoint \d+/);
    expect(await readFile(output, 'utf8')).toBe(model(readProjectFile(INPUT).repeat(12_000)));

    const again = await wordcount(...args, '--workers', '1', '--partitions', '5');
    expect(again.stderr).toMatch(/the job is already complete/);
    expect(await readFile(output, 'utf8')).toBe(model(readProjectFile(INPUT).repeat(12_000)));
  });
});

describe('parseWordcountArgs', () => {
  it('reads --input, --output and --partitions, in any order and either spelling, with 4 partitions by default', () => {
    const none = { pg: undefined, table: undefined, withChars: false };
    expect(parseWordcountArgs(['--input', 'f'])).toEqual({ input: 'f', output: undefined, partitions: 4, ...none });
    expect(parseWordcountArgs(['--partitions=8', '--output', 'g', '--input=f'])).toEqual({ input: 'f', output: 'g', partitions: 8, ...none });
    expect(parseWordcountArgs(['--input', 'f', '--with-chars'])).toEqual({ input: 'f', output: undefined, partitions: 4, ...none, withChars: true });
    expect(() => parseWordcountArgs(['--input', 'f', '--pg', 'postgresql://x', '--table', 't', '--with-chars'])).toThrow(/--with-chars/);
  });

  it.each([
    [[], '--input'],
    [['--input', ''], '--input'],
    [['--input'], 'job arguments'],
    [['--input', 'f', '--output', ''], '--output'],
    [['--input', 'f', '--partitions', '0'], '--partitions'],
    [['--input', 'f', '--partitions', '129'], '--partitions'],
    [['--input', 'f', '--partitions', '2.5'], '--partitions'],
    [['--input', 'f', '--workers', '2'], 'job arguments'],
    [['--input', 'f', 'extra'], 'job arguments'],
  ])('throws InvalidOptionError naming the argument for %j', (argv, option) => {
    expect(() => parseWordcountArgs(argv)).toThrow(InvalidOptionError);
    expect(() => parseWordcountArgs(argv)).toThrow(expect.objectContaining({ option }));
  });
});
