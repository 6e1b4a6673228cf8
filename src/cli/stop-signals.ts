/**
 * SIGINT and SIGTERM while a command runs something long: the first asks it to stop (its
 * `signal` aborts), a second exits the process at once with 128 + the signal's number, abandoning
 * whatever the first is still waiting for. The listeners go with `dispose`, so nothing of them keeps
 * the process alive or outlives the command.
 */

/** The signals that stop a command, and the exit status each one ends the process with (128 + its number). */
export const STOP_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

export type StopSignal = keyof typeof STOP_SIGNALS;

export class StopSignals {
  readonly #controller = new AbortController();
  #stoppedBy: StopSignal | undefined;

  readonly #onSignal = (signal: StopSignal): void => {
    // process.exit here, not exitCode: the one asking twice wants the process gone, not the
    // last checkpoint or the slow sink the first request is still waiting for.
    if (this.#stoppedBy !== undefined) process.exit(STOP_SIGNALS[signal]);
    this.#stoppedBy = signal;
    this.#controller.abort();
  };

  /** Starts listening. */
  constructor() {
    for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.on(signal, this.#onSignal);
  }

  /** Aborts at the first signal. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The first signal that came, if one did. */
  get stoppedBy(): StopSignal | undefined {
    return this.#stoppedBy;
  }

  /** Stops listening. */
  dispose(): void {
    for (const signal of Object.keys(STOP_SIGNALS) as StopSignal[]) process.off(signal, this.#onSignal);
  }
}
