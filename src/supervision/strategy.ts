/**
 * Supervision strategies, as in Erlang/OTP: when one child has to restart, which of its siblings
 * restart with it. Pure: a function of the strategy, the children in start order and the failed one.
 */
import { isFunction, oneOf } from '../internal/validate.js';
import { resolveIntensity, type ResolvedIntensity, type RestartIntensity } from './intensity.js';

/**
 * - `'one-for-one'`: only the failed child restarts.
 * - `'one-for-all'`: every child restarts.
 * - `'rest-for-one'`: the failed child and every child started after it restart.
 */
export type SupervisionStrategy = 'one-for-one' | 'one-for-all' | 'rest-for-one';

/** Every strategy, for validation and documentation. */
export const STRATEGIES: readonly SupervisionStrategy[] = ['one-for-one', 'one-for-all', 'rest-for-one'];

/** How an actor (or the system, for top-level actors) supervises its children. */
export interface SupervisorOptions extends RestartIntensity {
  /**
   * Which siblings restart with a child that restarts.
   * @defaultValue 'one-for-one'
   */
  strategy?: SupervisionStrategy | undefined;
  /**
   * Failures whose restarts are not counted against the intensity (`maxRestarts` within
   * `withinMs`): the restart happens as any other, but cannot make the supervisor give up. For
   * faults injected on purpose (a pipeline's `chaos` and `crashAt`), whose number is the test's
   * choice, beside a limit meant for real failures.
   * @defaultValue none: every restart counts
   * @example
   * ```ts
   * system.spawn(parent, { supervisor: { maxRestarts: 3, exempt: (cause) => cause instanceof PlannedFault } });
   * ```
   */
  exempt?: ((cause: unknown) => boolean) | undefined;
}

/** Validated supervisor options. */
export interface ResolvedSupervisor extends ResolvedIntensity {
  readonly strategy: SupervisionStrategy;
  readonly exempt: ((cause: unknown) => boolean) | undefined;
}

/** Validates supervisor options, naming them under `prefix` (e.g. `supervisor`). */
export function resolveSupervisor(options: SupervisorOptions | undefined, prefix: string): ResolvedSupervisor {
  const strategy =
    options?.strategy === undefined ? 'one-for-one' : oneOf(`${prefix}.strategy`, options.strategy, STRATEGIES);
  const exempt = options?.exempt;
  if (exempt !== undefined) isFunction(`${prefix}.exempt`, exempt);
  return { strategy, exempt, ...resolveIntensity(options, prefix) };
}

/**
 * The siblings (other than `failed`) that restart along with it, in start order.
 *
 * @example
 * ```ts
 * siblingsToRestart('rest-for-one', ['a', 'b', 'c'], 'b'); // ['c']
 * ```
 */
export function siblingsToRestart<T>(strategy: SupervisionStrategy, children: readonly T[], failed: T): T[] {
  switch (strategy) {
    case 'one-for-one':
      return [];
    case 'one-for-all':
      return children.filter((child) => child !== failed);
    case 'rest-for-one': {
      const index = children.indexOf(failed);
      return index < 0 ? [] : children.slice(index + 1);
    }
  }
}
