/**
 * Child restart types, as in Erlang/OTP, deciding what an actor's own exits lead to. Pure: a table
 * from (restart type, what happened) to whether the actor restarts or stays stopped.
 */

/**
 * - `'permanent'`: always restarted — after a failure, and also when it stops itself (`ctx.stop()`
 *   or a `'stop'` directive) or a linked actor fails: only its parent, `ref.stop()` or shutdown can
 *   stop it.
 * - `'transient'` (default): restarted only after a failure whose directive is `'restart'`;
 *   `ctx.stop()`, a `'stop'` directive and a linked actor's failure stop it for good.
 * - `'temporary'`: never restarted; a `'restart'` directive stops it.
 *
 * The default is `'transient'`, not OTP's `'permanent'`: actors commonly stop themselves when their
 * work is done, and a default that restarted them would surprise.
 */
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** Every restart type, for validation and documentation. */
export const RESTART_TYPES: readonly RestartType[] = ['permanent', 'transient', 'temporary'];

/**
 * What ended (or would end) an actor's current incarnation, from inside it — or, `'link-exit'`,
 * the failure of an actor linked to it that does not trap exits.
 */
export type OwnExit = 'restart-directive' | 'stop-directive' | 'self-stop' | 'link-exit';

/**
 * Whether an actor of `type` restarts (true) or stops (false) after `exit`.
 *
 * @example
 * ```ts
 * restartsAfter('temporary', 'restart-directive'); // false
 * ```
 */
export function restartsAfter(type: RestartType, exit: OwnExit): boolean {
  switch (type) {
    case 'permanent':
      return true;
    case 'transient':
      return exit === 'restart-directive';
    case 'temporary':
      return false;
  }
}
