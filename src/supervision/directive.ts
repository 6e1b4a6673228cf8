/**
 * What happens to an actor whose handler threw: a pure decision from the error to a directive,
 * so a policy can be unit-tested without running an actor.
 */

/**
 * - `'resume'`: skip the message (to dead letters as `'handler-failed'`), keep the state, go on.
 * - `'restart'`: restart from the last snapshot and process the message again, with the ones taken
 *   since the snapshot; after `maxRetries` failures in a row it is a poison message instead.
 * - `'stop'`: the message goes to dead letters and the actor stops (unless it is `'permanent'`).
 * - `'escalate'`: the message goes to dead letters, the actor stops, and its parent fails with an
 *   `ActorFailedError` whose `cause` is the error; the parent's own decider then applies.
 *   Escalation past a top-level actor fails the system.
 *
 * An `ask` for a message that ends in dead letters rejects with `ActorFailedError`.
 */
export type Directive = 'resume' | 'restart' | 'stop' | 'escalate';

/** Every directive, for validation and documentation. */
export const DIRECTIVES: readonly Directive[] = ['resume', 'restart', 'stop', 'escalate'];

/** Maps a handler's error to a directive. */
export type Decider = (error: unknown) => Directive;

/** The default decider: restart on any error. */
export const restartOnError: Decider = () => 'restart';
