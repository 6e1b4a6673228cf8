/**
 * The ref of a pool or a group: a ref of this runtime like any other — so `ctx.tell` and
 * `ctx.send` reach it on a sequenced link — whose target is the routing, plus what only a routing
 * ref has. Pools and groups extend it with their own controls.
 */
import type { ActorRef } from '../../actor-ref.js';
import { LocalActorRef } from '../../internal/local-actor-ref.js';
import type { RoutingMetrics, RoutingRef, RoutingStrategy } from '../routing-ref.js';
import type { RoutingCore } from './routing-core.js';

export class RoutingActorRef<TMessage> extends LocalActorRef<TMessage> implements RoutingRef<TMessage> {
  readonly #core: RoutingCore<TMessage>;

  constructor(core: RoutingCore<TMessage>) {
    super(core);
    this.#core = core;
  }

  get routing(): RoutingStrategy {
    return this.#core.strategy;
  }

  routees(): ActorRef<TMessage>[] {
    return this.#core.routees();
  }

  broadcast(message: TMessage): Promise<number> {
    return this.#core.broadcast(message);
  }

  override metrics(): RoutingMetrics {
    return this.#core.metrics();
  }

  override toString(): string {
    return `RoutingRef(${this.path})`;
  }
}
