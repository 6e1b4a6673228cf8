/**
 * An actor's behaviour: its initial state, its message handler and its lifecycle hooks. Logic is
 * separate from runtime: a definition is a plain, immutable value that can be spawned many times.
 */
import { InvalidOptionError } from '../errors.js';
import { isFunction, isObject } from '../internal/validate.js';
import type { ActorContext } from './context.js';

/**
 * What an actor is: `receive` computes the next state from the current one and a message.
 * State is treated as immutable: return a new value rather than mutating the old one.
 */
export interface ActorDefinition<TState, TMessage> {
  /** Builds the state of a freshly spawned (or restarted) actor. */
  initialState(): TState;
  /**
   * Handles one message and returns the next state, or a promise of it. The actor takes no other
   * message until a returned promise settles; other actors go on meanwhile. A throw (or rejection)
   * is handled by the actor's supervision decider.
   */
  receive(state: TState, message: TMessage, ctx: ActorContext<TMessage>): TState | Promise<TState>;
  /** Runs once before the first message, and again after each restart. Throwing stops the actor. */
  started?(state: TState, ctx: ActorContext<TMessage>): void | Promise<void>;
  /** Runs when the actor is stopping, after its children have stopped. */
  stopping?(state: TState, ctx: ActorContext<TMessage>): void | Promise<void>;
  /** Runs before a restart with the state being dropped and the error that caused it. */
  restarting?(state: TState, error: unknown, ctx: ActorContext<TMessage>): void | Promise<void>;
}

/**
 * Checks and freezes an actor definition; the types flow from the two type parameters.
 *
 * @throws InvalidOptionError when `initialState`, `receive` or a hook is not a function.
 * @example
 * ```ts
 * type Msg = { type: 'deposit'; amount: number } | { type: 'balance' };
 * const account = defineActor<{ balance: number }, Msg>({
 *   initialState: () => ({ balance: 0 }),
 *   receive(state, msg, ctx) {
 *     if (msg.type === 'deposit') return { balance: state.balance + msg.amount };
 *     ctx.reply(state.balance);
 *     return state;
 *   },
 * });
 * ```
 */
export function defineActor<TState, TMessage>(
  definition: ActorDefinition<TState, TMessage>,
): ActorDefinition<TState, TMessage> {
  validateDefinition(definition);
  return Object.freeze({ ...definition });
}

/** Throws unless `definition` has the shape of an {@link ActorDefinition}. */
export function validateDefinition(definition: unknown): void {
  if (definition === undefined) throw new InvalidOptionError('definition', 'an actor definition', definition);
  isObject('definition', definition);
  const candidate = definition as Record<string, unknown>;
  isFunction('initialState', candidate['initialState']);
  isFunction('receive', candidate['receive']);
  for (const hook of ['started', 'stopping', 'restarting'] as const) {
    if (candidate[hook] !== undefined) isFunction(hook, candidate[hook]);
  }
}
