/**
 * Faults for a single actor under the TestKit: its handler throws as it takes its k-th message —
 * once (supervision restarts it and the message is processed again), or every time (poison: the
 * message ends in dead letters and the actor goes on) — before it runs, or once it has run, so
 * that whatever it changed in place stays changed. Plain data, generated and shrunk by
 * fast-check, and read back in words.
 */
import fc from 'fast-check';
import type { ActorDefinition } from '../actors/behavior.js';
import { boolean, positiveInteger, withDefault } from '../internal/validate.js';
import { ordinal } from './faults.js';

/**
 * The handler throws as it takes the `at`-th message (counting from 1, replays included): once,
 * or — with `poison` — every time it takes that message again.
 */
export interface ActorFault {
  readonly at: number;
  readonly poison: boolean;
  /**
   * Whether the fault strikes once the handler has run (its promise resolved) rather than before:
   * the actor fails as if the handler threw on its last line, and what the handler changed in
   * place — state shared with the snapshot, a memo outside it — stays changed.
   * @defaultValue false
   */
  readonly after?: boolean | undefined;
}

/** Thrown by an injected actor fault. */
export class InjectedFault extends Error {
  constructor(at: number, poison: boolean, after = false) {
    super(`injected ${poison ? 'poison' : 'fault'} ${after ? 'after' : 'at'} message ${at}`);
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
  /** Whether faults may strike after the handler has run (see {@link ActorFault.after}). @defaultValue false */
  after?: boolean | undefined;
}

/**
 * Lists of actor faults as fast-check values, shrinking toward fewer, earlier, non-poison ones
 * that strike before the handler runs.
 *
 * @throws InvalidOptionError naming `maxAt` or `maxFaults` when it is not a positive integer, or
 *   `poison` or `after` when it is not a boolean.
 *
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(actorFaultsArb(), async (faults) => { kit.system.spawn(withFaults(account, faults)); … }));
 * ```
 */
export function actorFaultsArb(options: ActorFaultOptions = {}): fc.Arbitrary<ActorFault[]> {
  const maxAt = withDefault(options.maxAt, 12, (v) => positiveInteger('maxAt', v));
  const maxFaults = withDefault(options.maxFaults, 3, (v) => positiveInteger('maxFaults', v));
  const poison = withDefault(options.poison, true, (v) => boolean('poison', v)) ? fc.boolean() : fc.constant(false);
  const after = withDefault(options.after, false, (v) => boolean('after', v));
  const at = fc.integer({ min: 1, max: maxAt });
  const fault: fc.Arbitrary<ActorFault> = after ? fc.record({ at, poison, after: fc.boolean() }) : fc.record({ at, poison });
  return fc.array(fault, { maxLength: maxFaults });
}

/**
 * `definition` with faults injected into its handler. The k-th message is the k-th the handler
 * takes, replays included; a poisoned message is recognised again by identity, so poisoning a
 * primitive message (a string, a number) poisons every equal one that follows. A fault `after`
 * runs the handler first and fails once it has returned; `onStrike` hears of each fault as it
 * first strikes, with the message it struck.
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
  return injectFaults(definition, faults, onStrike === undefined ? {} : { onStrike });
}

/** How {@link injectFaults} reports and limits its faults. */
export interface FaultHooks<TMessage> {
  /** Hears of each fault as it first strikes, with the message it struck. */
  readonly onStrike?: ((fault: ActorFault, message: TMessage) => void) | undefined;
  /**
   * Whether a poison fault may strike `message`; one due at a message it may not waits for the
   * next it may. @defaultValue any message
   */
  readonly poisonable?: ((message: TMessage) => boolean) | undefined;
}

/** {@link withFaults}, with a say in which messages poison may strike: the actor check's. */
export function injectFaults<TState, TMessage>(
  definition: ActorDefinition<TState, TMessage>,
  faults: readonly ActorFault[],
  { onStrike, poisonable }: FaultHooks<TMessage>,
): ActorDefinition<TState, TMessage> {
  let taken = 0;
  const struck = new Set<ActorFault>();
  const poisoned = new Map<TMessage, ActorFault>();
  const due = (fault: ActorFault, message: TMessage): boolean => {
    if (struck.has(fault)) return false;
    if (!fault.poison || poisonable === undefined) return fault.at === taken;
    return fault.at <= taken && poisonable(message);
  };
  const strike = (message: TMessage): ActorFault | undefined => {
    const again = poisoned.get(message);
    if (again !== undefined) return again;
    const fault = faults.find((f) => due(f, message));
    if (fault === undefined) return undefined;
    struck.add(fault);
    if (fault.poison) poisoned.set(message, fault);
    onStrike?.(fault, message);
    return fault;
  };
  return {
    ...definition,
    receive(state, message, ctx) {
      taken++;
      const fault = strike(message);
      if (fault === undefined) return definition.receive.call(definition, state, message, ctx);
      const error = new InjectedFault(fault.at, fault.poison, fault.after);
      if (fault.after !== true) throw error;
      const next = definition.receive.call(definition, state, message, ctx);
      if (next instanceof Promise) {
        return next.then(() => {
          throw error;
        });
      }
      throw error;
    },
  };
}

/** One actor fault in words, e.g. `fails after handling its 2nd message`. */
export function describeActorFault(fault: ActorFault): string {
  const nth = ordinal(fault.at);
  if (fault.poison) return `poisons its ${nth} message (${fault.after === true ? 'fails after handling it' : 'throws'} every time)`;
  return fault.after === true ? `fails after handling its ${nth} message` : `throws at its ${nth} message`;
}

/** Actor faults in words, e.g. `throws at its 2nd message; poisons its 5th message (throws every time)`. */
export function describeActorFaults(faults: readonly ActorFault[]): string {
  if (faults.length === 0) return 'none';
  return faults.map(describeActorFault).join('; ');
}
