/**
 * The members of a group: refs it was given, each in the slot named by its path. The group owns
 * none of them, so it never replaces one: a member that stops is passed by at once, and leaves the
 * group when a message finds nobody else to take it or the members are listed; under consistent
 * hashing its keys then go to the others.
 */
import { nanoid } from 'nanoid';
import { InvalidOptionError } from '../../../errors.js';
import type { ActorRef, ActorStatus } from '../../actor-ref.js';
import type { ActorSystem } from '../../actor-system.js';
import { postRefused, type Membership } from './membership.js';
import { Routee } from './routee.js';

const NONE: readonly never[] = Object.freeze([]);
const RESOLVED = Promise.resolve();

export class GroupMembers<TMessage> implements Membership<TMessage> {
  readonly id = nanoid();
  readonly name: string;
  readonly path: string;
  readonly retired = { processed: 0, dropped: 0 };
  readonly #system: ActorSystem;
  #routees: Routee<TMessage>[] = [];
  #version = 0;
  #stopped = false;

  /** @throws InvalidOptionError naming `routees[i]` for a ref of no Sluice system, or `routees` for two with one path. */
  constructor(system: ActorSystem, name: string, refs: readonly ActorRef<TMessage>[]) {
    this.#system = system;
    this.name = name;
    this.path = `group:${name}`;
    refs.forEach((ref, index) => {
      const routee = new Routee(ref.path, ref, `routees[${index}]`);
      if (this.#routees.some((member) => member.slot === routee.slot)) {
        throw new InvalidOptionError(
          'routees',
          'refs of distinct paths',
          refs.map((other) => other.path),
        );
      }
      this.#routees.push(routee);
    });
  }

  get status(): ActorStatus {
    return this.#stopped ? 'stopped' : 'running';
  }

  get routees(): readonly Routee<TMessage>[] {
    return this.#stopped ? NONE : this.#routees;
  }

  get version(): number {
    return this.#version;
  }

  prune(): boolean {
    const kept = this.#routees.filter((routee) => routee.accepting);
    if (kept.length === this.#routees.length) return false;
    for (const routee of this.#routees) if (!kept.includes(routee)) this.#retire(routee);
    this.#routees = kept;
    this.#version++;
    return true;
  }

  nextChange(): undefined {
    return undefined;
  }

  refuse(message: TMessage): void {
    postRefused(this.#system, this.path, message);
  }

  stopRequested(): Promise<void> {
    this.#stopped = true;
    return RESOLVED;
  }

  /**
   * Adds `ref` in the slot of its path; a member of that path that no longer takes messages gives
   * its place (and its keys) up to it. False when a member of that path still takes messages, or
   * the group is stopped.
   * @throws InvalidOptionError naming `ref` for a ref of no Sluice system.
   */
  add(ref: ActorRef<TMessage>): boolean {
    const routee = new Routee(ref.path, ref);
    if (this.#stopped) return false;
    const index = this.#routees.findIndex((member) => member.slot === routee.slot);
    if (index < 0) {
      this.#routees = [...this.#routees, routee];
      this.#version++;
      return true;
    }
    const present = this.#routees[index] as Routee<TMessage>;
    if (present.accepting) return false;
    this.#retire(present);
    // The slot stays, so no key moves: the table of key groups need not change.
    this.#routees = this.#routees.map((member, at) => (at === index ? routee : member));
    return true;
  }

  /** Removes `ref`; false when it is not a member. */
  remove(ref: ActorRef<TMessage>): boolean {
    const index = this.#routees.findIndex((member) => member.ref === ref);
    if (index < 0) return false;
    this.#retire(this.#routees[index] as Routee<TMessage>);
    this.#routees = this.#routees.filter((_, at) => at !== index);
    this.#version++;
    return true;
  }

  #retire(routee: Routee<TMessage>): void {
    const { processed, dropped } = routee.ref.metrics();
    this.retired.processed += processed;
    this.retired.dropped += dropped;
  }
}
