/**
 * The bench compiles the library as the package ships it: ECMAScript modules without comments,
 * so that every thread holds a source of the size (and, with no dash or arrow left in a comment,
 * of the one byte a character) that a user's thread holds.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { shippedLibrary } from '../../../bench/harness/shipped-library.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Bundles `entry` (a path from the project's root) as the bench does, and returns the code. */
async function bundle(entry: string, plugins = [shippedLibrary()]): Promise<string> {
  const result = await build({
    entryPoints: [`${ROOT}${entry}`],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return (result.outputFiles[0] as { text: string }).text;
}

/** Whether `code` has a comment: a line or block comment outside esbuild's file markers. */
function commented(code: string): boolean {
  return code.split('\n').some((line) => /^\s*(\/\*\*|\/\*[^#@]|\/\/ (?!src\/))/.test(line));
}

describe('shippedLibrary', () => {
  it('compiles the library to modules without comments, where esbuild alone keeps them', async () => {
    const source = readFileSync(`${ROOT}src/mailbox/ring-buffer.ts`, 'utf8');
    expect(source).toMatch(/\/\*\*/);
    expect(commented(await bundle('src/mailbox/ring-buffer.ts', []))).toBe(true);

    const shipped = await bundle('src/mailbox/ring-buffer.ts');
    expect(commented(shipped)).toBe(false);
    expect(shipped).toMatch(/^export \{/m);
    expect(shipped).not.toMatch(/\bexports\.|\brequire\(/);
  });

  it('leaves nothing outside ASCII in the bundled library, so V8 holds its source at a byte a character', async () => {
    const shipped = await bundle('src/index.ts');
    expect(shipped.length).toBeGreaterThan(100_000);
    expect(/[^\x00-\x7f]/.test(shipped)).toBe(false);
  });

  it('bundles a library that works: its classes and checks behave as the source says', async () => {
    const code = await bundle('src/mailbox/ring-buffer.ts');
    const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
    const { RingBuffer } = (await import(url)) as typeof import('../../../src/mailbox/ring-buffer.js');
    const ring = new RingBuffer<number>(2);
    expect([ring.push(1), ring.push(2), ring.push(3)]).toEqual([true, true, false]);
    expect([ring.shift(), ring.shift(), ring.size]).toEqual([1, 2, 0]);
  });
});
