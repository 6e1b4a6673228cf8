/**
 * Links, one side per actor: the set of actors this one is linked to. A link is symmetric, so
 * both sides always hold each other; when an actor stops, each partner hears of it once, through
 * the signal function its own side was made with, and no link to the stopped actor remains. A
 * side that ended signals its actor's exit at once to anyone linking to it afterwards. Most
 * actors never link: a side is made on the first link (or `ctx.trapExits`), its set on the first
 * link, and the exit only when someone hears it. A side also says how its actor takes the exits it
 * is signalled: as messages (trapping), or as failures of its own.
 */
import { ActorFailedError } from '../../errors.js';
import type { Exit, ExitReason } from '../exit.js';
import type { StopReason } from '../terminated.js';

export class Links {
  /** Exits of linked actors arrive as messages (true) or, when they failed, stop this side's actor (false). */
  trapsExits: boolean;
  #partners: Set<Links> | undefined;
  readonly #signal: (exit: Exit) => void;
  readonly #exitOf: () => Exit;
  #ended = false;

  /** `signal` delivers an exit signal to this side's actor; `exitOf` is that actor's exit, once it stopped. */
  constructor(signal: (exit: Exit) => void, exitOf: () => Exit, trapsExits: boolean) {
    this.trapsExits = trapsExits;
    this.#signal = signal;
    this.#exitOf = exitOf;
  }

  /**
   * Links this side's actor and `partner`'s; linking twice, or to itself, changes nothing. A
   * partner that already stopped signals its exit to this side at once instead.
   */
  link(partner: Links): void {
    if (partner === this) return;
    if (partner.#ended) {
      this.#signal(partner.#exitOf());
      return;
    }
    (this.#partners ??= new Set()).add(partner);
    (partner.#partners ??= new Set()).add(this);
  }

  unlink(partner: Links): void {
    this.#partners?.delete(partner);
    partner.#partners?.delete(this);
  }

  /** This side's actor stopped: every partner is signalled once, and no link remains. */
  ended(): void {
    this.#ended = true;
    const partners = this.#partners;
    if (partners === undefined || partners.size === 0) return;
    const exit = this.#exitOf();
    for (const partner of partners) {
      partner.#partners?.delete(this);
      partner.#signal(exit);
    }
    partners.clear();
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
