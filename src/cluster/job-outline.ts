/**
 * What a job's workers must agree on before they run it together: the plan's outline, and the
 * job's version (when its module declares one) with the versions it declares itself compatible
 * with. Two outlines that differ only in their versions go together when either side declares the
 * other's version compatible; any other difference keeps them apart.
 */
import { outlineDifference } from '../streams/plan/plan-outline.js';

const VERSION_LINE = /^job version (\S+)(?: compatible with (.+))?$/;

/** The outline a worker records and compares: the plan's, then a line for the job's version (when there is one). */
export function jobOutline(planLines: readonly string[], version: string | undefined, compatibleWith: readonly string[]): string[] {
  if (version === undefined) return [...planLines];
  const compatible = compatibleWith.length === 0 ? '' : ` compatible with ${compatibleWith.join(',')}`;
  return [...planLines, `job version ${version}${compatible}`];
}

interface Versioned {
  readonly plan: readonly string[];
  readonly version: string | undefined;
  readonly compatibleWith: readonly string[];
}

function split(outline: readonly string[]): Versioned {
  const last = outline[outline.length - 1];
  const match = last === undefined ? null : VERSION_LINE.exec(last);
  if (match === null) return { plan: outline, version: undefined, compatibleWith: [] };
  return { plan: outline.slice(0, -1), version: match[1], compatibleWith: match[2]?.split(',') ?? [] };
}

/**
 * How two job outlines differ: undefined when workers with them may run the job together (the
 * same outline, or the same plan under versions one side declares compatible); otherwise the first
 * difference, as "here: …; there: …".
 */
export function jobOutlineDifference(here: readonly string[], there: readonly string[]): string | undefined {
  const difference = outlineDifference(here, there);
  if (difference === undefined) return undefined;
  const mine = split(here);
  const theirs = split(there);
  const planDifference = outlineDifference(mine.plan, theirs.plan);
  if (planDifference !== undefined) return planDifference;
  const compatible =
    mine.version !== undefined &&
    theirs.version !== undefined &&
    (mine.compatibleWith.includes(theirs.version) || theirs.compatibleWith.includes(mine.version));
  return compatible ? undefined : difference;
}
