/**
 * What happens to an actor whose handler threw: a pure decision from the error to a directive,
 * so a policy can be unit-tested without running an actor.
 */

/**
 * - `'resume'`: keep the current state and go on with the next message.
 * - `'restart'`: run the `restarting` hook, start again from `initialState()`, run `started`, go on
 *   with the next message. The mailbox survives; children keep running.
 * - `'stop'`: stop the actor; its queued messages go to dead letters.
 * - `'escalate'`: stop the actor and fail its parent with an `ActorFailedError` whose `cause` is the
 *   error; the parent's own decider then applies. Escalation past a top-level actor fails the system.
 *
 * In every case the message whose handler threw goes to dead letters with the error (reason
 * `'handler-failed'`), and an `ask` for it rejects with `ActorFailedError`.
 */
export type Directive = 'resume' | 'restart' | 'stop' | 'escalate';

/** Every directive, for validation and documentation. */
export const DIRECTIVES: readonly Directive[] = ['resume', 'restart', 'stop', 'escalate'];

/** Maps a handler's error to a directive. */
export type Decider = (error: unknown) => Directive;

/** How an actor is supervised; set per spawn. */
export interface SupervisionOptions {
  /**
   * Chooses the directive for each error.
   * @defaultValue `() => 'restart'`
   */
  decide?: Decider | undefined;
}

/** The default decider: restart on any error. */
export const restartOnError: Decider = () => 'restart';
