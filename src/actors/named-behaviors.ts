/**
 * Actors that switch what they do: a definition with several named behaviours — one message
 * handler each — of which one is current, switched with `ctx.become(name)` (Akka's `become`,
 * XState's states). The current behaviour is part of the actor's snapshots, beside its state, so a
 * restart comes back in the behaviour it had at the snapshot, and a snapshot store keeps it too.
 *
 * A behaviours definition is an ordinary `ActorDefinition` whose `receive` calls the current
 * behaviour's handler; the runtime finds the names under a symbol (`internal/behavior-set.ts`).
 */
import { InvalidOptionError } from '../errors.js';
import { isFunction, isObject } from '../internal/validate.js';
import type { ActorDefinition } from './behavior.js';
import { defineActor } from './behavior.js';
import type { ActorContext } from './context.js';
import { BEHAVIORS, type BehaviorSet } from './internal/behavior-set.js';

/** The context the handlers and hooks of a behaviours definition get: the usual one, and the behaviours. */
export interface BehaviorContext<TMessage, TName extends string> extends ActorContext<TMessage> {
  /** The behaviour the actor is in. */
  readonly behavior: TName;
  /**
   * Makes `name` the current behaviour: the next message is handled by its handler. Takes hold at
   * once (a later `become` in the same handler wins) and is undone if the handler throws.
   * @throws InvalidOptionError naming `ctx.become(name)` when `name` is not one of the definition's behaviours.
   */
  become(name: TName): void;
}

/** One behaviour: a message handler, as `receive` is. */
export type BehaviorHandler<TState, TMessage, TName extends string> = (
  state: TState,
  message: TMessage,
  ctx: BehaviorContext<TMessage, TName>,
) => TState | Promise<TState>;

/** What {@link defineBehaviors} takes: an actor definition whose `receive` is split into named behaviours. */
export interface BehaviorsDefinition<TState, TMessage, TName extends string> extends Omit<
  ActorDefinition<TState, TMessage>,
  'receive' | 'started' | 'stopping' | 'restarting'
> {
  /** The behaviour a fresh actor starts in (also after a fresh restart, from `initialState()`). */
  readonly initialBehavior: NoInfer<TName>;
  /** The handler of each behaviour, by name. */
  readonly behaviors: { readonly [K in TName]: BehaviorHandler<TState, TMessage, TName> };
  /** As `ActorDefinition.started`; may `become` (after a restart, it starts in the restored behaviour). */
  started?(state: TState, ctx: BehaviorContext<TMessage, TName>): void | Promise<void>;
  /** As `ActorDefinition.stopping`. */
  stopping?(state: TState, ctx: BehaviorContext<TMessage, TName>): void | Promise<void>;
  /** As `ActorDefinition.restarting`; a `become` here is undone by the rollback that follows. */
  restarting?(state: TState, error: unknown, ctx: BehaviorContext<TMessage, TName>): void | Promise<void>;
}

/**
 * Checks and freezes an actor definition made of named behaviours. The three type parameters are
 * the state, the message and the union of behaviour names; `ctx.become` takes only those names.
 *
 * How the behaviour goes with the actor's life:
 * - it is captured with every snapshot; a restart (from the last snapshot) comes back in the
 *   behaviour of the snapshot, and the messages processed again switch it as they did;
 * - a handler that throws has not switched it;
 * - with a snapshot store, the behaviour is saved with the state; a snapshot saved in a behaviour
 *   the definition no longer has is refused at start (`hook-failed`, `hook: 'restore'`), as state
 *   the code cannot read is;
 * - a fresh start (a `'permanent'` actor that stopped itself) begins in `initialBehavior`.
 *
 * @throws InvalidOptionError naming `behaviors` when it is not an object of at least one handler,
 *   `behaviors.<name>` when one is not a function, `initialBehavior` when it is not one of them,
 *   and what `defineActor` names for the rest.
 * @example
 * ```ts
 * type Msg = { type: 'open' } | { type: 'close' } | { type: 'knock'; who: string };
 * const door = defineBehaviors<string[], Msg, 'closed' | 'open'>({
 *   initialState: () => [],
 *   initialBehavior: 'closed',
 *   behaviors: {
 *     closed(visitors, msg, ctx) {
 *       if (msg.type === 'open') ctx.become('open');
 *       return visitors;
 *     },
 *     open(visitors, msg, ctx) {
 *       if (msg.type === 'close') ctx.become('closed');
 *       return msg.type === 'knock' ? [...visitors, msg.who] : visitors;
 *     },
 *   },
 * });
 * ```
 */
export function defineBehaviors<TState, TMessage, TName extends string>(
  definition: BehaviorsDefinition<TState, TMessage, TName>,
): ActorDefinition<TState, TMessage> {
  if (definition === undefined) throw new InvalidOptionError('definition', 'a behaviours definition', definition);
  isObject('definition', definition);
  const { behaviors, initialBehavior, ...rest } = definition;
  isObject('behaviors', behaviors);
  const names = Object.keys(behaviors);
  if (names.length === 0) throw new InvalidOptionError('behaviors', 'an object of at least one handler', behaviors);
  for (const name of names) isFunction(`behaviors.${name}`, (behaviors as Record<string, unknown>)[name]);
  if (typeof initialBehavior !== 'string' || !names.includes(initialBehavior)) {
    throw new InvalidOptionError('initialBehavior', `one of ${names.map((n) => `'${n}'`).join(', ')}`, initialBehavior);
  }
  const handlers = Object.freeze({ ...behaviors }) as Readonly<Record<string, BehaviorHandler<TState, TMessage, TName>>>;
  const set: BehaviorSet = Object.freeze({ initial: initialBehavior, names: Object.freeze(names) });
  return defineActor<TState, TMessage>({
    ...(rest as Omit<ActorDefinition<TState, TMessage>, 'receive'>),
    receive(state, message, ctx) {
      const context = ctx as BehaviorContext<TMessage, TName>;
      // Called as a method of `behaviors`, as the user wrote it.
      return (handlers[context.behavior] as BehaviorHandler<TState, TMessage, TName>).call(handlers, state, message, context);
    },
    [BEHAVIORS]: set,
  } as ActorDefinition<TState, TMessage>);
}
