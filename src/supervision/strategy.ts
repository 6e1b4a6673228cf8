/**
 * Supervision strategies, as in Erlang/OTP: when one child has to restart, which of its siblings
 * restart with it, and in which order (start order, so a child restarts after its elder siblings).
 * Pure: a function of the strategy, the children in start order and the failed one.
 */
import { isFunction, oneOf, optionName } from '../internal/validate.js';
import { resolveIntensity, type ResolvedIntensity, type RestartIntensity } from './intensity.js';

/**
 * - `'one-for-one'`: only the failed child restarts.
 * - `'one-for-all'`: every child restarts.
 * - `'rest-for-one'`: the failed child and every child started after it restart.
 *
 * The children that restart together do so one after another in start order, as in OTP: each
 * one's `started` runs after its elder siblings' restarts have ended.
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

/** Validates supervisor options, naming them under `prefix` (e.g. `supervisor`; `''` names them as they are). */
export function resolveSupervisor(options: SupervisorOptions | undefined, prefix: string): ResolvedSupervisor {
  const strategy = options?.strategy === undefined ? 'one-for-one' : oneOf(optionName(prefix, 'strategy'), options.strategy, STRATEGIES);
  const exempt = options?.exempt;
  if (exempt !== undefined) isFunction(optionName(prefix, 'exempt'), exempt);
  return { strategy, exempt, ...resolveIntensity(options, prefix) };
}

/**
 * The children that restart when `failed` does — it and the siblings the strategy names — in start
 * order, which is the order they restart in. A child missing from `children` restarts alone.
 *
 * @example
 * ```ts
 * restartGroup('rest-for-one', ['a', 'b', 'c'], 'b'); // ['b', 'c']
 * ```
 */
export function restartGroup<T>(strategy: SupervisionStrategy, children: readonly T[], failed: T): T[] {
  const index = children.indexOf(failed);
  if (index < 0) return [failed];
  switch (strategy) {
    case 'one-for-one':
      return [failed];
    case 'one-for-all':
      return [...children];
    case 'rest-for-one':
      return children.slice(index);
  }
}
