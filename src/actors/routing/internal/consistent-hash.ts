/**
 * Consistent hashing: a message's key → its key group (MurmurHash3 of the key's canonical bytes,
 * as a pipeline's keyed stage computes it) → the slot that owns the group by rendezvous hashing.
 * The group → routee table is rebuilt only when the routees' slots change, so a pick is a hash and
 * two array reads.
 */
import { InvalidOptionError } from '../../../errors.js';
import { positiveInteger, withDefault } from '../../../internal/validate.js';
import type { PartitionKey } from '../../../streams/partitioning/canonical-key.js';
import { KeyGroupCache, MAX_MAX_PARALLELISM } from '../../../streams/partitioning/key-groups.js';
import { rendezvousOwners } from './rendezvous.js';
import type { RoutingLogic } from './routing-logic.js';
import type { Routee } from './routee.js';

/**
 * Key groups of a consistent-hash routing ref: more than a pipeline's 128, because groups are
 * placed by rendezvous hashing rather than in even ranges, and the spread of a few hundred groups
 * over a handful of routees is noticeably uneven.
 */
export const DEFAULT_KEY_GROUPS = 1024;

/**
 * Validates `keyGroups`.
 * @throws InvalidOptionError unless it is an integer from 1 to 32768.
 */
export function resolveKeyGroups(value: unknown): number {
  return withDefault(value, DEFAULT_KEY_GROUPS, (v) => {
    const groups = positiveInteger('keyGroups', v);
    if (groups > MAX_MAX_PARALLELISM) throw new InvalidOptionError('keyGroups', `an integer from 1 to ${MAX_MAX_PARALLELISM}`, v);
    return groups;
  });
}

export class ConsistentHash<TMessage> implements RoutingLogic<TMessage> {
  readonly strategy = 'consistent-hash';
  readonly #keyOf: (message: TMessage) => PartitionKey;
  readonly #groups: KeyGroupCache;
  readonly #keyGroups: number;
  #owners: Int32Array = new Int32Array(0);
  #version = -1;

  constructor(keyOf: (message: TMessage) => PartitionKey, keyGroups: number) {
    this.#keyOf = keyOf;
    this.#keyGroups = keyGroups;
    this.#groups = new KeyGroupCache(keyGroups);
  }

  pick(message: TMessage, routees: readonly Routee<TMessage>[], version: number): Routee<TMessage> | undefined {
    if (version !== this.#version) {
      this.#owners = rendezvousOwners(
        routees.map((routee) => routee.slot),
        this.#keyGroups,
      );
      this.#version = version;
    }
    const owner = this.#owners[this.#groups.keyGroupOf(this.#keyOf(message))] as number;
    const routee = routees[owner];
    // The key's routee is being replaced (or is draining): nobody else may take its keys meanwhile.
    return routee !== undefined && routee.accepting ? routee : undefined;
  }
}
