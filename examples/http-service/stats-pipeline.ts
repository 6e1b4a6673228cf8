/**
 * The service's pipeline: events keyed by `key` over a few partition actors, each key's count and
 * sum folded into the partition's keyed state. Nothing is emitted while the service runs (`emit:
 * 'final'`); GET /stats reads the state where it lives, with `handle.query('stats', key)`.
 */
import { pipeline, toCallback, type PipelineHandle, type RunOptions, type Source } from '../../src/index.js';
import type { Event } from './ingest.js';

/** What the service answers for a key. */
export interface Stats {
  readonly count: number;
  readonly sum: number;
}

/** The stage name to query. */
export const STATS_STAGE = 'stats';

export function runStatsPipeline(source: Source<Event, number>, partitions: number, options: RunOptions): PipelineHandle {
  return pipeline(source)
    .keyBy((event) => event.key, { partitions })
    .aggregate<Stats, Stats>(
      {
        create: () => ({ count: 0, sum: 0 }),
        add: (stats, event) => ({ count: stats.count + 1, sum: stats.sum + event.value }),
        result: (stats) => stats,
      },
      { name: STATS_STAGE, emit: 'final' },
    )
    .to(toCallback(() => undefined))
    .run(options);
}
