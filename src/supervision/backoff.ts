/**
 * Restart backoff: the delay before the n-th consecutive restart grows exponentially from `minMs`
 * to `maxMs`, spread by random jitter so that many actors failing together do not restart in
 * lockstep. Pure: the attempt number and the random draw are arguments.
 */
import { InvalidOptionError } from '../errors.js';
import { nonNegativeNumber, withDefault } from '../internal/validate.js';

/** Backoff between restarts of one actor. */
export interface BackoffOptions {
  /**
   * Delay before the first restart, in milliseconds.
   * @defaultValue 100
   */
  minMs?: number | undefined;
  /**
   * The longest delay, in milliseconds.
   * @defaultValue 10000
   */
  maxMs?: number | undefined;
  /**
   * How much each consecutive restart multiplies the delay.
   * @defaultValue 2
   */
  factor?: number | undefined;
  /**
   * Random spread as a fraction of the delay: 0.2 spreads it over ±20 %, clamped to [minMs, maxMs].
   * @defaultValue 0.2
   */
  jitter?: number | undefined;
  /**
   * After running this long without a failure the next restart starts from `minMs` again.
   * @defaultValue maxMs
   */
  resetAfterMs?: number | undefined;
}

/** Validated backoff. */
export interface ResolvedBackoff {
  readonly minMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  readonly resetAfterMs: number;
}

/** Validates backoff options, naming them under `prefix`. */
export function resolveBackoff(options: BackoffOptions, prefix: string): ResolvedBackoff {
  const minMs = withDefault(options.minMs, 100, (v) => nonNegativeNumber(`${prefix}.minMs`, v));
  const maxMs = withDefault(options.maxMs, Math.max(10_000, minMs), (v) => nonNegativeNumber(`${prefix}.maxMs`, v));
  if (maxMs < minMs) throw new InvalidOptionError(`${prefix}.maxMs`, `a number ≥ minMs (${minMs})`, maxMs);
  const factor = withDefault(options.factor, 2, (v) => nonNegativeNumber(`${prefix}.factor`, v));
  if (factor < 1) throw new InvalidOptionError(`${prefix}.factor`, 'a number ≥ 1', factor);
  const jitter = withDefault(options.jitter, 0.2, (v) => nonNegativeNumber(`${prefix}.jitter`, v));
  if (jitter > 1) throw new InvalidOptionError(`${prefix}.jitter`, 'a number between 0 and 1', jitter);
  const resetAfterMs = withDefault(options.resetAfterMs, maxMs, (v) => nonNegativeNumber(`${prefix}.resetAfterMs`, v));
  return { minMs, maxMs, factor, jitter, resetAfterMs };
}

/**
 * The delay before restart number `attempt` (0 for the first of a series), given a uniform random
 * draw in [0, 1).
 *
 * @example
 * ```ts
 * backoffDelay(3, { minMs: 100, maxMs: 10_000, factor: 2, jitter: 0, resetAfterMs: 10_000 }, 0.5); // 800
 * ```
 */
export function backoffDelay(attempt: number, backoff: ResolvedBackoff, random: number): number {
  const exponential = Math.min(backoff.maxMs, backoff.minMs * backoff.factor ** attempt);
  const spread = exponential * backoff.jitter * (2 * random - 1);
  return Math.min(backoff.maxMs, Math.max(backoff.minMs, exponential + spread));
}

/**
 * The attempt number for a restart at `now`: one more than the last, or 0 again when the actor
 * ran without failure for `resetAfterMs` since its last restart.
 */
export function nextAttempt(previous: { attempt: number; at: number } | undefined, now: number, backoff: ResolvedBackoff): number {
  if (previous === undefined || now - previous.at >= backoff.resetAfterMs) return 0;
  return previous.attempt + 1;
}
