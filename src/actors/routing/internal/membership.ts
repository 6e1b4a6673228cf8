/**
 * What a routing ref needs from whoever keeps its routees — a pool, which spawns, replaces and
 * resizes them, or a group, which only holds refs it was given: the routees now, and what to do
 * when none of them may take a message.
 */
import type { ActorStatus } from '../../actor-ref.js';
import type { ActorSystem } from '../../actor-system.js';
import { DeadLetters } from '../../../mailbox/dead-letters.js';
import type { Routee } from './routee.js';

export interface Membership<TMessage> {
  readonly id: string;
  readonly name: string;
  readonly path: string;
  readonly status: ActorStatus;
  /** The routees now, in slot order; empty once stopped. */
  readonly routees: readonly Routee<TMessage>[];
  /** Changes whenever the routees' slots change (not when a replacement takes a slot over). */
  readonly version: number;
  /** Processed and dropped counts of routees that have left, so the totals never go down. */
  readonly retired: { readonly processed: number; readonly dropped: number };
  /**
   * Drops members that will never take a message again, and says whether it dropped any. Called
   * when no routee may take a message (which is then routed again), and before the routees are
   * shown or counted, not for every message.
   */
  prune(): boolean;
  /**
   * Resolves at the next change of routees — a routee may then take the message — or undefined
   * when none will come (the message is then refused).
   */
  nextChange(): Promise<void> | undefined;
  /** Posts `message` to dead letters as one nobody can take, naming this routing ref. */
  refuse(message: TMessage): void;
  stopRequested(): Promise<void>;
}

/** Posts `message`, sent to `recipient` (a routing ref) that could not take it, to `system`'s dead letters. */
export function postRefused(system: ActorSystem, recipient: string, message: unknown): void {
  const office = system.deadLetters;
  // Every system of this runtime keeps a DeadLetters; another implementation has its own way.
  if (office instanceof DeadLetters) office.post({ reason: 'recipient-stopped', recipient, message, at: system.clock.now() });
}
