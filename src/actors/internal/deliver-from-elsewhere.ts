/**
 * The receiving end of a sequenced link from another thread: what arrives there goes into the
 * local actor's mailbox with the sender's path and number it was sent with.
 */
import { ActorCell } from './actor-cell.js';
import { Sequenced } from './envelope.js';
import { targetOf } from './local-actor-ref.js';
import type { ActorRef, AnyActorRef } from '../actor-ref.js';
import { InvalidOptionError } from '../../errors.js';

/**
 * Hands `message`, number `seq` from `sender` (an actor on another thread), to the local actor
 * behind `ref`, waiting for room in its mailbox.
 * @throws InvalidOptionError when `ref` is not an actor of this thread.
 */
export function deliverFromElsewhere<TMessage>(ref: ActorRef<TMessage>, message: TMessage, sender: string, seq: number): Promise<void> {
  const target = targetOf(ref as AnyActorRef);
  if (!(target instanceof ActorCell)) throw new InvalidOptionError('ref', 'a ref of a local actor', ref);
  return (target as ActorCell<unknown, TMessage>).deliverOrWait(new Sequenced(message, sender, seq));
}
