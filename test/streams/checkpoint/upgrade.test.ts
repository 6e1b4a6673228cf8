import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DroppedStateError,
  InvalidOptionError,
  UpgradeFailedError,
  defineJob,
  fromArray,
  fromGenerator,
  pipeline,
  toArray,
  toCallback,
  type PipelineHandle,
  type Source,
} from '../../../src/index.js';
import { guardHost, nextMacrotask } from '../../helpers/host-guard.js';
import { refusedOption } from '../../helpers/refused-option.js';
import { brokenVersion, expectCountedOnce, version1, version2, type VersionOutput } from './upgrade-versions.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-upgrade-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const words = Array.from({ length: 4_000 }, (_, i) => `w${(i * 7) % 41}`);

/** Resolves when `count` calls of the returned function have been made: a record-count event to await. */
function countdown(count: number): { readonly reached: Promise<void>; readonly tick: (seen: number) => void } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => {
    resolve = r;
  });
  return { reached, tick: (seen) => void (seen === count && resolve()) };
}

/** What the job module's runs write, and what each of its words is told to. */
const jobOutput: { out: VersionOutput; onWord: ((seen: number) => void) | undefined } = { out: [], onWord: undefined };

/** Version 2 as a job module: its source and partitions come from its args. */
const version2Job = defineJob(import.meta.url, (args: { readonly input: readonly string[]; readonly partitions: number }) =>
  version2({ source: fromArray(args.input), partitions: args.partitions, out: jobOutput.out, onWord: (seen) => jobOutput.onWord?.(seen) }),
);

