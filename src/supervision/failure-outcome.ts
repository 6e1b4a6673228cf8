/**
 * What one failure leads to, from the directive, the restart type and how often the message has
 * failed in a row. Pure, so the whole table is tested without running an actor.
 */
import type { Directive } from './directive.js';
import { restartsAfter, type RestartType } from './restart-type.js';

/**
 * - `'skip'`: dead-letter the message, keep the state, go on.
 * - `'retry'`: restart from the last snapshot and process the message again.
 * - `'poison'`: dead-letter the message as poison and go on from the state before it.
 * - `'skip-and-restart'`: dead-letter the message, then restart from the last snapshot.
 * - `'skip-and-stop'`: dead-letter the message, then stop.
 * - `'skip-and-escalate'`: dead-letter the message, stop, and fail the parent.
 */
export type FailureOutcome = 'skip' | 'retry' | 'poison' | 'skip-and-restart' | 'skip-and-stop' | 'skip-and-escalate';

/**
 * The outcome of a handler failing on a message for the `attempt`-th time in a row.
 *
 * @example
 * ```ts
 * failureOutcome('restart', 'transient', 3, 3); // 'poison'
 * ```
 */
export function failureOutcome(directive: Directive, type: RestartType, attempt: number, maxRetries: number): FailureOutcome {
  switch (directive) {
    case 'resume':
      return 'skip';
    case 'restart':
      if (!restartsAfter(type, 'restart-directive')) return 'skip-and-stop';
      return attempt >= maxRetries ? 'poison' : 'retry';
    case 'stop':
      return restartsAfter(type, 'stop-directive') ? 'skip-and-restart' : 'skip-and-stop';
    case 'escalate':
      return 'skip-and-escalate';
  }
}
