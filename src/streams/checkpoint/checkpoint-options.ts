/**
 * How a pipeline run takes checkpoints: where, how often, how many to keep. Validated when the
 * run starts, naming the option.
 */
import { InvalidOptionError } from '../../errors.js';
import { isObject, positiveInteger, positiveNumberOrInfinity, withDefault } from '../../internal/validate.js';

/** Options of `run({ checkpoint })`. */
export interface CheckpointOptions {
  /** The folder holding the checkpoints; created when missing. A run resumes from the newest complete one. */
  dir: string;
  /**
   * Milliseconds between checkpoints (processing time). Infinity: only on demand, on `stop()` and at
   * the end of input.
   * @defaultValue 10000
   */
  interval?: number | undefined;
  /**
   * Complete checkpoints kept; older ones are deleted. More than one, so a checkpoint damaged at
   * rest still leaves one to fall back to.
   * @defaultValue 2
   */
  keep?: number | undefined;
}

export interface CheckedCheckpointOptions {
  readonly dir: string;
  readonly interval: number;
  readonly keep: number;
}

/** @throws InvalidOptionError naming `checkpoint.dir`, `checkpoint.interval` or `checkpoint.keep`. */
export function checkCheckpointOptions(options: unknown): CheckedCheckpointOptions | undefined {
  if (options === undefined) return undefined;
  isObject('checkpoint', options);
  const { dir, interval, keep } = options as CheckpointOptions;
  if (typeof dir !== 'string' || dir === '') throw new InvalidOptionError('checkpoint.dir', 'a folder path', dir);
  return {
    dir,
    interval: withDefault(interval, 10_000, (v) => positiveNumberOrInfinity('checkpoint.interval', v)),
    keep: withDefault(keep, 2, (v) => positiveInteger('checkpoint.keep', v)),
  };
}
