/**
 * Compiles the bench's entry points (and, through them, Sluice and every case) to JavaScript with
 * esbuild: one bundle per entry, cases split into chunks of their own so a child still loads only
 * the case it runs. Job modules are entries as well, each a file of its own for worker threads to
 * import by URL, sharing the library's chunks with the cases (see `bench-entry.ts`). The library is
 * compiled as `npm run build` ships it (`shipped-library.ts`). Packages stay external and resolve
 * from the project's node_modules, which is why the output lives under it.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { BENCH_BUILD_ENV, BENCH_ENTRIES, BENCH_JOB_MODULES } from './bench-entry.js';
import { shippedLibrary } from './shipped-library.js';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/**
 * One folder per checkout: git worktrees that share one node_modules through a link would
 * otherwise empty each other's build in the middle of a run.
 */
const CHECKOUT = createHash('sha256').update(BENCH_DIR).digest('hex').slice(0, 8);
const OUT_DIR = fileURLToPath(new URL(`../../node_modules/.cache/sluice-bench-${CHECKOUT}`, import.meta.url));

/**
 * Builds the entries afresh into `outDir` and sets `SLUICE_BENCH_BUILD` in this process's
 * environment, so every child forked from now on runs the build under plain node.
 * @param outDir - a folder inside the project (packages resolve from its node_modules), emptied
 *   first; node_modules/.cache/sluice-bench-<checkout> unless a test builds elsewhere.
 * @returns the output folder.
 * @example
 * ```ts
 * await buildBenchEntries();
 * await runInChild({ kind: 'idle' }, 60_000); // node …/sluice-bench-1f2e3d4c/child.js
 * ```
 */
export async function buildBenchEntries(outDir: string = OUT_DIR): Promise<string> {
  rmSync(outDir, { recursive: true, force: true });
  await build({
    entryPoints: Object.fromEntries([...BENCH_ENTRIES, ...BENCH_JOB_MODULES].map((entry) => [entry, `${BENCH_DIR}${entry}.ts`])),
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
    plugins: [shippedLibrary()],
  });
  process.env[BENCH_BUILD_ENV] = outDir;
  return outDir;
}
