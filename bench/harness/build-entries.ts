/**
 * Compiles the bench's entry points (and, through them, Sluice and every case) to JavaScript with
 * esbuild: one bundle per entry, cases split into chunks of their own so a child still loads only
 * the case it runs. Packages stay external and resolve from the project's node_modules, which is
 * why the output lives under it.
 */
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BENCH_BUILD_ENV, BENCH_ENTRIES } from './bench-entry.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const OUT_DIR = fileURLToPath(new URL('../../node_modules/.cache/sluice-bench', import.meta.url));

/**
 * Builds the entries afresh into node_modules/.cache/sluice-bench and sets `SLUICE_BENCH_BUILD` in
 * this process's environment, so every child forked from now on runs the build under plain node.
 * @returns the output folder.
 * @example
 * ```ts
 * await buildBenchEntries();
 * await runInChild({ kind: 'idle' }, 60_000); // node …/sluice-bench/child.js
 * ```
 */
export async function buildBenchEntries(): Promise<string> {
  rmSync(OUT_DIR, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries(BENCH_ENTRIES.map((entry) => [entry, `${BENCH_DIR}${entry}.ts`])),
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  process.env[BENCH_BUILD_ENV] = OUT_DIR;
  return OUT_DIR;
}