describe('PipelineHandle', () => {
  describe('upgrade', () => {
    it('swaps a pipeline for a job module and that for another pipeline, on a folder of checkpoints, each record counted once', async () => {
      const guard = guardHost();
      const source = fromArray(words);
      const out: VersionOutput = (jobOutput.out = []);
      const checkpoint = { dir: join(dir, 'checkpoints'), interval: Infinity };
      const inV1 = countdown(500);
      const inV2 = countdown(700);
      jobOutput.onWord = inV2.tick;
      const v1 = version1({ source, partitions: 2, out, onWord: inV1.tick }).run({ checkpoint, batchSize: 16, name: 'counts' });
      await inV1.reached;
      // The job module needs its args; the run options (name, batch size, checkpoints) carry over.
      const v2 = await v1.upgrade(version2Job, { args: { input: words, partitions: 4 } });
      expect(v2.status).toBe('running');
      expect(v2.metrics()).toMatchObject({ name: 'counts', stages: [{ partitions: 4 }] });
      const first = await v1.done;
      expect(first).toMatchObject({ stopped: true, checkpoints: 1 });
      await inV2.reached;
      const v3 = await v2.upgrade(version1({ source, partitions: 3, out }));
      const second = await v2.done;
      expect(second).toMatchObject({ stopped: true, resumedFrom: 1, checkpoints: 1 });
      const third = await v3.done;
      expect(third).toMatchObject({ stopped: false, resumedFrom: 2, recordsRead: words.length - first.recordsRead - second.recordsRead });
      expectCountedOnce(out, words, [first.recordsRead, first.recordsRead + second.recordsRead], [1, 2, 1]);
      expect((await readdir(checkpoint.dir)).sort()).toEqual(['chk-0000000002', 'chk-0000000003']);
      await nextMacrotask();
      expect(guard.unhandled).toEqual([]);
      expect(guard.leftoverHandles(), 'timers and immediates left').toBeLessThanOrEqual(0);
      guard.stop();
    });

    it('starts the previous version again from the same checkpoint when the next one cannot restore it, and returns why', async () => {
      const source = fromArray(words);
      const out: VersionOutput = [];
      const checkpoint = { dir: join(dir, 'checkpoints'), interval: Infinity };
      const reached = countdown(1_000);
      const v1 = version1({ source, partitions: 2, out, onWord: reached.tick }).run({ checkpoint, batchSize: 16 });
      await reached.reached;
      const error = await v1.upgrade(brokenVersion({ source, partitions: 2, out: [] })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpgradeFailedError);
      const failed = error as UpgradeFailedError;
      expect(failed.code).toBe('UPGRADE_FAILED');
      expect(failed.cause).toBeInstanceOf(DroppedStateError);
      expect((failed.cause as DroppedStateError).pipelineStages).toEqual(['tally']);
      const first = await v1.done;
      const rest = await failed.previous.done;
      expect(rest).toMatchObject({ resumedFrom: 1, recordsRead: words.length - first.recordsRead });
      // The same output as if no upgrade had been tried.
      expectCountedOnce(out, words, [], [1]);
    });

    it('starts the previous version again when the next one throws as it is run', async () => {
      const source = fromArray(words);
      const out: VersionOutput = [];
      const reached = countdown(100);
      const v1 = version1({ source, partitions: 3, out, onWord: reached.tick }).run({ checkpoint: { dir, interval: Infinity }, batchSize: 16 });
      await reached.reached;
      // A batch size the next version refuses, from the options the upgrade passes it.
      const error = await v1.upgrade(version2({ source, partitions: 3, out }), { batchSize: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UpgradeFailedError);
      expect(((error as UpgradeFailedError).cause as InvalidOptionError).option).toBe('batchSize');
      const first = await v1.done;
      // Upgrading the version started again fails the same way, and leaves it going on again.
      const previous = (error as UpgradeFailedError).previous;
      const again = await previous
        .upgrade({
          run: () => {
            throw new Error('not today');
          },
        })
        .catch((e: unknown) => e);
      expect(again).toBeInstanceOf(UpgradeFailedError);
      expect((again as UpgradeFailedError).cause).toEqual(new Error('not today'));
      const second = await previous.done;
      expect(second).toMatchObject({ stopped: true, resumedFrom: 1, checkpoints: 1 });
      const rest = await (again as UpgradeFailedError).previous.done;
      expect(rest).toMatchObject({ stopped: false, resumedFrom: 2, recordsRead: words.length - first.recordsRead - second.recordsRead });
      expectCountedOnce(out, words, [], [1]);
    });

    it('refuses what it cannot do before it stops anything, naming the option', async () => {
      const endless: Source<string, number> = fromGenerator(function* (from: number) {
        for (let i = from; ; i++) yield `w${i % 5}`;
      });
      const out: VersionOutput = [];
      const unchecked = version1({ source: endless, partitions: 2, out }).run();
      expect(await refusedOption(unchecked.upgrade(version2({ source: endless, partitions: 2, out })))).toBe('checkpoint');
      expect(unchecked.status).not.toBe('stopping');
      await unchecked.stop();

      const handle = version1({ source: endless, partitions: 2, out }).run({ checkpoint: { dir, interval: Infinity } });
      const next = version2({ source: endless, partitions: 2, out });
      expect(await refusedOption(handle.upgrade({} as typeof next))).toBe('next');
      expect(await refusedOption(handle.upgrade(next, { checkpoint: { dir } } as never))).toBe('options.checkpoint');
      expect(await handle.started).toBe(true);
      expect(handle.status).toBe('running');
      const result = await handle.stop();
      expect(await refusedOption(handle.upgrade(next))).toBe('upgrade');
      expect(result.checkpoints).toBe(1);
    });

    it('types the options after the next version by what its run takes', () => {
      const sink = toArray<string>();
      const plain = pipeline(fromArray(['a'])).to(sink);
      const typed = async (handle: PipelineHandle): Promise<void> => {
        await handle.upgrade(plain);
        await handle.upgrade(plain, { batchSize: 8, name: 'next' });
        // @ts-expect-error The next version takes its checkpoints where the current one does.
        await handle.upgrade(plain, { checkpoint: { dir: 'elsewhere' } });
        // @ts-expect-error A pipeline runs on one thread: `workers` is a job module's.
        await handle.upgrade(plain, { workers: 2 });
        // @ts-expect-error A job module with args needs them.
        await handle.upgrade(version2Job);
        await handle.upgrade(version2Job, { args: { input: ['a'], partitions: 2 }, workers: 1 });
        // @ts-expect-error Its args have the job's type.
        await handle.upgrade(version2Job, { args: { input: 'a', partitions: 2 } });
        // @ts-expect-error Anything else is no version to run.
        await handle.upgrade({ start: () => undefined });
      };
      expect(typeof typed).toBe('function');
      expect(typeof toCallback).toBe('function');
    });
  });
});
