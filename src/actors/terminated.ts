/**
 * The death-watch notification: an actor that watched another receives this message once the
 * watched actor has stopped, whatever the reason.
 */
import type { AnyActorRef } from './actor-ref.js';

/** Why an actor stopped. */
export type StopReason =
  /** `ref.stop()` or `ctx.stop()` was called. */
  | 'requested'
  /** Its parent or the whole system was stopping. */
  | 'shutdown'
  /** Its `started` hook threw, or its decider answered `'stop'`. */
  | 'failed'
  /** Its decider answered `'escalate'`. */
  | 'escalated'
  /** An actor linked to it failed, and it does not trap exits. */
  | 'linked';

/**
 * Delivered to a watcher when the watched actor has stopped. Include it in an actor's message
 * union to call `ctx.watch(ref)` without a mapping function.
 *
 * @example
 * ```ts
 * type Msg = { type: 'work' } | Terminated;
 * ```
 */
export interface Terminated {
  readonly type: 'terminated';
  /** The actor that stopped. */
  readonly ref: AnyActorRef;
  /** Why it stopped. */
  readonly reason: StopReason;
}
