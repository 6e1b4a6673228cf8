/**
 * nexmark-q0 … nexmark-q8: the Nexmark queries Sluice has pipelines for, over the same generated
 * events (default stream: 10,000 events/s of event time, 10% delayed by up to 3 s). The floor is
 * the query's model, a plain loop over the event array; Sluice runs the query's pipeline over the
 * same array with checkpoints on (every second, into a fresh temporary folder per run), keyed
 * stages in 4 partitions. Both return the checksum of their rows. Generating the events is not
 * timed.
 */
import { fromArray } from '../../src/index.js';
import { DEFAULT_NEXMARK_CONFIG } from '../nexmark/config.js';
import type { NexmarkEvent } from '../nexmark/events.js';
import { generate } from '../nexmark/generator.js';
import { querySpec, runQuery, type SluiceQuery } from '../nexmark/cases.js';
import { defineCase, type BenchCase, type RunPlan, type Scale } from '../harness/bench-case.js';
import { CHECKPOINT_INTERVAL_MS, withCheckpointDirs } from './checkpoint-dirs.js';

const PARTITIONS = 4;

/**
 * Events per run. Query 5 (each bid in five sliding windows, then a count per auction and window
 * into a second keyed stage) is the slowest, so it reads half as many at full size, which also
 * keeps its numbers comparable with earlier runs. The quick sizes keep the seven cases to about
 * 20 s in all.
 */
const EVENTS: Readonly<Record<Scale, number>> = { quick: 50_000, full: 1_000_000 };
const Q5_EVENTS: Readonly<Record<Scale, number>> = { quick: 25_000, full: 500_000 };

/** One run of a full-size query takes seconds; a cold child still warms up once. */
const PLANS: Readonly<Record<Scale, RunPlan>> = { quick: { warmups: 1, runs: 3 }, full: { warmups: 2, runs: 5 } };

/**
 * The benchmark case of `query`, named `nexmark-<query>`.
 *
 * @example
 * ```ts
 * const benchCase = nexmarkBenchCase('q7');
 * const { operations, runner } = benchCase.load('plain loop (model)', 'quick');
 * ```
 */
export function nexmarkBenchCase(query: SluiceQuery): BenchCase {
  const spec = querySpec(query);
  const sizes = query === 'q5' ? Q5_EVENTS : EVENTS;
  const name = `nexmark-${query}`;
  return defineCase({
    name,
    unit: 'events',
    input: (scale): readonly NexmarkEvent[] => generate(0, sizes[scale]),
    operations: (events) => events.length,
    plans: PLANS,
    implementations: [
      {
        impl: 'plain loop (model)',
        role: 'floor',
        create: (events) => ({ run: () => spec.checksum(spec.model(events)) }),
      },
      {
        impl: `sluice pipeline${spec.keyed ? `, ${PARTITIONS} partitions` : ''}, checkpoints every ${CHECKPOINT_INTERVAL_MS / 1000} s`,
        role: 'sluice',
        create: (events) =>
          withCheckpointDirs(name, async (dir) => {
            const options = { partitions: PARTITIONS, maxOutOfOrdernessMs: DEFAULT_NEXMARK_CONFIG.maxDelayMs };
            const rows = await runQuery(query, fromArray(events), options, { checkpoint: { dir, interval: CHECKPOINT_INTERVAL_MS } });
            return spec.checksum(rows);
          }),
      },
    ],
  });
}
