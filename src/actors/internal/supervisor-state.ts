/**
 * The parent's side of supervision, shared by actors and the system's top level: it counts the
 * restarts of its children against the intensity limit and names the siblings that restart with a
 * child under its strategy.
 */
import { ActorFailedError, RestartIntensityExceededError, type SluiceError } from '../../errors.js';
import { recordRestart } from '../../supervision/intensity.js';
import { siblingsToRestart, type ResolvedSupervisor } from '../../supervision/strategy.js';
import type { Clock } from '../../time/clock.js';

export class SupervisorState<TChild> {
  readonly options: ResolvedSupervisor;
  readonly #clock: Clock;
  #history: readonly number[] = [];

  constructor(options: ResolvedSupervisor, clock: Clock) {
    this.options = options;
    this.#clock = clock;
  }

  /** Restarts counted in the current window. */
  get recentRestarts(): number {
    return this.#history.length;
  }

  /**
   * Records one restart of `child` among `children` (in start order), caused by `cause`. Returns
   * the siblings that restart with it, or undefined when this restart exceeds the intensity limit
   * and the supervisor must give up. A restart whose cause is exempt is not recorded.
   */
  authorize(children: readonly TChild[], child: TChild, cause: unknown): TChild[] | undefined {
    if (this.#exempt(cause)) return siblingsToRestart(this.options.strategy, children, child);
    const verdict = recordRestart(this.#history, this.#clock.now(), this.options);
    this.#history = verdict.history;
    if (verdict.exceeded) return undefined;
    return siblingsToRestart(this.options.strategy, children, child);
  }

  /** Whether `cause` is exempt from the count; an `exempt` that throws exempts nothing. */
  #exempt(cause: unknown): boolean {
    const exempt = this.options.exempt;
    if (exempt === undefined) return false;
    try {
      return exempt(cause) === true;
    } catch {
      return false;
    }
  }
}

/**
 * What a parent fails with when a child escalates `error`: a supervisor that gave up passes its
 * `RestartIntensityExceededError` on as it is; any other failure is wrapped with the child's path.
 */
export function escalationError(childPath: string, error: unknown): SluiceError {
  return error instanceof RestartIntensityExceededError ? error : new ActorFailedError(childPath, error);
}
