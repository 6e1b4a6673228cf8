/**
 * The bench's process entry points (the child that runs one implementation, the fairness probe's
 * load generator, the `sluice` command the cluster case's worker processes run) and how to start
 * them. `npm run bench` compiles them to JavaScript first (see `build-entries.ts`) and names the
 * output folder in `SLUICE_BENCH_BUILD`, which children inherit: they then run under plain `node`,
 * as a user's compiled service would, without the TypeScript loader's worker thread in their
 * timings or their peak RSS. Without it (a child started by hand under tsx), entries run from
 * source under this process's loader (the cluster case then starts bin/sluice.js instead).
 *
 * Job modules are entries too. A worker thread imports a job module by the URL its `defineJob`
 * was given, `import.meta.url`: bundled into a case's chunk, that would be the chunk's URL, and
 * the job would live in a file that may hold other modules. Built as an entry of its own, a job
 * module is a file of its own whose URL is its `import.meta.url`; its imports (the library, the
 * records) are shared chunks, the very files the case's chunk imports, so the main thread has one
 * copy of the library, and a worker thread loads only the job module and what it imports. A case
 * imports its job module at run time by {@link jobModuleUrl}, never by a literal path: esbuild
 * would then move the job module's code into a chunk shared with the case, and `import.meta.url`
 * would name that chunk.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The environment variable naming the folder the compiled entries are in. */
export const BENCH_BUILD_ENV = 'SLUICE_BENCH_BUILD';

/** The entry points, as paths under bench/ without their extension. */
export const BENCH_ENTRIES = ['child', 'fairness/load-child', 'cluster/sluice-cli'] as const;
export type BenchEntry = (typeof BENCH_ENTRIES)[number];

/** The job modules, as paths under bench/ without their extension. */
export const BENCH_JOB_MODULES = ['cases/cpu-heavy.job', 'cases/cluster.job', 'cases/wordcount.job', 'cases/memory-bound.job'] as const;
export type BenchJobModule = (typeof BENCH_JOB_MODULES)[number];

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

/**
 * The URL to import the job module `module` by: the compiled one once the bench is built, else
 * the source (whose worker threads then get tsx's loader from `defineJob`).
 * @example
 * ```ts
 * const { totalsPerUser } = (await import(jobModuleUrl('cases/cpu-heavy.job'))) as typeof import('../cases/cpu-heavy.job.js');
 * ```
 */
export function jobModuleUrl(module: BenchJobModule): string {
  const built = process.env[BENCH_BUILD_ENV];
  if (built !== undefined && built !== '') return pathToFileURL(join(built, `${module}.js`)).href;
  return new URL(`../${module}.ts`, import.meta.url).href;
}
