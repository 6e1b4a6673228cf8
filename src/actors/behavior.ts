/**
 * An actor's behaviour: its initial state, its message handler and its lifecycle hooks. Logic is
 * separate from runtime: a definition is a plain, immutable value that can be spawned many times.
 */
import { produce, type Draft } from 'immer';
import { InvalidOptionError } from '../errors.js';
import { boolean, isFunction, isObject } from '../internal/validate.js';
import { resolveSupervisor, type SupervisorOptions } from '../supervision/strategy.js';
import type { ActorContext } from './context.js';
import type { Exit } from './exit.js';
import { checkStateVersioning, type StateMigration } from './state-version.js';

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
  /**
   * The version of the state's shape, a positive integer: raise it when a change to the code makes
   * state saved by the previous code unreadable as it is. Every snapshot saved to a store records
   * it; a snapshot of a newer version is refused (`StateVersionError`), one of an older version is
   * brought forward by `migrate` as it is restored.
   * @defaultValue 1 (also the version of a snapshot saved before versions were recorded)
   */
  readonly stateVersion?: number | undefined;
  /**
   * Brings state saved under an older `stateVersion` forward, once per key of a `KeyedState` or
   * once for plain state (see {@link StateMigration}); runs at load, before `started`. Without it,
   * an older snapshot is refused with a `StateVersionError`; when it throws, the actor does not
   * start (`StateMigrationError`) and the snapshot is left as it was.
   * @defaultValue undefined (only snapshots of `stateVersion` itself can be restored)
   */
  readonly migrate?: StateMigration<TState> | undefined;
  /**
   * Whether actors of this definition trap exits: an actor linked to them that stops arrives as an
   * {@link Exit} message, instead of stopping them when it failed. Only for message types that
   * include `Exit`; spawn's `trapExits` and `ctx.trapExits(on)` override it.
   * @defaultValue false
   */
  readonly trapExits?: (Exit extends TMessage ? boolean : false) | undefined;
  /**
   * How actors of this definition supervise their children: strategy and restart intensity. Spawn's
   * `supervisor` option overrides it field by field. `defineSupervisor` sets it.
   * @defaultValue undefined (spawn's `supervisor`, else one-for-one with 10 restarts within 10 s)
   */
  readonly supervisor?: SupervisorOptions | undefined;
}

/**
 * An actor that updates its state through an immer draft: `receive` mutates the draft (or returns
 * a replacement), and the runtime turns that into the next immutable state. Each message then pays
 * for one `produce` call, so keep this for state that is awkward to update by hand; `KeyedState`
 * offers `produce` on one value for large states.
 */
export interface DraftActorDefinition<TState, TMessage> extends Omit<ActorDefinition<TState, TMessage>, 'receive'> {
  readonly draft: true;
  receive(draft: Draft<TState>, message: TMessage, ctx: ActorContext<TMessage>): void | TState | Promise<void | TState>;
}

/**
 * Checks and freezes an actor definition; the types flow from the two type parameters. With
 * `draft: true`, `receive` gets an immer draft of the state to update in place.
 *
 * @throws InvalidOptionError when `initialState`, `receive` or a hook is not a function, naming
 *   `stateVersion` when it is not a positive integer, or `migrate` when it is not a function or
 *   is given while `stateVersion` is 1.
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
 *
 * // Later the balance moved to cents: state saved as { balance } is migrated as it is restored.
 * const accountV2 = defineActor<{ cents: number }, Msg>({
 *   initialState: () => ({ cents: 0 }),
 *   receive: (state) => state,
 *   stateVersion: 2,
 *   migrate: (old) => ({ cents: Math.round((old as { balance: number }).balance * 100) }),
 * });
 * ```
 */
export function defineActor<TState, TMessage>(definition: DraftActorDefinition<TState, TMessage>): ActorDefinition<TState, TMessage>;
export function defineActor<TState, TMessage>(definition: ActorDefinition<TState, TMessage>): ActorDefinition<TState, TMessage>;
export function defineActor<TState, TMessage>(
  definition: ActorDefinition<TState, TMessage> | DraftActorDefinition<TState, TMessage>,
): ActorDefinition<TState, TMessage> {
  validateDefinition(definition);
  if (!('draft' in definition) || definition.draft !== true) return checked(Object.freeze({ ...(definition as ActorDefinition<TState, TMessage>) }));
  const { draft: _draft, receive, ...rest } = definition;
  return checked({
    ...rest,
    receive(state: TState, message: TMessage, ctx: ActorContext<TMessage>): TState | Promise<TState> {
      // immer's recipe type cannot express "mutate the draft or return a replacement" generically.
      const recipe = (draft: Draft<TState>) => receive.call(definition, draft, message, ctx);
      return produce(state, recipe as never) as TState | Promise<TState>;
    },
  });
}

/**
 * Definitions `defineActor` made: checked as they were made, and frozen, so spawning one checks it
 * no more (a run of a pipeline spawns its actors from definitions made for it).
 */
const CHECKED = new WeakSet<object>();

function checked<TState, TMessage>(definition: ActorDefinition<TState, TMessage>): ActorDefinition<TState, TMessage> {
  const frozen = Object.isFrozen(definition) ? definition : Object.freeze(definition);
  CHECKED.add(frozen);
  return frozen;
}

/** Throws unless `definition` has the shape of an {@link ActorDefinition}. */
export function validateDefinition(definition: unknown): void {
  if (typeof definition === 'object' && definition !== null && CHECKED.has(definition)) return;
  if (definition === undefined) throw new InvalidOptionError('definition', 'an actor definition', definition);
  isObject('definition', definition);
  const candidate = definition as Record<string, unknown>;
  isFunction('initialState', candidate['initialState']);
  isFunction('receive', candidate['receive']);
  for (const hook of ['started', 'stopping', 'restarting'] as const) {
    if (candidate[hook] !== undefined) isFunction(hook, candidate[hook]);
  }
  checkStateVersioning(candidate);
  if (candidate['trapExits'] !== undefined) boolean('trapExits', candidate['trapExits']);
  if (candidate['supervisor'] !== undefined) {
    isObject('supervisor', candidate['supervisor']);
    resolveSupervisor(candidate['supervisor'] as SupervisorOptions, 'supervisor');
  }
  const draft = candidate['draft'];
  if (draft !== undefined && typeof draft !== 'boolean') throw new InvalidOptionError('draft', 'a boolean', draft);
}
