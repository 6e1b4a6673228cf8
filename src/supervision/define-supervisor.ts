/**
 * Supervisors defined as data, as in Erlang/OTP: a strategy, a restart intensity and a list of
 * child specs. The supervisor is an actor built on the runtime's own supervision — restart types,
 * strategies and intensity apply to its children as to any actor's — that starts its children in
 * order and answers which of them run. The machinery is in `internal/supervised-children.ts`.
 */
import type { ActorRef, AnyActorRef, AskOptions } from '../actors/actor-ref.js';
import { defineActor, type ActorDefinition } from '../actors/behavior.js';
import { isObject } from '../internal/validate.js';
import { resolveChildSpecs, type ChildSpec } from './child-spec.js';
import { startChildren, supervisedChildren } from './internal/supervised-children.js';
import type { RestartType } from './restart-type.js';
import { resolveSupervisor, type SupervisorOptions } from './strategy.js';

/** Options of {@link defineSupervisor}: how it supervises (as spawn's `supervisor` option), and its children. */
export interface DefineSupervisorOptions extends SupervisorOptions {
  /** The children, in the order they start; they stop in the reverse order. */
  readonly children: readonly ChildSpec[];
}

/** What a supervisor made by {@link defineSupervisor} answers. */
export type SupervisorMessage = {
  /** Replies with a `SupervisedChild[]`; see {@link whichChildren}. */
  readonly type: 'which-children';
};

/** One child as a supervisor lists it. */
export interface SupervisedChild {
  /** Its spec's id, which is also its name. */
  readonly id: string;
  readonly restart: RestartType;
  /** Its ref while it is alive (`ref.status` says whether it runs, restarts or stops); undefined once it has stopped. */
  readonly ref: AnyActorRef | undefined;
}

/**
 * Defines a supervisor: an actor that, when it starts, spawns its children one after another in
 * spec order (each once the one before it has started), and supervises them with `strategy`,
 * `maxRestarts` and `withinMs`, as spawn's `supervisor` option would. Each child restarts as its
 * spec's `restart` type says; when the supervisor stops, they stop last started first, each
 * forced after its `shutdownMs`. A child whose start fails fails the supervisor's start. When the
 * supervisor itself restarts, its children are stopped and started again in order.
 *
 * @throws InvalidOptionError naming the first bad option or child spec field (e.g. `children[1].id`).
 * @example
 * ```ts
 * const app = defineSupervisor({
 *   strategy: 'rest-for-one',
 *   maxRestarts: 3,
 *   withinMs: 5000,
 *   children: [
 *     { id: 'db', start: { definition: database } },
 *     { id: 'cache', start: { definition: cache }, restart: 'transient', shutdownMs: 1000 },
 *   ],
 * });
 * const ref = system.spawn(app, { name: 'app' });
 * ```
 */
export function defineSupervisor(options: DefineSupervisorOptions): ActorDefinition<null, SupervisorMessage> {
  isObject('options', options);
  const { children, ...supervisor } = options;
  resolveSupervisor(supervisor, '');
  const specs = resolveChildSpecs(children);
  return defineActor<null, SupervisorMessage>({
    initialState: () => null,
    supervisor,
    started: (_state, ctx) => startChildren(ctx, specs),
    receive(state, msg, ctx) {
      if (msg.type === 'which-children') ctx.reply(supervisedChildren(specs, ctx.children()));
      return state;
    },
  });
}

/**
 * The children of a supervisor made by {@link defineSupervisor}, in spec order, each with its ref
 * while it is alive; temporary children that stopped are left out.
 * @throws (rejects) as `ref.ask` does.
 */
export function whichChildren(ref: ActorRef<SupervisorMessage>, options?: AskOptions): Promise<SupervisedChild[]> {
  return ref.ask<SupervisedChild[]>({ type: 'which-children' }, options);
}
