/**
 * Every benchmark case and probe, by name, each loaded on demand: a child imports only the module
 * of the case it runs (not RxJS, XState and every other case's), which keeps its start-up short and
 * its peak RSS its own. The parent loads them all to list their implementations. Order here is the
 * order of the table. Invariant: each name is the name of the case or probe it loads.
 */
import type { BenchCase } from './harness/bench-case.js';
import type { Probe } from './harness/probe.js';

type Loaders<T> = readonly (readonly [name: string, load: () => Promise<T>])[];

const CASES: Loaders<BenchCase> = [
  ['actor-throughput', async () => (await import('./cases/actor-throughput.js')).actorThroughputCase],
  ['actor-spawn', async () => (await import('./cases/actor-lightweight.js')).actorSpawnCase],
  ['actor-idle-memory', async () => (await import('./cases/actor-lightweight.js')).actorIdleMemoryCase],
  ['actor-million', async () => (await import('./cases/actor-lightweight.js')).actorMillionCase],
  ['state-update', async () => (await import('./cases/state-update.js')).stateUpdateCase],
  ['keyed-state', async () => (await import('./cases/keyed-state.js')).keyedStateCase],
  ['keyed-actor-uniform', async () => (await import('./cases/keyed-actor.js')).keyedActorCase('uniform')],
  ['keyed-actor-zipf', async () => (await import('./cases/keyed-actor.js')).keyedActorCase('zipf')],
  ['wordcount-records', async () => (await import('./cases/wordcount-records.js')).wordcountRecordsCase],
  ['wordcount', async () => (await import('./cases/wordcount.js')).wordcountCase],
  ['ingest', async () => (await import('./cases/ingest.js')).ingestCase],
  ['cpu-heavy', async () => (await import('./cases/cpu-heavy.js')).cpuHeavyCase],
  ['cluster', async () => (await import('./cases/cluster.js')).clusterBenchCase],
  ['memory-bound-1x', async () => (await import('./cases/memory-bound.js')).memoryBoundCase(1)],
  ['memory-bound-10x', async () => (await import('./cases/memory-bound.js')).memoryBoundCase(10)],
  ['checkpoint-overhead', async () => (await import('./cases/checkpoint-overhead.js')).checkpointOverheadCase],
  ['postgres-insert', async () => (await import('./cases/postgres.js')).postgresCase('insert')],
  ['postgres-upsert', async () => (await import('./cases/postgres.js')).postgresCase('upsert')],
  ...(['q0', 'q1', 'q2', 'q3', 'q5', 'q7', 'q8'] as const).map(
    (query) => [`nexmark-${query}`, async () => (await import('./cases/nexmark.js')).nexmarkBenchCase(query)] as const,
  ),
];

const PROBES: Loaders<Probe> = [
  ['actor-passes', async () => (await import('./probes/actor-passes.js')).actorPassesProbe],
  ['keyed-snapshot-restore', async () => (await import('./probes/keyed-snapshot-restore.js')).keyedSnapshotRestoreProbe],
  ['keyed-snapshot-pause', async () => (await import('./probes/keyed-snapshot-pause.js')).keyedSnapshotPauseProbe],
  ['checkpoint-stats', async () => (await import('./probes/checkpoint-stats.js')).checkpointStatsProbe],
  ['http-fairness', async () => (await import('./probes/http-fairness.js')).httpFairnessProbe],
  ['kit-case-cost', async () => (await import('./probes/kit-case-cost.js')).kitCaseCostProbe],
  ['threads-speedup', async () => (await import('./probes/threads-speedup.js')).threadsSpeedupProbe],
];

/** The names of all cases, in table order, without loading any. */
export const CASE_NAMES: readonly string[] = CASES.map(([name]) => name);

/**
 * All cases, in table order.
 *
 * @example
 * ```ts
 * (await loadCases()).map((benchCase) => benchCase.name); // ['actor-throughput', ...]
 * ```
 */
export function loadCases(): Promise<BenchCase[]> {
  return Promise.all(CASES.map(([, load]) => load()));
}

/** The names of all probes, in print order, without loading any. */
export const PROBE_NAMES: readonly string[] = PROBES.map(([name]) => name);

/** All probes, in print order. */
export function loadProbes(): Promise<Probe[]> {
  return Promise.all(PROBES.map(([, load]) => load()));
}

/**
 * The case of that name, its module loaded alone.
 * @throws Error when there is none (a child told to run a case that does not exist).
 */
export function loadCase(name: string): Promise<BenchCase> {
  return loadNamed(CASES, 'case', name);
}

/**
 * The probe of that name, its module loaded alone.
 * @throws Error when there is none.
 */
export function loadProbe(name: string): Promise<Probe> {
  return loadNamed(PROBES, 'probe', name);
}

async function loadNamed<T>(loaders: Loaders<T>, kind: string, name: string): Promise<T> {
  const entry = loaders.find(([candidate]) => candidate === name);
  if (entry === undefined) throw new Error(`No benchmark ${kind} named \`${name}\``);
  return entry[1]();
}
