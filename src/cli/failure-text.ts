/**
 * How the command line reports an error it did not expect (a failed run, a job module that throws
 * as it loads): its name and message, in the line or few lines the message has; with
 * `SLUICE_DEBUG` set, everything Node knows of it (stack, `cause` chain, fields).
 */
import { inspect } from 'node:util';

/**
 * The text that reports `error`: `Name: message` (just the message for a plain `Error`), or its
 * full inspection when `env.SLUICE_DEBUG` is set to anything but the empty string.
 * @example
 * ```ts
 * failureText(new RangeError('too far'), {}); // 'RangeError: too far'
 * ```
 */
export function failureText(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  const debug = (env['SLUICE_DEBUG'] ?? '') !== '';
  if (debug) return inspect(error, { depth: 6 });
  if (!(error instanceof Error)) return String(error);
  return error.name === 'Error' || error.name === '' ? error.message : `${error.name}: ${error.message}`;
}
