/**
 * A command line that cannot run as written: an unknown flag or command, a missing or bad value, a
 * job module that is not one, job arguments the job refuses. `main` prints its reason on one line,
 * a hint to the command's help on the next, and exits 2.
 *
 * Not a `SluiceError`: it never leaves the command line, and no library call throws it.
 */

/** Exit status of a usage error, as POSIX utilities and Node's own `node --bogus` use it. */
export const USAGE_EXIT_CODE = 2;

/**
 * The command line was wrong; `reason` says how, on one line.
 * @example
 * ```ts
 * throw new UsageError('sluice run', '--workers must be a positive integer, got "x"');
 * ```
 */
export class UsageError extends Error {
  /** The command whose line was wrong, as typed: `sluice` or `sluice run`. */
  readonly command: string;
  /** What was wrong, on one line (line breaks in what it was made from become spaces). */
  readonly reason: string;

  constructor(command: string, reason: string) {
    const oneLine = reason.replace(/\s*\n\s*/g, ' ').trim();
    super(`${command}: ${oneLine}`);
    this.name = 'UsageError';
    this.command = command;
    this.reason = oneLine;
  }
}
