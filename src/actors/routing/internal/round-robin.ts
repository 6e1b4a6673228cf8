/**
 * Round-robin: each routee in turn, skipping one that does not take messages now. While the
 * routees stay the same and all take messages, any run of messages leaves no routee more than one
 * message ahead of another.
 */
import type { RoutingLogic } from './routing-logic.js';
import type { Routee } from './routee.js';

export class RoundRobin<TMessage> implements RoutingLogic<TMessage> {
  readonly strategy = 'round-robin';
  #next = 0;

  pick(_message: TMessage, routees: readonly Routee<TMessage>[]): Routee<TMessage> | undefined {
    const count = routees.length;
    for (let tried = 0; tried < count; tried++) {
      // Routees may have gone since the last pick: the turn wraps at the count there is now.
      const index = this.#next < count ? this.#next : 0;
      this.#next = index + 1;
      const routee = routees[index] as Routee<TMessage>;
      if (routee.accepting) return routee;
    }
    return undefined;
  }
}
