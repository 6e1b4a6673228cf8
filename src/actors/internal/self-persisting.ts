/**
 * Definitions that keep their own state durable, built on top of `defineActor` (event-sourced
 * actors): their restart point is their journal, not the runtime's snapshots. The cell tells this
 * module about each actor it spawns, so such a definition refuses spawn options that would fight
 * it, and can publish events about its actor on the system's stream like the cell does.
 *
 * Invariant: a self-persisting actor never has runtime snapshot options, so the runtime keeps its
 * restart point after every message and a restart processes again only the message that failed.
 */
import { InvalidOptionError } from '../../errors.js';
import type { ResolvedSnapshotOptions } from '../../state/snapshot-options.js';
import type { ActorContext } from '../context.js';
import type { ActorEventBody } from './cell-reporter.js';

/**
 * The mark, holding what the definition is for the refusal's message (`an event-sourced actor`).
 * A symbol-keyed property rather than a side table: a wrapper that spreads the definition
 * (`withFaults`, say) keeps it.
 */
const SELF_PERSISTING = Symbol('sluice.selfPersisting');
/** An actor's context → how its cell publishes events. */
const emitters = new WeakMap<object, (event: ActorEventBody) => void>();

/** `definition`, marked as keeping its own state durable; `what` names it in errors. */
export function markSelfPersisting<TDefinition extends object>(definition: TDefinition, what: string): TDefinition {
  return { ...definition, [SELF_PERSISTING]: what };
}

/** How `definition` is named in errors when it keeps its own state durable; undefined for any other. */
export function selfPersistingAs(definition: object): string | undefined {
  return (definition as { readonly [SELF_PERSISTING]?: string })[SELF_PERSISTING];
}

/**
 * Called by the cell at spawn, before the actor is registered anywhere, for a definition that
 * {@link selfPersistingAs} names `what`.
 * @throws InvalidOptionError naming `snapshot` when the actor is given snapshot options.
 */
export function attachCell(what: string, snapshot: ResolvedSnapshotOptions, context: object, emit: (event: ActorEventBody) => void): void {
  const { everyMessages, everyMs, store, key } = snapshot;
  if (everyMessages !== undefined || everyMs !== undefined || store !== undefined || key !== undefined) {
    throw new InvalidOptionError('snapshot', `undefined for ${what} (its snapshots are set in its definition)`, snapshot);
  }
  emitters.set(context, emit);
}

/** Publishes `event` as the cell of `context` would, stamped with its path, id and time. */
export function emitFor(context: ActorContext<unknown>, event: ActorEventBody): void {
  emitters.get(context)?.(event);
}
