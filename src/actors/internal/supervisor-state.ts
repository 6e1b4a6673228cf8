/**
 * The parent's side of supervision, shared by actors and the system's top level: it counts the
 * restarts of its children against the intensity limit, and restarts the group its strategy names
 * one child after another in start order, as OTP does, so a child restarting can rely on its elder
 * siblings having restarted before it.
 */
import { ActorFailedError, RestartIntensityExceededError, type SluiceError } from '../../errors.js';
import { recordRestart } from '../../supervision/intensity.js';
import { restartGroup, type ResolvedSupervisor } from '../../supervision/strategy.js';
import type { Clock } from '../../clock.js';

/**
 * One child's turn in a group restart: it restarts once `ready` resolves (the restart of the child
 * before it in start order has ended), and calls `end()` once its own restart has ended, however
 * it ended — restarted, abandoned because it was stopped, or never begun because it was stopping.
 * A turn that never ended would keep its younger siblings waiting for ever.
 */
export class RestartTurn {
  /** When this child may restart; undefined for the first of its group, which need not wait. */
  readonly ready: Promise<void> | undefined;
  /** Resolves once `end()` was called. */
  readonly ended: Promise<void>;
  readonly #end: () => void;

  constructor(ready: Promise<void> | undefined) {
    this.ready = ready;
    let end!: () => void;
    this.ended = new Promise<void>((resolve) => {
      end = resolve;
    });
    this.#end = end;
  }

  /** This child's restart has ended; idempotent. */
  end(): void {
    this.#end();
  }

  /**
   * This child does not restart (it is stopping, or temporary): its turn ends once the one before
   * it has, so the children after it still restart after those before it.
   */
  pass(): void {
    if (this.ready === undefined) this.#end();
    else void this.ready.then(this.#end);
  }
}

/** A child as its supervisor restarts it. */
export interface RestartableChild {
  /** Restart from the last snapshot, in `turn`, as a sibling of a child that restarts. */
  restartRequested(cause: unknown, turn: RestartTurn): void;
}

export class SupervisorState<TChild extends RestartableChild> {
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
   * Records one restart of `child` among `children` (in start order), caused by `cause`, and asks
   * the siblings that restart with it to do so, each in its turn. Returns `child`'s own turn, or
   * undefined when this restart exceeds the intensity limit and the supervisor must give up
   * (nobody restarts then). A restart whose cause is exempt is made but not counted.
   */
  authorize(children: readonly TChild[], child: TChild, cause: unknown): RestartTurn | undefined {
    if (!this.#exempt(cause)) {
      const verdict = recordRestart(this.#history, this.#clock.now(), this.options);
      this.#history = verdict.history;
      if (verdict.exceeded) return undefined;
    }
    let ready: Promise<void> | undefined;
    let own: RestartTurn | undefined;
    for (const member of restartGroup(this.options.strategy, children, child)) {
      const turn = new RestartTurn(ready);
      ready = turn.ended;
      if (member === child) own = turn;
      else member.restartRequested(cause, turn);
    }
    return own;
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
