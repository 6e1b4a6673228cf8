/**
 * Restart intensity, as in Erlang/OTP: a supervisor that has to restart children more than
 * `maxRestarts` times within `withinMs` gives up. Pure: the history is a value and time is an
 * argument, so the rule is tested without clocks or actors.
 */
import { nonNegativeIntegerOrInfinity, optionName, positiveNumberOrInfinity, withDefault } from '../internal/validate.js';

/** How many restarts a supervisor allows in a sliding window. */
export interface RestartIntensity {
  /**
   * The most restarts allowed within `withinMs`; one more and the supervisor escalates.
   * `0` means no restart at all is tolerated.
   * @defaultValue 10
   */
  maxRestarts?: number | undefined;
  /**
   * The window's length in milliseconds.
   * @defaultValue 10000
   */
  withinMs?: number | undefined;
}

/** Validated intensity. */
export interface ResolvedIntensity {
  readonly maxRestarts: number;
  readonly withinMs: number;
}

export const DEFAULT_INTENSITY: ResolvedIntensity = { maxRestarts: 10, withinMs: 10_000 };

/** Validates intensity options, naming them under `prefix` (`''` names them as they are). */
export function resolveIntensity(options: RestartIntensity | undefined, prefix: string): ResolvedIntensity {
  const maxRestarts = withDefault(options?.maxRestarts, DEFAULT_INTENSITY.maxRestarts, (v) =>
    nonNegativeIntegerOrInfinity(optionName(prefix, 'maxRestarts'), v),
  );
  const withinMs = withDefault(options?.withinMs, DEFAULT_INTENSITY.withinMs, (v) => positiveNumberOrInfinity(optionName(prefix, 'withinMs'), v));
  return { maxRestarts, withinMs };
}

/** The outcome of recording one restart. */
export interface IntensityVerdict {
  /** Restart times still inside the window, oldest first, including this one. */
  readonly history: readonly number[];
  /** True when this restart is one too many: the supervisor must give up and escalate. */
  readonly exceeded: boolean;
}

/**
 * Records a restart at `now` against `history` (earlier restart times, oldest first).
 *
 * @example
 * ```ts
 * recordRestart([0, 10], 20, { maxRestarts: 2, withinMs: 100 }).exceeded; // true: 3 restarts in 100 ms
 * ```
 */
export function recordRestart(history: readonly number[], now: number, intensity: ResolvedIntensity): IntensityVerdict {
  const windowStart = now - intensity.withinMs;
  const kept = history.filter((at) => at > windowStart);
  kept.push(now);
  return { history: kept, exceeded: kept.length > intensity.maxRestarts };
}
