/**
 * Which cases and probes a run does. `--case NAME` names one case, or a family: `keyed-actor`
 * selects `keyed-actor-uniform` and `keyed-actor-zipf`; or one probe by its exact name
 * (`http-fairness`). Pure.
 */
import type { BenchCase } from './bench-case.js';
import type { Probe } from './probe.js';

/**
 * The cases `name` selects, in registry order: all of them when `name` is `undefined`, the one so
 * named, or else every case named `name-…`; empty when `name` matches nothing.
 *
 * @example
 * ```ts
 * selectCases(CASES, 'keyed-actor').map((c) => c.name); // ['keyed-actor-uniform', 'keyed-actor-zipf']
 * ```
 */
export function selectCases<TCase extends Pick<BenchCase, 'name'>>(cases: readonly TCase[], name: string | undefined): TCase[] {
  if (name === undefined) return [...cases];
  const exact = cases.filter((candidate) => candidate.name === name);
  return exact.length > 0 ? exact : cases.filter((candidate) => candidate.name.startsWith(`${name}-`));
}

/**
 * The probes a run does: every one when `name` is `undefined` (a run of every case), else the probe
 * so named and those that belong to at least one of the selected cases.
 *
 * @example
 * ```ts
 * selectProbes(PROBES, selectCases(CASES, 'keyed-state'), 'keyed-state').map((p) => p.name); // ['keyed-snapshot-restore']
 * selectProbes(PROBES, [], 'http-fairness').map((p) => p.name); // ['http-fairness']
 * ```
 */
export function selectProbes<TProbe extends Pick<Probe, 'name' | 'cases'>>(
  probes: readonly TProbe[],
  cases: readonly Pick<BenchCase, 'name'>[],
  name: string | undefined,
): TProbe[] {
  if (name === undefined) return [...probes];
  return probes.filter((probe) => probe.name === name || probe.cases.some((owner) => cases.some((selected) => selected.name === owner)));
}
