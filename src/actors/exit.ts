/**
 * The exit signal of a link: when one of two linked actors stops, the other hears why. A failure
 * takes a partner that does not trap exits down with it; a partner that traps exits receives this
 * message instead, for failures and normal stops alike.
 */
import type { AnyActorRef } from './actor-ref.js';
import type { StopReason } from './terminated.js';

/**
 * Why a linked actor stopped, as its partners see it:
 * - `kind: 'normal'`: it was stopped without an error — `ref.stop()`, `ctx.stop()`, its parent or
 *   the system stopping (`stop` says which). A partner that does not trap exits goes on.
 * - `kind: 'failed'`: it stopped because of `error` — its decider answered `'stop'` or
 *   `'escalate'`, a lifecycle step threw, its supervisor gave up, or a partner of its own failed
 *   (`stop: 'linked'`, with an `ActorFailedError` naming that partner). A partner that does not
 *   trap exits stops too.
 */
export type ExitReason =
  | { readonly kind: 'normal'; readonly stop: Extract<StopReason, 'requested' | 'shutdown'> }
  | { readonly kind: 'failed'; readonly stop: Extract<StopReason, 'failed' | 'escalated' | 'linked'>; readonly error: unknown };

/**
 * Delivered to an actor that traps exits when an actor linked to it stops. Include it in the
 * actor's message union to trap exits.
 *
 * @example
 * ```ts
 * type Msg = { type: 'work' } | Exit;
 * // in receive:
 * if (msg.type === 'exit' && msg.reason.kind === 'failed') console.error(msg.ref.path, msg.reason.error);
 * ```
 */
export interface Exit {
  readonly type: 'exit';
  /** The linked actor that stopped. */
  readonly ref: AnyActorRef;
  /** Why it stopped. */
  readonly reason: ExitReason;
}
