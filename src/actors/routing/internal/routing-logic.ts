/**
 * The routing decision, one strategy per file: which routee takes a message. A logic only picks;
 * what happens when it finds none (wait for a replacement, drop a stopped member, refuse) is the
 * membership's business. Picking allocates nothing.
 */
import { InvalidOptionError } from '../../../errors.js';
import { isObject, oneOf, withDefault } from '../../../internal/validate.js';
import { ROUTING_STRATEGIES, type RoutingOptions, type RoutingStrategy } from '../routing-ref.js';
import { ConsistentHash, resolveKeyGroups } from './consistent-hash.js';
import { LeastMailbox } from './least-mailbox.js';
import { RoundRobin } from './round-robin.js';
import type { Routee } from './routee.js';

export interface RoutingLogic<TMessage> {
  readonly strategy: RoutingStrategy;
  /**
   * The routee to take `message`, among `routees` (in slot order; `version` changes whenever their
   * slots do), or undefined when none that may take it accepts messages now.
   * @throws whatever `keyOf` throws, and InvalidKeyError for a key that is not a PartitionKey.
   */
  pick(message: TMessage, routees: readonly Routee<TMessage>[], version: number): Routee<TMessage> | undefined;
}

/**
 * The logic `options` ask for.
 * @throws InvalidOptionError naming `routing`, `keyOf` or `keyGroups`.
 */
export function createRoutingLogic<TMessage>(options: RoutingOptions<TMessage>): RoutingLogic<TMessage> {
  isObject('options', options);
  const strategy = withDefault<RoutingStrategy>(options.routing, 'round-robin', (v) => oneOf('routing', v, ROUTING_STRATEGIES));
  if (strategy === 'consistent-hash') {
    const { keyOf } = options;
    if (typeof keyOf !== 'function') throw new InvalidOptionError('keyOf', "a function (routing is 'consistent-hash')", keyOf);
    return new ConsistentHash(keyOf, resolveKeyGroups(options.keyGroups));
  }
  for (const option of ['keyOf', 'keyGroups'] as const) {
    if (options[option] !== undefined) throw new InvalidOptionError(option, "undefined unless routing is 'consistent-hash'", options[option]);
  }
  return strategy === 'round-robin' ? new RoundRobin() : new LeastMailbox();
}
