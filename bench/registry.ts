/**
 * Every benchmark case and probe, by name: the parent lists them to spawn children, and a child
 * looks up the one it was told to run. Order here is the order of the table.
 */
import type { BenchCase } from './bench-case.js';
import { actorThroughputCase } from './cases/actor-throughput.js';
import { keyedActorCase } from './cases/keyed-actor.js';
import { keyedStateCase } from './cases/keyed-state.js';
import { memoryBoundCase } from './cases/memory-bound.js';
import { stateUpdateCase } from './cases/state-update.js';
import { wordcountCase } from './cases/wordcount.js';
import type { Probe } from './probe.js';
import { keyedSnapshotPauseProbe } from './probes/keyed-snapshot-pause.js';
import { keyedSnapshotRestoreProbe } from './probes/keyed-snapshot-restore.js';

/** All cases, in table order. */
export const CASES: readonly BenchCase[] = [
  actorThroughputCase,
  stateUpdateCase,
  keyedStateCase,
  keyedActorCase('uniform'),
  keyedActorCase('zipf'),
  wordcountCase,
  memoryBoundCase(1),
  memoryBoundCase(10),
];

/** All probes, in print order. */
export const PROBES: readonly Probe[] = [keyedSnapshotRestoreProbe, keyedSnapshotPauseProbe];

/**
 * The case of that name.
 * @throws Error when there is none (a child told to run a case that does not exist).
 */
export function findCase(name: string): BenchCase {
  const found = CASES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`No benchmark case named \`${name}\``);
  return found;
}

/**
 * The probe of that name.
 * @throws Error when there is none.
 */
export function findProbe(name: string): Probe {
  const found = PROBES.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`No benchmark probe named \`${name}\``);
  return found;
}
