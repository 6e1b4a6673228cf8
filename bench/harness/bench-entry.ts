/**
 * The bench's process entry points (the child that runs one implementation, the fairness probe's
 * load generator) and how to start them. `npm run bench` compiles them to JavaScript first (see
 * `build-entries.ts`) and names the output folder in `SLUICE_BENCH_BUILD`, which children inherit:
 * they then run under plain `node`, as a user's compiled service would, without the TypeScript
 * loader's worker thread in their timings or their peak RSS. Without it (a child started by hand
 * under tsx), entries run from source under this process's loader.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The environment variable naming the folder the compiled entries are in. */
export const BENCH_BUILD_ENV = 'SLUICE_BENCH_BUILD';

/** The entry points, as paths under bench/ without their extension. */
export const BENCH_ENTRIES = ['child', 'fairness/load-child'] as const;
export type BenchEntry = (typeof BENCH_ENTRIES)[number];

/** What `fork` needs to start an entry. */
export interface EntryLaunch {
  readonly file: string;
  readonly execArgv: string[];
}

/**
 * The file to fork for `entry`, and the Node options to fork it with.
 * @example
 * ```ts
 * const { file, execArgv } = benchEntry('child');
 * fork(file, [JSON.stringify(task)], { execArgv });
 * ```
 */
export function benchEntry(entry: BenchEntry): EntryLaunch {
  const built = process.env[BENCH_BUILD_ENV];
  if (built !== undefined && built !== '') return { file: join(built, `${entry}.js`), execArgv: [] };
  return { file: fileURLToPath(new URL(`../${entry}.ts`, import.meta.url)), execArgv: process.execArgv };
}
