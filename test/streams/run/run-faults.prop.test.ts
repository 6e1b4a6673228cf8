/**
 * A run that fails, stops or is aborted at any point leaves its host as it found it: no rejection
 * left unhandled, no timer, immediate or open file left behind, and (with checkpoints) nothing still being
 * written, so a resume started at once reads a consistent folder and ends with exact output.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromGenerator, pipeline, toJsonLinesFile, type Keyed, type PipelineHandle, type Sink } from '../../../src/index.js';
import { guardHost, nextMacrotask } from '../../helpers/host-guard.js';
import { expectExactlyOnce } from '../checkpoint/word-count-job.js';

type Fault = { readonly kind: 'none' } | { readonly kind: 'sink-write' | 'pre-commit' | 'source' | 'stop' | 'abort'; readonly at: number };

interface Case {
  readonly words: number;
  readonly partitions: number;
  readonly batchSize: number;
  /** Checkpoint interval in ms, or undefined for a run without checkpoints. */
  readonly interval: number | undefined;
  readonly fault: Fault;
}

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.constant<Fault>({ kind: 'none' }),
  fc.record({ kind: fc.constantFrom('sink-write', 'pre-commit', 'source', 'stop', 'abort'), at: fc.integer({ min: 1, max: 40 }) }),
);

const aCase: fc.Arbitrary<Case> = fc.record({
  words: fc.integer({ min: 0, max: 3_000 }),
  partitions: fc.integer({ min: 1, max: 4 }),
  batchSize: fc.integer({ min: 1, max: 64 }),
  interval: fc.option(fc.constantFrom(1, 3, Infinity), { nil: undefined }),
  fault,
});

class InjectedFault extends Error {}

const wordAt = (i: number): string => `w${(i * 7) % 23}`;

/** The sink with a fault at its `at`-th write or pre-commit. */
function faultySink(inner: Sink<Keyed<string, number>>, fault: Fault): Sink<Keyed<string, number>> {
  let writes = 0;
  let preCommits = 0;
  return {
    ...inner,
    name: 'faulty',
    write(records) {
      if (fault.kind === 'sink-write' && ++writes === fault.at) throw new InjectedFault('sink write');
      return inner.write(records);
    },
    preCommit(id) {
      if (fault.kind === 'pre-commit' && ++preCommits === fault.at) throw new InjectedFault('pre-commit');
      return inner.preCommit?.(id);
    },
  };
}

function run(dir: string, c: Case, fault: Fault): PipelineHandle {
  const controller = new AbortController();
  let seen = 0;
  let handle: PipelineHandle | undefined;
  const source = fromGenerator(function* (from: number) {
    for (let i = from; i < c.words; i++) {
      if (fault.kind === 'source' && i - from + 1 === fault.at) throw new InjectedFault('source');
      yield wordAt(i);
    }
  });
  handle = pipeline(source)
    .tap(() => {
      seen++;
      if (fault.kind === 'stop' && seen === fault.at) void handle?.stop();
      if (fault.kind === 'abort' && seen === fault.at) controller.abort();
    })
    .keyBy((word) => word, { partitions: c.partitions })
    .reduce(
      (n: number) => n + 1,
      () => 0,
    )
    .to(faultySink(toJsonLinesFile<Keyed<string, number>>(join(dir, 'out.jsonl')), fault))
    .run({
      batchSize: c.batchSize,
      signal: controller.signal,
      ...(c.interval === undefined ? {} : { checkpoint: { dir: join(dir, 'checkpoints'), interval: c.interval } }),
    });
  return handle;
}

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-run-faults-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a run that fails, stops or is aborted', () => {
  it('leaves no unhandled rejection and no timer, and a resume started at once ends with exact output', async () => {
    await fc.assert(
      fc.asyncProperty(aCase, async (c) => {
        const folder = await mkdtemp(join(dir, 'case-'));
        const guard = guardHost();
        try {
          const outcome = await run(folder, c, c.fault).done.then(
            () => 'finished',
            (error: unknown) => error,
          );
          if (outcome !== 'finished') expect(outcome).toBeInstanceOf(InjectedFault);
          await nextMacrotask();
          await nextMacrotask();
          expect(guard.unhandled).toEqual([]);
          expect(guard.leftoverHandles(), 'timers and immediates left').toBeLessThanOrEqual(0);
          expect(guard.leftoverFiles(), 'files left open').toBeLessThanOrEqual(0);
          if (c.interval === undefined) return;
          // The documented way on after a failure or a stop: run the same job again, at once.
          await run(folder, c, { kind: 'none' }).done;
          await nextMacrotask();
          expect(guard.unhandled).toEqual([]);
          await expectExactlyOnce(
            folder,
            Array.from({ length: c.words }, (_, i) => wordAt(i)),
          );
        } finally {
          guard.stop();
        }
      }),
      { numRuns: 40 },
    );
  });
});
