/**
 * The machinery of `defineSupervisor`: starting a supervisor's children one at a time in spec
 * order, each once the one before it has started, and listing them for `which-children`.
 */
import type { AnyActorRef } from '../../actors/actor-ref.js';
import type { ActorContext } from '../../actors/context.js';
import { ActorCell } from '../../actors/internal/actor-cell.js';
import { targetOf } from '../../actors/internal/local-actor-ref.js';
import { ActorFailedError } from '../../errors.js';
import type { ResolvedChildSpec } from '../child-spec.js';
import type { SupervisedChild } from '../define-supervisor.js';

/**
 * Spawns a child per spec, in order, each once the one before it has started (its `started` hook
 * and any restore from its store ended), as OTP starts children. A child whose start fails fails
 * the supervisor's own start, and so stops the children started before it, last first. A
 * supervisor asked to stop meanwhile starts no more.
 * @throws ActorFailedError naming the child whose start failed, with its error as `cause`.
 */
export async function startChildren(ctx: Pick<ActorContext<never>, 'self' | 'spawn'>, specs: readonly ResolvedChildSpec[]): Promise<void> {
  for (const spec of specs) {
    if (ctx.self.status !== 'starting' && ctx.self.status !== 'restarting') return;
    const ref = ctx.spawn(spec.definition, spec.options);
    const exit = await (targetOf(ref) as unknown as ActorCell<unknown, unknown>).whenStartEnded();
    if (exit?.kind === 'failed') throw new ActorFailedError(ref.path, exit.error);
    if (exit !== undefined) return;
  }
}

/**
 * The children as `which-children` lists them, in spec order: each with its ref while it is alive.
 * A temporary child that stopped is left out, as it will not come back.
 */
export function supervisedChildren(specs: readonly ResolvedChildSpec[], live: readonly AnyActorRef[]): SupervisedChild[] {
  const byName = new Map(live.map((ref) => [ref.name, ref]));
  return specs.flatMap(({ id, restart }) => {
    const ref = byName.get(id);
    return ref === undefined && restart === 'temporary' ? [] : [{ id, restart, ref }];
  });
}
