/**
 * Which cases and probes a run does. `--case NAME` names one case, or a family: `keyed-actor`
 * selects `keyed-actor-uniform` and `keyed-actor-zipf`. Pure.
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
 * The probes that belong to at least one of the selected cases.
 *
 * @example
 * ```ts
 * selectProbes(PROBES, selectCases(CASES, 'keyed-state')).map((p) => p.name); // ['keyed-snapshot-restore']
 * ```
 */
export function selectProbes<TProbe extends Pick<Probe, 'cases'>>(probes: readonly TProbe[], cases: readonly Pick<BenchCase, 'name'>[]): TProbe[] {
  return probes.filter((probe) => probe.cases.some((name) => cases.some((selected) => selected.name === name)));
}
