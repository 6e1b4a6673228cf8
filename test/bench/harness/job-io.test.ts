import { describe, expect, it } from 'vitest';
import { JobIo } from '../../../bench/harness/job-io.js';
import { pipeline, type Keyed } from '../../../src/index.js';

function counter(io: JobIo<string, Keyed<string, number>>) {
  return pipeline(io.source())
    .keyBy((word) => word, { partitions: 2 })
    .reduce(
      (count: number) => count + 1,
      () => 0,
      { emit: 'final' },
    )
    .to(io.sink());
}

describe('JobIo', () => {
  describe('run', () => {
    it('lends the input to the pipeline built at the start and resolves with its output', async () => {
      const io = new JobIo<string, Keyed<string, number>>();
      const output = await io.run(['a', 'b', 'a'], () => counter(io).run());
      expect(output.sort((x, y) => x.key.localeCompare(y.key))).toEqual([
        { key: 'a', value: 2 },
        { key: 'b', value: 1 },
      ]);
    });

    it('gives a pipeline built outside a run (as in a worker thread) no input', async () => {
      const io = new JobIo<string, Keyed<string, number>>();
      await io.run(['a'], () => counter(io).run());
      const outside: Keyed<string, number>[] = [];
      await pipeline(io.source())
        .map((word) => ({ key: word, value: 1 }))
        .to({ name: 'outside', write: (records) => void outside.push(...records) })
        .run().done;
      expect(outside).toEqual([]);
    });

    it('refuses a second run while one is going, and takes the next once it settled', async () => {
      const io = new JobIo<string, Keyed<string, number>>();
      const first = io.run(['a'], () => counter(io).run());
      await expect(io.run(['b'], () => counter(io).run())).rejects.toThrow(/a run of this job module is going/);
      expect(await first).toEqual([{ key: 'a', value: 1 }]);
      expect(await io.run(['b'], () => counter(io).run())).toEqual([{ key: 'b', value: 1 }]);
    });
  });
});
