/**
 * The word-count contract, from outside: the command line, the output format and order, stderr
 * for everything else, and output that crashes and partition counts do not change.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeBlocks, projectRoot, readProjectFile } from '../docs/markdown.js';

const exec = promisify(execFile);
const INPUT = 'examples/data/sluice-gate.txt';

function wordcount(...args: string[]) {
  return exec(process.execPath, ['--import', 'tsx', 'examples/wordcount.ts', ...args], { cwd: projectRoot, timeout: 60_000 });
}

/** The specification, as a plain function: lowercase, split, count, sort by count then word. */
function model(text: string): string {
  const counts = new Map<string, number>();
  for (const line of text.split('\n')) {
    for (const word of line.toLowerCase().split(/[^\p{L}\p{N}]+/u)) if (word !== '') counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([word, count]) => `${JSON.stringify({ word, count })}\n`)
    .join('');
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
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/wordcount.ts', ...args, '--partitions', '4'], {
      cwd: projectRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = once(child, 'exit');
    for await (const line of createInterface({ input: child.stderr })) {
      if (/ [1-9]\d* checkpoints$/.test(line)) break;
    }
    child.kill('SIGKILL');
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');

    const resumed = await wordcount(...args, '--partitions', '3');
    expect(resumed.stderr).toMatch(/resumed from checkpoint \d+/);
    expect(await readFile(output, 'utf8')).toBe(model(readProjectFile(INPUT).repeat(12_000)));

    const again = await wordcount(...args, '--partitions', '2');
    expect(again.stderr).toMatch(/the job is already complete/);
    expect(await readFile(output, 'utf8')).toBe(model(readProjectFile(INPUT).repeat(12_000)));
  });

  it('exits 2 with a usage message for bad arguments', async () => {
    for (const args of [
      [],
      ['--input', INPUT, '--partitions', '0'],
      ['--input', INPUT, '--crash-rate', '2', '--seed', '1'],
      ['--bogus'],
      ['--input', INPUT, '--checkpoint-dir', dir],
      ['--input', INPUT, '--output', join(dir, 'x'), '--checkpoint-interval', '5'],
    ]) {
      const failure = await wordcount(...args).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toContain('usage: npx tsx examples/wordcount.ts --input FILE');
    }
  });
});
