/**
 * A message on its way to an entity, in the three shapes a sender can send it: `tell` (nobody
 * waits), `send` (the sender waits for a mailbox to take it) and `ask` (the sender waits for the
 * reply). While its entity is being passivated a delivery waits with its settlement functions, and
 * is handed to the entity's next actor exactly as the sender would have handed it.
 */
import type { ActorRef, AskOptions } from '../../actor-ref.js';

export type Delivery<TMessage> =
  | { readonly kind: 'tell'; readonly message: TMessage }
  | { readonly kind: 'send'; readonly message: TMessage; readonly settle: Settle }
  | { readonly kind: 'ask'; readonly message: TMessage; readonly options: AskOptions | undefined; readonly settle: Settle };

/** How a waiting sender hears the outcome. */
export interface Settle {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * Hands `delivery` to `ref`: tells it, or sends or asks it with the outcome passed to the waiting
 * sender. Returns what `ref.tell` returned, or true for a send or an ask (their outcome comes later).
 */
export function handOver<TMessage>(ref: ActorRef<TMessage>, delivery: Delivery<TMessage>): boolean {
  switch (delivery.kind) {
    case 'tell':
      return ref.tell(delivery.message);
    case 'send':
      ref.send(delivery.message).then(delivery.settle.resolve, delivery.settle.reject);
      return true;
    case 'ask':
      ref.ask(delivery.message, delivery.options).then(delivery.settle.resolve, delivery.settle.reject);
      return true;
  }
}
