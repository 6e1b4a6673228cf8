/**
 * What more than one command reads from its command line the same way: a job's arguments (through
 * its `parseArgs`, whose refusal is a bad command line) and positive integer flags.
 */
import type { JobModule } from '../jobs/define-job.js';
import { UsageError } from './usage-error.js';

/** The value of flag `flag` as a positive integer, `fallback` when the flag is absent. */
export function positiveIntegerFlag(command: string, flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(number) || number < 1) {
    throw new UsageError(command, `${flag} must be a positive integer, got ${JSON.stringify(value)}`);
  }
  return number;
}

/** The job's args from its command-line arguments; what its parser refuses is a usage error. */
export function jobArgs(command: string, job: JobModule<unknown>, path: string, argv: readonly string[]): unknown {
  try {
    return job.parseArgs(argv);
  } catch (error) {
    if (isInvalidOption(error)) throw new UsageError(command, `${path}: ${error.message}`);
    throw error;
  }
}

/**
 * Whether `error` is an InvalidOptionError, by its code: the job module may have been made with
 * another copy of the library than this command's, whose class `instanceof` would not know.
 */
export function isInvalidOption(error: unknown): error is Error & { readonly option: string } {
  return error instanceof Error && (error as { code?: unknown }).code === 'INVALID_OPTION' && typeof (error as { option?: unknown }).option === 'string';
}
