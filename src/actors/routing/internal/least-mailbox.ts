/**
 * Least-mailbox: the routee with the smallest load (messages queued, plus one in progress), among
 * those that take messages. The scan starts after the routee picked last, so ties go to each in
 * turn rather than always to the first, and it stops at an idle routee, which nothing can beat.
 */
import type { RoutingLogic } from './routing-logic.js';
import type { Routee } from './routee.js';

export class LeastMailbox<TMessage> implements RoutingLogic<TMessage> {
  readonly strategy = 'least-mailbox';
  #start = 0;

  pick(_message: TMessage, routees: readonly Routee<TMessage>[]): Routee<TMessage> | undefined {
    const count = routees.length;
    const start = this.#start < count ? this.#start : 0;
    let best = -1;
    let bestLoad = Infinity;
    for (let offset = 0; offset < count; offset++) {
      const index = start + offset < count ? start + offset : start + offset - count;
      const routee = routees[index] as Routee<TMessage>;
      if (!routee.accepting) continue;
      const load = routee.load;
      if (load < bestLoad) {
        best = index;
        bestLoad = load;
        if (load === 0) break;
      }
    }
    if (best < 0) return undefined;
    this.#start = best + 1;
    return routees[best];
  }
}
