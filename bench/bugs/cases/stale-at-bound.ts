/**
 * Sums of sensor readings from a feed that delivers readings at most `BOUND` ms behind the newest
 * one, where a reading further behind its sensor's newest is a stale retransmission and is
 * ignored. The buggy twin judges staleness one millisecond early: a reading exactly the bound
 * behind is on time (docs/event-time.md), yet it is dropped.
 */
import fc from 'fast-check';
import { pipeline, type Keyed } from '../../../src/index.js';
import { definePipelineBug } from '../pipeline-bug.js';
import type { JobIO } from '../plain/run-job.js';

/** How far behind the newest reading the feed may deliver one, in ms. */
const BOUND = 5;

interface Reading {
  readonly sensor: string;
  readonly ts: number;
  readonly value: number;
}

interface Sums {
  readonly newest: number;
  readonly sum: number;
  readonly count: number;
}

type SensorSum = Keyed<string, { readonly sum: number; readonly count: number }>;

const readings = fc.array(fc.record({ sensor: fc.constantFrom('s1', 's2'), ts: fc.integer({ min: 0, max: 60 }), value: fc.integer({ min: 0, max: 9 }) }), {
  maxLength: 30,
});

function build(buggy: boolean) {
  return ({ source, sink }: JobIO<Reading, SensorSum>, partitions: number) =>
    pipeline(source)
      .keyBy((r) => r.sensor, { partitions })
      .aggregate<Sums, { sum: number; count: number }>(
        {
          create: () => ({ newest: Number.NEGATIVE_INFINITY, sum: 0, count: 0 }),
          add(acc, r) {
            const stale = buggy ? r.ts <= acc.newest - BOUND : r.ts < acc.newest - BOUND;
            if (stale) return acc;
            return { newest: Math.max(acc.newest, r.ts), sum: acc.sum + r.value, count: acc.count + 1 };
          },
          result: ({ sum, count }) => ({ sum, count }),
        },
        { emit: 'final' },
      )
      .to(sink);
}

/** Every reading is within the bound, so none is stale: each sensor's sum and count. */
function sensorSums(input: readonly Reading[]): SensorSum[] {
  const sums = new Map<string, { sum: number; count: number }>();
  for (const { sensor, value } of input) {
    const s = sums.get(sensor) ?? { sum: 0, count: 0 };
    sums.set(sensor, { sum: s.sum + value, count: s.count + 1 });
  }
  return [...sums].map(([key, value]) => ({ key, value }));
}

/** The planted bug `stale-at-bound`, with its correct twin. */
export const staleAtBound = definePipelineBug({
  name: 'stale-at-bound',
  defect: 'a reading exactly the out-of-orderness bound behind its sensor’s newest is judged stale (<= where < is meant) and dropped',
  needs: 'disorder',
  build,
  input: readings,
  model: sensorSums,
  compare: 'multiset',
  eventTime: { bound: BOUND, timestampOf: (r) => r.ts, withTimestamp: (r, ts) => ({ ...r, ts }) },
  example: {
    input: [
      { sensor: 's1', ts: 10, value: 1 },
      { sensor: 's1', ts: 12, value: 2 },
      { sensor: 's2', ts: 11, value: 4 },
      { sensor: 's1', ts: 9, value: 3 },
    ],
    partitions: 2,
    expected: [
      { key: 's1', value: { sum: 6, count: 3 } },
      { key: 's2', value: { sum: 4, count: 1 } },
    ],
  },
});
