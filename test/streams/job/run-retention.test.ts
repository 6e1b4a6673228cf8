/**
 * A finished run leaves nothing for a scavenge (a minor GC) to keep: its objects die young. What a
 * scavenge keeps of it is promoted to the old generation and waits there for a full GC, which made
 * GC a fifth of a short run's cost.
 */
import { describe, expect, it } from 'vitest';
import { fromArray, pipeline, toArray, toAsyncIterable, type PipelineHandle, type PipelineResult } from '../../../src/index.js';
import type { KeyedStream } from '../../../src/streams/keyed-stream.js';
import { RunHandle } from '../../../src/streams/job/run-handle.js';
import { medianSurvivingTwoScavenges } from '../../helpers/scavenge-survival.js';

const records = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 50}`, n: i }));

const keyed = (): KeyedStream<{ key: string; n: number }, string, false> => pipeline(fromArray(records)).keyBy((record) => record.key, { partitions: 2 });

/** Runs that cover the handle, the topology, failing records, a partition operator with processing-time timers, a sink read by a loop. */
const runs: Record<string, () => Promise<PipelineResult>> = {
  'a keyed reduce': () =>
    keyed()
      .reduce(
        (sum: number, record) => sum + record.n,
        () => 0,
      )
      .to(toArray())
      .run().done,
  'a reduce that throws on some records': async () => {
    const result = await keyed()
      .reduce(
        (sum: number, record) => {
          if (record.n % 97 === 0) throw new Error(`no ${record.n}`);
          return sum + record.n;
        },
        () => 0,
      )
      .to(toArray())
      .run().done;
    expect(result.deadLetters).toBe(11);
    return result;
  },
  'a process function': () =>
    keyed()
      .process({
        initialState: () => 0,
        onRecord: (sum: number, record, ctx) => {
          ctx.emit(sum + record.n);
          return sum + record.n;
        },
      })
      .to(toArray())
      .run().done,
  'a sink a loop reads': async () => {
    const out = toAsyncIterable<{ key: string; n: number }>();
    const handle = pipeline(fromArray(records)).to(out).run();
    let read = 0;
    for await (const _ of out) read++;
    expect(read).toBe(records.length);
    return handle.done;
  },
};

describe('a finished run', () => {
  it.each(Object.entries(runs))('of %s survives no scavenge: nothing of it is promoted after it ended', async (_, build) => {
    const promoted = await medianSurvivingTwoScavenges(async () => {
      const result = await build();
      expect(result.recordsRead).toBe(records.length);
    });
    // Such a run of 1000 records kept 13–66 KB alive through scavenges while its handle, its
    // topology, a process operator and the loop's sink had object-literal getters (see
    // run-handle.ts), and 110 KB when its last failed record's error stayed in chain.ts; ~3 KB is
    // left now.
    expect(promoted).toBeLessThan(8 * 1024);
  });
});

describe('RunHandle', () => {
  it('reads the status from the run at each look, and passes the run’s answers on as they are', async () => {
    let status: PipelineHandle['status'] = 'starting';
    const run = pipeline(fromArray([1, 2, 3]))
      .to(toArray())
      .run();
    const handle = new RunHandle({ ...run, statusOf: () => status });
    expect(handle.status).toBe('starting');
    status = 'running';
    expect(handle.status).toBe('running');
    expect(handle.done).toBe(run.done);
    expect(handle.started).toBe(run.started);
    expect(handle.events).toBe(run.events);
    expect(handle.metrics).toBe(run.metrics);
    expect(handle.stop).toBe(run.stop);
    await handle.done;
  });
});
