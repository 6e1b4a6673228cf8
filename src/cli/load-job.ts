/**
 * Finding and importing the job module a command names: a path relative to the current folder,
 * imported by its file URL, with tsx's loader registered first when the module is TypeScript and
 * this process runs none; its default export must be a job `defineJob` made.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JobModule } from '../jobs/define-job.js';
import { isJobModule } from '../jobs/is-job-module.js';
import { isTypeScript, typeScriptLoaderFrom } from '../jobs/typescript-loader.js';
import { UsageError } from './usage-error.js';

/**
 * Imports the job module at `path` (relative to `cwd`) and returns its default export.
 * @throws UsageError (exit 2) when there is no file at `path`, or its default export is not a job.
 * @throws Error (exit 1) when it is TypeScript and no loader for it can be found, and whatever
 *   importing it throws (a syntax error, a module it imports that is missing).
 * @example
 * ```ts
 * const job = await loadJob('sluice run', 'examples/wordcount.job.ts', process.cwd());
 * await job.run({ args: job.parseArgs(['--input', 'book.txt']) }).done;
 * ```
 */
export async function loadJob(command: string, path: string, cwd: string): Promise<JobModule<unknown>> {
  const file = resolve(cwd, path);
  if (!statSync(file, { throwIfNoEntry: false })?.isFile()) throw new UsageError(command, `no job module at ${path}`);
  const url = pathToFileURL(file).href;
  if (isTypeScript(url)) await registerTypeScript(path, url);
  const { default: job } = (await import(url)) as { default?: unknown };
  if (!isJobModule(job)) {
    throw new UsageError(command, `JOB's default export must be a job made by defineJob(import.meta.url, build); ${path} ${exported(job)}`);
  }
  return job;
}

/**
 * Registers tsx's loader for the TypeScript module at `url`: the job's project's tsx, else the one
 * beside Sluice. Nothing to do when this file is itself TypeScript: a loader is running it already.
 */
async function registerTypeScript(path: string, url: string): Promise<void> {
  if (isTypeScript(import.meta.url)) return;
  const loader = typeScriptLoaderFrom(url) ?? typeScriptLoaderFrom(import.meta.url);
  if (loader === undefined) {
    throw new Error(
      `${path} is TypeScript, and no TypeScript loader was found to import it: compile it to JavaScript, or install tsx (npm install --save-dev tsx)`,
    );
  }
  ((await import(loader)) as { register(): unknown }).register();
}

/** What a module whose default export is not a job exports instead, in a few words. */
function exported(value: unknown): string {
  if (value === undefined) return 'has no default export';
  if (value === null) return 'exports null';
  if (typeof value === 'function') return 'exports a function';
  if (typeof value === 'object') return Array.isArray(value) ? 'exports an array' : 'exports an object';
  return `exports a ${typeof value}`;
}
