/**
 * Faults for a single actor under the TestKit: its handler throws as it takes its k-th message —
 * once (supervision restarts it and the message is processed again), or every time (poison: the
 * message ends in dead letters and the actor goes on). Plain data, generated and shrunk by
 * fast-check, and read back in words.
 */
import fc from 'fast-check';
import type { ActorDefinition } from '../actors/behavior.js';
import { positiveInteger, withDefault } from '../internal/validate.js';
import { ordinal } from './faults.js';

/**
 * The handler throws as it takes the `at`-th message (counting from 1, replays included): once,
 * or — with `poison` — every time it takes that message again.
 */
export interface ActorFault {
  readonly at: number;
  readonly poison: boolean;
}

/** Thrown by an injected actor fault. */
export class InjectedFault extends Error {
  constructor(at: number, poison: boolean) {
    super(`injected ${poison ? 'poison' : 'fault'} at message ${at}`);
    this.name = 'InjectedFault';
  }
}

/** Options of {@link actorFaultsArb}. */
export interface ActorFaultOptions {
  /** Largest `at`. @defaultValue 12 */
  maxAt?: number | undefined;
  /** Most faults. @defaultValue 3 */
  maxFaults?: number | undefined;
  /** Whether faults may be poison. @defaultValue true */
  poison?: boolean | undefined;
}

/**
 * Lists of actor faults as fast-check values, shrinking toward fewer, earlier, non-poison ones.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(actorFaultsArb(), async (faults) => { kit.system.spawn(withFaults(account, faults)); … }));
 * ```
 */
export function actorFaultsArb(options: ActorFaultOptions = {}): fc.Arbitrary<ActorFault[]> {
  const maxAt = withDefault(options.maxAt, 12, (v) => positiveInteger('maxAt', v));
  const maxFaults = withDefault(options.maxFaults, 3, (v) => positiveInteger('maxFaults', v));
  const poison = options.poison === false ? fc.constant(false) : fc.boolean();
  return fc.array(fc.record({ at: fc.integer({ min: 1, max: maxAt }), poison }), { maxLength: maxFaults });
}

/**
 * `definition` with faults injected into its handler. The k-th message is the k-th the handler
 * takes, replays included; a poisoned message is recognised again by identity, so poisoning a
 * primitive message (a string, a number) poisons every equal one that follows.
 *
 * @example
 * ```ts
 * const ref = kit.system.spawn(withFaults(counter, [{ at: 3, poison: false }]), { snapshot: { everyMessages: 1 } });
 * ```
 */
export function withFaults<TState, TMessage>(
  definition: ActorDefinition<TState, TMessage>,
  faults: readonly ActorFault[],
  onStrike?: (fault: ActorFault, message: TMessage) => void,
): ActorDefinition<TState, TMessage> {
  let taken = 0;
  const struck = new Set<ActorFault>();
  const poisoned = new Map<TMessage, ActorFault>();
  return {
    ...definition,
    receive(state, message, ctx) {
      taken++;
      const again = poisoned.get(message);
      if (again !== undefined) throw new InjectedFault(again.at, true);
      for (const fault of faults) {
        if (fault.at !== taken || struck.has(fault)) continue;
        struck.add(fault);
        if (fault.poison) poisoned.set(message, fault);
        onStrike?.(fault, message);
        throw new InjectedFault(fault.at, fault.poison);
      }
      return definition.receive.call(definition, state, message, ctx);
    },
  };
}

/** Actor faults in words, e.g. `throws at its 2nd message; poisons its 5th message`. */
export function describeActorFaults(faults: readonly ActorFault[]): string {
  if (faults.length === 0) return 'none';
  return faults.map((f) => (f.poison ? `poisons its ${ordinal(f.at)} message (throws every time)` : `throws at its ${ordinal(f.at)} message`)).join('; ');
}
