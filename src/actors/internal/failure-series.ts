/**
 * An actor's failures as supervision sees them: the entry that failed last and how many times in a
 * row (a retry series, which ends when that entry succeeds or is given up), every failure counted
 * for metrics, and for each failure the decider's directive turned into what follows. The cell
 * carries the outcome out; this only decides and reports.
 */
import { oneOf } from '../../internal/validate.js';
import { DIRECTIVES, type Directive } from '../../supervision/directive.js';
import { failureOutcome, type FailureOutcome } from '../../supervision/failure-outcome.js';
import type { ResolvedSupervision } from '../../supervision/supervision.js';
import type { CellReporter } from './cell-reporter.js';
import { unwrap, type Entry } from './envelope.js';
import type { Logged } from './restart-point.js';

export class FailureSeries<TMessage> {
  readonly #supervision: ResolvedSupervision;
  readonly #report: CellReporter;
  #failing: Logged<Entry<TMessage>> | undefined;
  #attempts = 0;
  #total = 0;

  constructor(supervision: ResolvedSupervision, report: CellReporter) {
    this.#supervision = supervision;
    this.#report = report;
  }

  /** Every failure so far, retries included. */
  get total(): number {
    return this.#total;
  }

  /** How many times in a row the failing entry has failed. */
  get attempts(): number {
    return this.#attempts;
  }

  /** The entry of the series in progress, if any. */
  get failing(): Logged<Entry<TMessage>> | undefined {
    return this.#failing;
  }

  /** A handler threw (or rejected) on the entry taken under `ordinal`: what follows. */
  handlerFailed(error: unknown, entry: Entry<TMessage>, ordinal: number): FailureOutcome {
    this.#total++;
    if (this.#failing?.ordinal === ordinal) this.#attempts++;
    else {
      this.#failing = { entry, ordinal };
      this.#attempts = 1;
    }
    const directive = this.#decide(error);
    this.#report.emit({ type: 'actor-failed', error, message: unwrap(entry), directive, attempt: this.#attempts });
    const { restart, maxRetries } = this.#supervision;
    return failureOutcome(directive, restart, this.#attempts, maxRetries);
  }

  /**
   * The actor failed without a message of its own (a child escalated to it): what follows. With no
   * message to retry or set aside, a retry means a restart and poison cannot happen.
   */
  failedWithoutMessage(error: unknown): FailureOutcome {
    this.#total++;
    const directive = this.#decide(error);
    this.#report.emit({ type: 'actor-failed', error, message: undefined, directive, attempt: 1 });
    return failureOutcome(directive, this.#supervision.restart, 1, Infinity);
  }

  /** The entry taken under `ordinal` succeeded or was given up: its series, if it has one, ends. */
  ended(ordinal: number): void {
    if (this.#failing?.ordinal === ordinal) this.#failing = undefined;
  }

  /** Ends the series in progress and returns its entry (a restart abandoned gives it up). */
  take(): Logged<Entry<TMessage>> | undefined {
    const failing = this.#failing;
    this.#failing = undefined;
    return failing;
  }

  /**
   * The decider's directive. A decider that throws, or answers something that is not a directive
   * (an `InvalidOptionError` naming the answer), is reported as `hook-failed` and means `'stop'`.
   */
  #decide(error: unknown): Directive {
    try {
      return oneOf('supervision.decide(error)', this.#supervision.decide(error), DIRECTIVES);
    } catch (deciderError) {
      this.#report.hookFailed('decide', deciderError);
      return 'stop';
    }
  }
}
