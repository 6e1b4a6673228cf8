/**
 * Worker-thread faults: a check of a job module kills the job and resumes it on 2–3 worker threads,
 * which read on and are stopped at a checkpoint, the job then resuming on one thread. A correct job
 * passes with its state carried across thread counts both ways; a codec that loses a field where
 * records cross threads is found, and the shrunk case names the workers fault.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromArray, InvalidOptionError, pipeline, type Keyed } from '../../src/index.js';
import { assertPipeline, definePipelineCheck, describeFault, faultPlanArb, PipelineCheckError, type PipelineCase } from '../../src/testing/index.js';
import refunds, { balances, type Payment, type RefundParams } from './fixtures/refunds.job.js';

const payments = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy'), amount: fc.integer({ min: 1, max: 9 }), refund: fc.boolean() }), {
  minLength: 1,
  maxLength: 16,
});

function refundCheck(buggy: boolean, faults: Parameters<typeof definePipelineCheck<Payment, Keyed<string, number>, RefundParams>>[0]['faults']) {
  return definePipelineCheck<Payment, Keyed<string, number>, RefundParams>({
    job: refunds,
    input: payments,
    params: fc.constant({ buggy }),
    model: balances,
    compare: 'per-key-order',
    keyOf: (out) => out.key,
    faults,
  });
}

/** A case of `check` whose only fault is one workers fault. */
function workersCase(check: ReturnType<typeof refundCheck>, input: readonly Payment[], fault: { afterRecords: number; forRecords: number; workers: number }) {
  const sample = fc.sample(check.cases, { seed: 1, numRuns: 1 })[0] as PipelineCase<Payment, RefundParams>;
  return {
    ...sample,
    input,
    delivered: input,
    faults: { faults: [{ kind: 'workers' as const, steps: 0, ...fault }], delays: [] },
  };
}

const input: Payment[] = [
  { user: 'ada', amount: 5, refund: false },
  { user: 'bob', amount: 3, refund: false },
  { user: 'ada', amount: 2, refund: true },
  { user: 'cy', amount: 4, refund: false },
  { user: 'bob', amount: 1, refund: true },
  { user: 'ada', amount: 7, refund: false },
];

// Every workers fault starts threads (0.3–1 s each, more on a busy machine).
describe('workers faults', { timeout: 180_000 }, () => {
  it('carry the state to worker threads and back to one thread: the correct job passes', async () => {
    const check = refundCheck(false, { workers: true });
    // Stopped on the threads after 2 more records, then resumed on one thread.
    await check.check(workersCase(check, input, { afterRecords: 2, forRecords: 2, workers: 2 }));
    // The threads complete the job.
    await check.check(workersCase(check, input, { afterRecords: 3, forRecords: 64, workers: 3 }));
  });

  it('hold for the correct job among throws, crashes and rescales, whatever the moments and counts', async () => {
    const check = refundCheck(false, { throws: true, crashes: true, rescale: true, workers: true });
    let threaded = 0;
    await fc.assert(
      fc.asyncProperty(check.cases, async (testCase) => {
        if (testCase.faults.faults.some((fault) => fault.kind === 'workers')) threaded++;
        await check.check(testCase);
      }),
      { numRuns: 40, seed: 11 },
    );
    expect(threaded).toBeGreaterThanOrEqual(6);
  });

  it('tell what happened: resumed on threads, stopped at a checkpoint, resumed on one thread', async () => {
    const check = refundCheck(true, { workers: true });
    const error = await check.check(workersCase(check, input, { afterRecords: 1, forRecords: 3, workers: 2 })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineCheckError);
    const events = (error as PipelineCheckError).events.join('\n');
    expect(events).toMatch(/killed after 1 record, to resume on 2 worker threads \(run 1\)/);
    expect(events).toMatch(/run 2 resumed from (the start|checkpoint \d+) on 2 worker threads, stopped at a checkpoint after \d+ records/);
    expect((error as Error).message).toMatch(/killed after 1 record, and resumed from its last checkpoint on 2 worker threads/);
  });

  it('find a codec that loses a field where records cross threads, shrunk to the one workers fault', async () => {
    // One thread never crosses: without workers faults the buggy twin passes.
    await assertPipeline(refundCheck(true, { throws: true, crashes: true }), { numRuns: 15, seed: 7 });
    const error = await assertPipeline(refundCheck(true, { throws: true, crashes: true, workers: true }), { numRuns: 30, seed: 7 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineCheckError);
    const { testCase, message } = error as PipelineCheckError;
    expect(testCase.faults.faults).toHaveLength(1);
    expect(testCase.faults.faults[0]?.kind).toBe('workers');
    expect(message).toMatch(/worker threads/);
    expect(message).toMatch(/replay: await assertPipeline/);
  });

  it('fault plans draw worker counts from 2 to maxWorkers and read back in words', () => {
    const plans = fc.sample(faultPlanArb({ workers: { maxWorkers: 4 } }), { seed: 3, numRuns: 200 });
    const counts = new Set(plans.flatMap((plan) => plan.faults.flatMap((fault) => (fault.kind === 'workers' ? [fault.workers] : []))));
    expect([...counts].sort()).toEqual([2, 3, 4]);
    expect(describeFault({ kind: 'workers', afterRecords: 3, steps: 1, workers: 2, forRecords: 5 }, 10)).toBe(
      'the pipeline is killed after 3 records and 1 more step, and resumed from its last checkpoint on 2 worker threads, stopped at a checkpoint 5 records later and resumed on one thread',
    );
  });

  it('refuse workers faults without a job module, and options that cannot go with them', () => {
    const build = () => pipeline(fromArray([1])).to({ name: 'x', write: () => undefined });
    const base = { input: fc.array(fc.nat()), model: (xs: readonly number[]) => xs, compare: 'multiset' as const };
    expect(() => definePipelineCheck({ ...base, build, faults: { workers: true } })).toThrow(InvalidOptionError);
    expect(() => definePipelineCheck({ ...base, build, faults: { workers: true } })).toThrow(/faults\.workers/);
    expect(() => refundCheck(false, { workers: { maxWorkers: 1 } })).toThrow(/faults\.workers\.maxWorkers/);
    expect(() =>
      definePipelineCheck({
        job: refunds,
        build: () => pipeline(fromArray([])).to({ name: 'x', write: () => undefined }),
        input: payments,
        model: balances,
        compare: 'multiset',
      } as never),
    ).toThrow(/`job`/);
    expect(() =>
      definePipelineCheck<Payment, Keyed<string, number>, RefundParams>({
        job: refunds,
        input: payments,
        params: fc.constant({ buggy: false }),
        model: balances,
        compare: 'multiset',
        faults: { workers: true },
        upgrade: { build: () => pipeline(fromArray([])).to({ name: 'x', write: () => undefined }) as never },
      }),
    ).toThrow(/upgrade/);
  });
});
