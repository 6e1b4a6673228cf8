/**
 * Links, one side per actor: the set of actors this one is linked to. A link is symmetric, so
 * both sides always hold each other; when an actor stops, each partner hears of it once, through
 * the signal function its own side was made with, and no link to the stopped actor remains. A
 * side remembers how its actor exited, so linking to it afterwards signals that exit at once.
 */
import { ActorFailedError } from '../../errors.js';
import type { Exit, ExitReason } from '../exit.js';
import type { StopReason } from '../terminated.js';

export class Links {
  readonly #partners = new Set<Links>();
  readonly #signal: (exit: Exit) => void;
  #exit: Exit | undefined;

  /** `signal` delivers an exit signal to this side's actor. */
  constructor(signal: (exit: Exit) => void) {
    this.#signal = signal;
  }

  /**
   * Links this side's actor and `partner`'s; linking twice, or to itself, changes nothing. A
   * partner that already stopped signals its exit to this side at once instead.
   */
  link(partner: Links): void {
    if (partner === this) return;
    if (partner.#exit !== undefined) {
      this.#signal(partner.#exit);
      return;
    }
    this.#partners.add(partner);
    partner.#partners.add(this);
  }

  unlink(partner: Links): void {
    this.#partners.delete(partner);
    partner.#partners.delete(this);
  }

  /** This side's actor stopped with `exit`: every partner is signalled once, and no link remains. */
  ended(exit: Exit): void {
    this.#exit = exit;
    for (const partner of this.#partners) {
      partner.#partners.delete(this);
      partner.#signal(exit);
    }
    this.#partners.clear();
  }
}

/** The exit reason of an actor that stopped for `reason`; `error` is what made it stop, for the reasons that are failures. */
export function exitReasonOf(reason: StopReason, error: unknown): ExitReason {
  switch (reason) {
    case 'requested':
    case 'shutdown':
      return { kind: 'normal', stop: reason };
    case 'failed':
    case 'escalated':
    case 'linked':
      return { kind: 'failed', stop: reason, error };
  }
}

/** What an actor that does not trap exits fails with when `exit` reaches it: the partner's failure, naming the partner. */
export function linkedFailure(exit: Exit): ActorFailedError | undefined {
  return exit.reason.kind === 'failed' ? new ActorFailedError(exit.ref.path, exit.reason.error) : undefined;
}
