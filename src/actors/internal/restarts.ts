/**
 * One actor's restarts: how many it has had, the turn of the one in progress, a fresh restart its
 * own `ctx.stop()` asked for, and the waits before each — the backoff (exponential with jitter,
 * its series reset after a stable period) and, in a group restart, the turn behind the elder
 * siblings. A stop request cuts the wait in progress short and lets no later one begin: a stopping
 * actor restarts nothing. Made by the actor's first restart or self-stop: most actors have none.
 */
import type { Clock, TimerHandle } from '../../clock.js';
import { backoffDelay, nextAttempt, type ResolvedBackoff } from '../../supervision/backoff.js';
import type { RestartTurn } from './supervisor-state.js';

const RESOLVED = Promise.resolve();

export class Restarts {
  /** Restarts so far, fresh ones included. */
  count = 0;
  /** The turn of the restart in progress (or of the last one): a forced stop ends it, so younger siblings never wait for it. */
  turn: RestartTurn | undefined;
  /** A permanent actor called `ctx.stop()` inside a handler or a lifecycle step: it restarts afresh once that ends. */
  freshAfterStep = false;
  readonly #backoff: ResolvedBackoff | undefined;
  readonly #clock: Clock;
  readonly #random: () => number;
  #series: { attempt: number; at: number } | undefined;
  #interrupted = false;
  /** Ends the wait in progress early. */
  #cut: (() => void) | undefined;

  constructor(backoff: ResolvedBackoff | undefined, clock: Clock, random: () => number) {
    this.#backoff = backoff;
    this.#clock = clock;
    this.#random = random;
  }

  /** Waits out the backoff, then for `turn` (a group restart's elder siblings), unless interrupted. */
  async wait(turn: Promise<void> | undefined): Promise<void> {
    const backoff = this.#backoff;
    if (backoff !== undefined) {
      const clock = this.#clock;
      const attempt = nextAttempt(this.#series, clock.now(), backoff);
      const delay = backoffDelay(attempt, backoff, this.#random());
      if (delay > 0) await this.#sleep(delay);
      // The stable period that resets the series runs from the restart, not from the failure.
      this.#series = { attempt, at: clock.now() };
    }
    if (turn !== undefined) await this.#unlessInterrupted(turn);
  }

  /** A stop was requested: the wait in progress ends now, and later ones end at once. */
  interrupt(): void {
    this.#interrupted = true;
    this.#cut?.();
  }

  async #sleep(delay: number): Promise<void> {
    const clock = this.#clock;
    let timer: TimerHandle;
    // Kept alive (the clock's default): a restart is work in progress, not housekeeping.
    await this.#unlessInterrupted(new Promise<void>((resolve) => (timer = clock.setTimeout(resolve, delay))));
    clock.clearTimeout(timer);
  }

  #unlessInterrupted(until: Promise<void>): Promise<void> {
    if (this.#interrupted) return RESOLVED;
    return new Promise<void>((resolve) => {
      const cut = (): void => {
        if (this.#cut === cut) this.#cut = undefined;
        resolve();
      };
      this.#cut = cut;
      void until.then(cut);
    });
  }
}
