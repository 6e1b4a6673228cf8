/**
 * The behaviours an actor definition declares, as the runtime reads them: the names and the one it
 * starts in. `defineBehaviors` attaches them to the definition under a symbol, which the spread of
 * a definition (`{ ...definition, receive }`, as `withFaults` makes one) carries along.
 */
export const BEHAVIORS = Symbol('sluice.behaviors');

/** The behaviours of one definition. */
export interface BehaviorSet {
  readonly initial: string;
  readonly names: readonly string[];
}

/** The behaviours `definition` declares, or undefined for an actor of one `receive`. */
export function behaviorSetOf(definition: object): BehaviorSet | undefined {
  return (definition as { readonly [BEHAVIORS]?: BehaviorSet })[BEHAVIORS];
}
