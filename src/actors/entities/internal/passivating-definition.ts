/**
 * An entity's definition: the user's, plus one message of our own that ends it. Passivation tells
 * an entity {@link PASSIVATE} behind everything already sent to it, so the entity handles its whole
 * queue first and then stops gracefully (its final snapshot saved): nothing queued is dead-lettered.
 */
import type { ActorDefinition } from '../../behavior.js';
import type { ActorContext } from '../../context.js';

/** The message that passivates an entity; recognised by identity, so it never collides with a user message. */
export const PASSIVATE: unique symbol = Symbol('sluice.passivate');

/** What an entity's actor takes: its definition's messages, and the passivation marker. */
export type EntityMessage<TMessage> = TMessage | typeof PASSIVATE;

/** `definition` with {@link PASSIVATE} handled: the entity stops once it reaches it. */
export function passivating<TState, TMessage>(definition: ActorDefinition<TState, TMessage>): ActorDefinition<TState, EntityMessage<TMessage>> {
  const { receive } = definition;
  return Object.freeze({
    ...(definition as ActorDefinition<TState, EntityMessage<TMessage>>),
    receive(state: TState, message: EntityMessage<TMessage>, ctx: ActorContext<EntityMessage<TMessage>>): TState | Promise<TState> {
      if (message !== PASSIVATE) return receive.call(definition, state, message, ctx as ActorContext<TMessage>);
      ctx.stop();
      return state;
    },
  });
}
