/**
 * Telling a job module from any other value: `defineJob` brands the object it returns with a
 * registered symbol (`Symbol.for`), so the brand holds across copies of the library — a command
 * line from one install checking a job that imports another.
 */
import type { JobModule } from './define-job.js';

/** The brand `defineJob` puts on every job it returns (non-enumerable, read-only). */
export const JOB_MODULE_BRAND = Symbol.for('sluice.jobModule');

/**
 * Whether `value` is a job made by `defineJob`, by any copy of Sluice.
 * @example
 * ```ts
 * const { default: job } = await import(pathToFileURL('wordcount.job.js').href);
 * if (isJobModule(job)) await job.run({ args: job.parseArgs(['--input', 'book.txt']) }).done;
 * ```
 */
export function isJobModule(value: unknown): value is JobModule<unknown> {
  return typeof value === 'object' && value !== null && (value as { [JOB_MODULE_BRAND]?: unknown })[JOB_MODULE_BRAND] === true;
}
