/**
 * Groups: a routing ref over actors that exist already, spawned and supervised elsewhere (by
 * different parents, even). The group only routes: it never spawns, stops or replaces its members;
 * a member that stops is dropped from it (see `internal/group-members.ts`).
 */
import { nanoid } from 'nanoid';
import type { ActorRef } from '../actor-ref.js';
import type { ActorSystem } from '../actor-system.js';
import { InvalidOptionError } from '../../errors.js';
import { isObject } from '../../internal/validate.js';
import { GroupMembers } from './internal/group-members.js';
import { RoutingActorRef } from './internal/routing-actor-ref.js';
import { RoutingCore } from './internal/routing-core.js';
import { createRoutingLogic } from './internal/routing-logic.js';
import type { RoutingOptions, RoutingRef } from './routing-ref.js';

/** Options of {@link createGroup}. */
export interface GroupOptions<TMessage> extends RoutingOptions<TMessage> {
  /** Its members, in slot order: refs of `system`'s actors (or of pools and groups), of distinct paths. */
  routees: readonly ActorRef<TMessage>[];
  /**
   * Its name; its path is `group:<name>`, named in dead letters and errors.
   * @defaultValue 'group-<id>'
   */
  name?: string | undefined;
}

/**
 * A routing ref over existing actors. A member that stops leaves the group (its keys, under
 * consistent hashing, go to the others); a group whose members have all stopped refuses messages
 * as a stopped actor does. `stop()` stops the group, not its members.
 */
export interface Group<TMessage> extends RoutingRef<TMessage> {
  /**
   * Adds `ref` in the slot named by its path; a member of that path that has stopped gives its
   * place and its keys up to it. False when a member of that path still takes messages, or the
   * group is stopped.
   * @throws InvalidOptionError naming `ref` for a ref of no Sluice system.
   */
  add(ref: ActorRef<TMessage>): boolean;
  /** Removes `ref` from the group (it goes on running); false when it is not a member. */
  remove(ref: ActorRef<TMessage>): boolean;
  /** Stops routing: from now on the group refuses what it is sent. Its members go on. */
  stop(): Promise<void>;
}

class RoutingGroup<TMessage> extends RoutingActorRef<TMessage> implements Group<TMessage> {
  readonly #members: GroupMembers<TMessage>;

  constructor(members: GroupMembers<TMessage>, core: RoutingCore<TMessage>) {
    super(core);
    this.#members = members;
  }

  add(ref: ActorRef<TMessage>): boolean {
    return this.#members.add(ref);
  }

  remove(ref: ActorRef<TMessage>): boolean {
    return this.#members.remove(ref);
  }
}

/**
 * Creates a group routing over `options.routees`, which `system`'s dead letters hear of what the
 * group refuses.
 *
 * @throws InvalidOptionError naming `routees` (not an array, or two refs of one path), `routees[i]`
 * (not a ref of a Sluice system), `name`, `routing`, `keyOf` or `keyGroups`.
 * @example
 * ```ts
 * const replicas = createGroup(system, { routees: [primary, secondary], routing: 'least-mailbox' });
 * const answer = await replicas.ask<number>({ type: 'count' });
 * ```
 */
export function createGroup<TMessage>(system: ActorSystem, options: GroupOptions<TMessage>): Group<TMessage> {
  isObject('options', options);
  const logic = createRoutingLogic(options);
  if (!Array.isArray(options.routees)) throw new InvalidOptionError('routees', 'an array of refs', options.routees);
  const name = options.name ?? `group-${nanoid()}`;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidOptionError('name', 'a non-empty string', name);
  const members = new GroupMembers<TMessage>(system, name, options.routees);
  return new RoutingGroup(members, new RoutingCore<TMessage>(members, logic));
}
