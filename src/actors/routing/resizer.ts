/**
 * A pool's automatic resizer: every `everyMs` it looks at how busy the routees are and grows or
 * shrinks the pool within `min` and `max`. The decision is a pure function of the routees' loads
 * and the options (`nextPoolSize`), tested without clocks or actors; the pool samples and applies it.
 */
import { InvalidOptionError } from '../../errors.js';
import { isObject, positiveInteger, positiveNumber, withDefault } from '../../internal/validate.js';

/**
 * Options of a pool's automatic resizer. A routee is busy when at least `busyAt` messages wait for
 * it (counting one it is handling); the share of busy routees is the pool's pressure.
 */
export interface ResizerOptions {
  /** The fewest routees the resizer leaves; a positive integer. */
  min: number;
  /** The most routees the resizer makes; at least `min`. */
  max: number;
  /**
   * How often the pressure is sampled, in milliseconds of the system's clock. The timer does not
   * keep the process alive.
   * @defaultValue 1000
   */
  everyMs?: number | undefined;
  /**
   * The load (messages queued, plus one in progress) from which a routee counts as busy.
   * @defaultValue 1
   */
  busyAt?: number | undefined;
  /**
   * The pool grows when at least this share of its routees is busy, in (0, 1].
   * @defaultValue 1 (every routee busy)
   */
  growAt?: number | undefined;
  /**
   * The pool shrinks when less than this share of its routees is busy, in [0, `growAt`).
   * @defaultValue 0.3
   */
  shrinkBelow?: number | undefined;
  /**
   * How much it grows at a time, as a share of its size (rounded up, at least one routee).
   * @defaultValue 0.2
   */
  growBy?: number | undefined;
  /**
   * How much it shrinks at a time, as a share of its size (rounded down, at least one routee).
   * @defaultValue 0.1
   */
  shrinkBy?: number | undefined;
}

/** Resizer options after validation and defaults. */
export type ResolvedResizer = Readonly<Required<{ [K in keyof ResizerOptions]: NonNullable<ResizerOptions[K]> }>>;

/**
 * Validates resizer options, naming each as `resizer.<field>`.
 * @throws InvalidOptionError naming the first bad option.
 */
export function resolveResizer(options: ResizerOptions): ResolvedResizer {
  isObject('resizer', options);
  const min = positiveInteger('resizer.min', options.min);
  const max = positiveInteger('resizer.max', options.max);
  if (max < min) throw new InvalidOptionError('resizer.max', `an integer ≥ resizer.min (${min})`, max);
  const share = (option: string, value: unknown, fallback: number, fits: (v: number) => boolean, range: string): number =>
    withDefault(value, fallback, (v) => {
      if (typeof v !== 'number' || !fits(v)) throw new InvalidOptionError(`resizer.${option}`, `a number in ${range}`, v);
      return v;
    });
  const growAt = share('growAt', options.growAt, 1, (v) => v > 0 && v <= 1, '(0, 1]');
  const shrinkBelow = share('shrinkBelow', options.shrinkBelow, 0.3, (v) => v >= 0 && v < growAt, `[0, growAt (${growAt}))`);
  return {
    min,
    max,
    everyMs: withDefault(options.everyMs, 1000, (v) => positiveNumber('resizer.everyMs', v)),
    busyAt: withDefault(options.busyAt, 1, (v) => positiveInteger('resizer.busyAt', v)),
    growAt,
    shrinkBelow,
    growBy: withDefault(options.growBy, 0.2, (v) => positiveNumber('resizer.growBy', v)),
    shrinkBy: share('shrinkBy', options.shrinkBy, 0.1, (v) => v > 0 && v <= 1, '(0, 1]'),
  };
}

/**
 * The size a pool should have, given the load of each of its routees now.
 *
 * @example
 * ```ts
 * const policy = resolveResizer({ min: 2, max: 10 });
 * nextPoolSize([3, 1, 2, 5], policy); // 5: every routee is busy, so it grows by 20% (at least one)
 * nextPoolSize([0, 0, 0, 1], policy); // 3: a quarter is busy, under 30%, so it shrinks by one
 * ```
 */
export function nextPoolSize(loads: readonly number[], policy: ResolvedResizer): number {
  const size = loads.length;
  let busy = 0;
  for (const load of loads) if (load >= policy.busyAt) busy++;
  const pressure = size === 0 ? 1 : busy / size;
  let next = size;
  if (pressure >= policy.growAt) next = size + Math.max(1, Math.ceil(size * policy.growBy));
  else if (pressure < policy.shrinkBelow) next = size - Math.max(1, Math.floor(size * policy.shrinkBy));
  return Math.min(policy.max, Math.max(policy.min, next));
}
