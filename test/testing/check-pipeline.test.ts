import { test as fcTest } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { pipeline, type Keyed, type Sink } from '../../src/index.js';
import {
  applyRetimes,
  assertPipeline,
  checkPipeline,
  createOutputStore,
  definePipelineCheck,
  deliveryOrder,
  describeCase,
  describeFault,
  describeFaults,
  describeSchedule,
  exactlyOnceSink,
  faultPlanArb,
  PipelineCheckError,
  type Disorder,
  type PipelineCase,
  type PipelineIO,
  type Retime,
} from '../../src/testing/index.js';
import { totalsPipeline, type Payment } from './fixtures/running-totals.js';

const payments = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy', 'dee'), amount: fc.integer({ min: -9, max: 9 }) }), { maxLength: 20 });

/** Each user's running total after each of their payments. */
function runningTotals(records: readonly Payment[]): Keyed<string, number>[] {
  const totals = new Map<string, number>();
  return records.map(({ user, amount }) => {
    const total = (totals.get(user) ?? 0) + amount;
    totals.set(user, total);
    return { key: user, value: total };
  });
}

/** The totals check's options, for checks that differ from it in one option. */
const totalsOptions = {
  build: totalsPipeline,
  input: payments,
  params: fc.integer({ min: 1, max: 3 }),
  model: runningTotals,
  compare: 'per-key-order',
  keyOf: (out: Keyed<string, number>) => out.key,
  faults: { throws: true, crashes: true },
} as const;

const totals = definePipelineCheck(totalsOptions);

describe('definePipelineCheck', () => {
  describe('check', () => {
    fcTest.prop([totals.cases], { numRuns: 40 })('passes a correct pipeline under throws, crashes and any schedule', totals.check);

    it('drives a case on promise callbacks alone, checkpoints, ticks, kills and resumes included: no turn of the event loop', async () => {
      const immediate = vi.spyOn(globalThis, 'setImmediate');
      try {
        for (const testCase of fc.sample(totals.cases, { seed: 7, numRuns: 30 })) {
          immediate.mockClear();
          await totals.check(testCase);
          expect(immediate, describeCase(testCase)).not.toHaveBeenCalled();
        }
      } finally {
        immediate.mockRestore();
      }
    });

    it('runs a case the same way every time: the same writes, in the same batches, in the same order', async () => {
      const runs: string[][] = [];
      let log: string[] = [];
      const recorded = definePipelineCheck({
        build: (io) => totalsPipeline(io, 3),
        input: payments,
        model: runningTotals,
        compare: 'per-key-order',
        keyOf: (out) => out.key,
        faults: { throws: true, crashes: true },
        sink: (store) => {
          const inner = exactlyOnceSink(store);
          return { ...inner, write: (records) => (log.push(JSON.stringify(records)), inner.write(records)) };
        },
      });
      for (const testCase of fc.sample(recorded.cases, { seed: 42, numRuns: 15 })) {
        for (let i = 0; i < 2; i++) {
          log = [];
          await recorded.check(testCase);
          runs.push(log);
        }
      }
      for (let i = 0; i < runs.length; i += 2) expect(runs[i + 1]).toEqual(runs[i]);
    });

    it('runs a case the same whatever cases ran before it: nothing one case leaves behind reaches another', async () => {
      let log: string[] = [];
      const recorded = definePipelineCheck({
        ...totalsOptions,
        sink: (store) => {
          const inner = exactlyOnceSink(store);
          return { ...inner, write: (records) => (log.push(JSON.stringify(records)), inner.write(records)) };
        },
      });
      type Case = (typeof recorded)['cases'] extends fc.Arbitrary<infer T> ? T : never;
      const [first, ...others] = fc.sample(recorded.cases, { seed: 11, numRuns: 12 }) as [Case, ...Case[]];
      const writesOf = async (testCase: Case): Promise<string[]> => {
        log = [];
        await recorded.check(testCase);
        return log;
      };
      const alone = await writesOf(first);
      // Other inputs, partition counts, faults and schedules in between.
      for (const other of others) await writesOf(other);
      expect(await writesOf(first)).toEqual(alone);
    });

    it('accepts a run that fails because a partition is poisoned, as it must, and passes it otherwise', async () => {
      await fc.assert(
        definePipelineCheck({
          build: (io) => totalsPipeline(io, 2),
          input: payments,
          model: runningTotals,
          compare: 'per-key-order',
          keyOf: (o) => o.key,
          faults: { poison: true },
        }).property,
        {
          numRuns: 30,
        },
      );
    });

    it('fails a case whose records end in dead letters, unless they are allowed', async () => {
      const strict = (allowDeadLetters: boolean) =>
        definePipelineCheck({
          build: ({ source, sink }: PipelineIO<number, number>) =>
            pipeline(source)
              .map((n) => {
                if (n < 0) throw new Error('negative');
                return n;
              })
              .to(sink),
          input: fc.constant([1, -1, 2]),
          model: (input) => input.filter((n) => n >= 0),
          compare: 'total-order',
          schedule: false,
          allowDeadLetters,
        });
      const [testCase] = fc.sample(strict(false).cases, 1) as [PipelineCase<number>];
      await expect(strict(false).check(testCase)).rejects.toThrow(
        'the pipeline dead-lettered 1 record: operator-failed at map: -1 (StepError: map failed: negative)',
      );
      await strict(true).check(testCase);
    });

    it('says what differs, as the comparison sees it', async () => {
      const wrong = (compare: 'multiset' | 'total-order' | 'per-key-order', model: (input: readonly number[]) => number[]) =>
        definePipelineCheck({
          build: ({ source, sink }: PipelineIO<number, number>) => pipeline(source).rebalance({ partitions: 1 }).to(sink),
          input: fc.constant([3, 1, 2]),
          model,
          compare,
          keyOf: (n) => n % 2,
          schedule: false,
        });
      const failure = async (check: ReturnType<typeof wrong>) => {
        const [testCase] = fc.sample(check.cases, 1) as [PipelineCase<number>];
        return check.check(testCase).then(
          () => '',
          (error: unknown) => (error as Error).message,
        );
      };
      expect(await failure(wrong('total-order', (input) => [...input].sort()))).toContain(
        'the output has the right records in the wrong order (first difference at position 0)',
      );
      expect(await failure(wrong('multiset', (input) => [...input, 4]))).toContain(
        'the output differs from the model as a multiset (3 records, expected 4)\n  missing (1): 4',
      );
      expect(await failure(wrong('multiset', (input) => input.slice(1)))).toContain('unexpected (1): 3');
      expect(await failure(wrong('per-key-order', () => [1, 3, 2]))).toContain('the output for key 1 has the right records in the wrong order');
      expect(await failure(wrong('multiset', (input) => [...input].reverse()))).toBe('');
    });

    it('reports a pipeline that fails, with its error', async () => {
      const failing = definePipelineCheck({
        build: ({ source }: PipelineIO<number, number>) => {
          const broken: Sink<number> = { name: 'broken', write: () => Promise.reject(new Error('disk full')) };
          return pipeline(source).to(broken);
        },
        input: fc.constant([1]),
        model: (input) => input,
        compare: 'multiset',
        schedule: false,
      });
      const [testCase] = fc.sample(failing.cases, 1) as [PipelineCase<number>];
      await expect(failing.check(testCase)).rejects.toThrow('the pipeline failed (Error): disk full');
    });
  });

  describe('options', () => {
    const base = { build: totalsPipeline, input: payments, model: runningTotals };
    it('rejects an unknown comparison, naming it', () => {
      expect(() => definePipelineCheck({ ...base, compare: 'set' as never })).toThrow('`compare`');
    });
    it('needs keyOf to compare per key', () => {
      expect(() => definePipelineCheck({ ...base, compare: 'per-key-order' })).toThrow('`keyOf`');
    });
    it('needs input to be an arbitrary', () => {
      expect(() => definePipelineCheck({ ...base, input: [] as never, compare: 'multiset' })).toThrow('`input`');
    });
    it('rejects a non-boolean fault flag and a negative disorder bound', () => {
      expect(() => definePipelineCheck({ ...base, compare: 'multiset', faults: { throws: 'yes' as never } })).toThrow('`faults.throws`');
      expect(() => definePipelineCheck({ ...base, compare: 'multiset', faults: { disorder: { bound: -1, timestampOf: () => 0 } } })).toThrow(
        '`faults.disorder.bound`',
      );
      expect(() =>
        definePipelineCheck({ ...base, compare: 'multiset', faults: { disorder: { bound: 1, timestampOf: () => 0, withTimestamp: 'ts' as never } } }),
      ).toThrow('`faults.disorder.withTimestamp`');
    });
  });
});

describe('checkPipeline', () => {
  it('is a fast-check property', async () => {
    await fc.assert(
      checkPipeline({ build: (io) => totalsPipeline(io, 2), input: payments, model: runningTotals, compare: 'per-key-order', keyOf: (o) => o.key }),
      { numRuns: 10 },
    );
  });
});

describe('assertPipeline', () => {
  // Forgets each user's first payment after a restart: a bug only a fault shows.
  const forgetful = definePipelineCheck({
    build: ({ source, sink }: PipelineIO<Payment, Keyed<string, number>>) =>
      pipeline(source)
        .keyBy((p) => p.user, { partitions: 2 })
        .reduce(
          (total: number, p) => total + p.amount,
          () => 0,
        )
        .map(({ key, value }) => ({ key, value }))
        .to(sink),
    input: payments,
    model: runningTotals,
    compare: 'multiset',
    faults: { crashes: true },
    sink: (store) => {
      const inner = exactlyOnceSink(store);
      // Recovers by committing nothing: what the last checkpoint staged is lost.
      return { ...inner, recover: () => inner.recover?.(undefined, false) };
    },
  });

  it('throws one error: what differed, what happened, the shrunk case in words and the line that replays it', async () => {
    const error = await assertPipeline(forgetful, { seed: 7, numRuns: 200 }).then(
      () => undefined,
      (e: unknown) => e as PipelineCheckError,
    );
    expect(error).toBeInstanceOf(PipelineCheckError);
    const message = (error as PipelineCheckError).message;
    expect(message).toMatch(/^the output differs from the model as a multiset/);
    expect(message).toMatch(/\nwhat happened: .*killed/);
    expect(message).toMatch(/\ninput \(\d+ records?\): \[/);
    expect(message).toMatch(/\nschedule: batches of \d+/);
    expect(message).toMatch(/\nfaults: the pipeline is killed/);
    const replay = /replay: await assertPipeline\(check, \{ seed: (-?\d+), path: "([\d:]+)", endOnFailure: true \}\)$/.exec(message);
    expect(replay).not.toBeNull();
    // The replay line runs the shrunk case straight away, and fails the same way.
    const again = await assertPipeline(forgetful, { seed: Number(replay?.[1]), path: replay?.[2] as string, endOnFailure: true }).then(
      () => undefined,
      (e: unknown) => e as PipelineCheckError,
    );
    expect(again?.message.split('\nafter')[0]).toBe(message.split('\nafter')[0]);
  });

  it('resolves when the check holds', async () => {
    await assertPipeline(totals, { numRuns: 5 });
  });
});

describe('describing cases', () => {
  it('puts a case in words, one aspect per line', () => {
    const testCase = {
      input: [{ user: 'ada', amount: 1 }],
      params: 2,
      schedule: { batchSize: 2, mailboxBatches: 1, picks: [1, 0], ticks: [{ step: 3, ms: 5 }], checkpoints: [4] },
      faults: { faults: [{ kind: 'throw' as const, stage: 0, partition: 1, at: 3 }], delays: [] },
      delivered: [{ user: 'ada', amount: 1 }],
    };
    expect(describeCase(testCase)).toBe(
      [
        'input (1 record): [{"user":"ada","amount":1}]',
        'params: 2',
        'schedule: batches of 2, mailboxes of 1 batch, picks 1 0, +5 ms before step 3, checkpoint after 0 records',
        'faults: partition 1 of stage 0 throws at its 3rd record or marker',
      ].join('\n'),
    );
  });

  it('describes every kind of fault', () => {
    expect(describeFault({ kind: 'poison', stage: 1, partition: 0, at: 1 })).toBe(
      'partition 0 of stage 1 throws at every record or marker from its 1st on (poison)',
    );
    expect(describeFault({ kind: 'crash', afterRecords: 7, steps: 2 }, 5)).toBe(
      'the pipeline is killed after 1 record and 2 more steps, and resumed from its last checkpoint',
    );
    expect(describeFault({ kind: 'crash-before-commit', checkpoint: 2 })).toBe(
      'the pipeline is killed once checkpoint 2 is durable, before the sink commits it, and resumed',
    );
    expect(describeFaults({ faults: [], delays: [] })).toBe('none');
    const disorder = { bound: 5, timestampOf: (n: number) => n };
    expect(describeFaults({ faults: [], delays: [0, 5] }, [10, 5], disorder)).toBe(
      'records delivered out of order within 5 ms, in the order 0 1: record 1 (at 5) comes 5 behind',
    );
    const retimed = {
      faults: [],
      delays: [5, 0, 0],
      retimes: [
        { record: 0, like: 1, gap: 'bound' as const },
        { record: 2, like: 1, gap: 'equal' as const },
      ],
    };
    expect(describeFaults(retimed, [5, 10, 10], disorder)).toBe(
      'record 0 retimed to 5, exactly the bound (5) before record 1; record 2 retimed to 10, the time of record 1; ' +
        'records delivered out of order within 5 ms, in the order 1 2 0: record 0 (at 5) comes 5 behind',
    );
  });

  it('describes schedules', () => {
    expect(describeSchedule({ batchSize: 1, mailboxBatches: 3, picks: [], ticks: [], checkpoints: [] })).toBe(
      'batches of 1, mailboxes of 3 batches, queue order',
    );
  });
});

describe('deliveryOrder', () => {
  it('delivers every record once, never more than the bound behind one delivered before it', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 100 })), fc.array(fc.nat({ max: 10 })), fc.integer({ min: 0, max: 10 }), (times, delays, bound) => {
        const order = deliveryOrder(times, delays, { bound, timestampOf: (t) => t });
        expect([...order].sort((a, b) => a - b)).toEqual(times.map((_, i) => i));
        let newest = -Infinity;
        for (const i of order) {
          expect(times[i] as number).toBeGreaterThanOrEqual(newest - bound);
          newest = Math.max(newest, times[i] as number);
        }
      }),
    );
  });

  it('keeps input order without disorder', () => {
    expect(deliveryOrder(['b', 'a'], [], undefined)).toEqual([0, 1]);
  });
});

describe('faultPlanArb', () => {
  it('retimes records only when disorder says how to set a time', () => {
    const timestampOf = (t: number) => t;
    const without = fc.sample(faultPlanArb({ disorder: { bound: 5, timestampOf } }), { seed: 1, numRuns: 50 });
    expect(without.every((plan) => !('retimes' in plan))).toBe(true);
    const withTimes = fc.sample(faultPlanArb({ disorder: { bound: 5, timestampOf, withTimestamp: (_, t) => t } }), { seed: 1, numRuns: 50 });
    expect(withTimes.filter((plan) => (plan.retimes ?? []).some((r) => r.gap === 'bound')).length).toBeGreaterThan(10);
  });
});

describe('applyRetimes', () => {
  const retimable = (bound: number): Disorder<number> => ({ bound, timestampOf: (t) => t, withTimestamp: (_, t) => t });
  const plan = (retimes: Retime[], delays: number[] = []) => ({ faults: [], delays, retimes });

  it('moves a record exactly the bound before another, and delivers it right behind that one', () => {
    const disorder = retimable(5);
    const applied = applyRetimes([40, 300, 100], plan([{ record: 0, like: 0, gap: 'bound' }], [5, 5, 5]), disorder);
    expect(applied.input).toEqual([295, 300, 100]);
    expect(applied.plan).toEqual(plan([{ record: 0, like: 1, gap: 'bound' }], [5, 0, 5]));
    expect(deliveryOrder(applied.input, applied.plan.delays, disorder)).toEqual([2, 1, 0]);
  });

  it('moves it the bound after instead when before would leave the input’s range of times, and leaves the pair out when the range is narrower than the bound', () => {
    const after = applyRetimes([10, 12, 40], plan([{ record: 0, like: 0, gap: 'bound' }]), retimable(5));
    expect(after.input).toEqual([17, 12, 40]);
    expect(after.plan.delays).toEqual([0, 5, 0]);
    expect(describeFaults(after.plan, after.input, retimable(5))).toMatch(/^record 0 retimed to 17, exactly the bound \(5\) after record 1;/);
    const narrow = applyRetimes([10, 12], plan([{ record: 0, like: 0, gap: 'bound' }]), retimable(5));
    expect(narrow.input).toEqual([10, 12]);
    expect(narrow.plan.retimes).toEqual([]);
  });

  it('gives a record the time of another, and moves each record once', () => {
    const applied = applyRetimes(
      [1, 2, 3],
      plan([
        { record: 2, like: 1, gap: 'equal' },
        { record: 1, like: 0, gap: 'equal' },
      ]),
      retimable(5),
    );
    // `like` counts among the others from the record on: 1 past record 2 is record 1.
    expect(applied.input).toEqual([1, 2, 2]);
    expect(applied.plan.retimes).toEqual([{ record: 2, like: 1, gap: 'equal' }]);
  });

  it('changes nothing without withTimestamp', () => {
    const unchanged = plan([{ record: 0, like: 0, gap: 'bound' }], [1]);
    const applied = applyRetimes([40, 300], unchanged, { bound: 5, timestampOf: (t: number) => t });
    expect(applied.input).toEqual([40, 300]);
    expect(applied.plan).toBe(unchanged);
  });

  it('keeps every record within the bound of the newest before it and inside the input’s range, and each bound pair exactly the bound apart in delivery', () => {
    const retime = fc.record({ record: fc.nat({ max: 20 }), like: fc.nat({ max: 20 }), gap: fc.constantFrom('bound' as const, 'equal' as const) });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100 }), { minLength: 2 }),
        fc.array(fc.nat({ max: 10 })),
        fc.array(retime, { maxLength: 4 }),
        fc.integer({ min: 0, max: 10 }),
        (times, delays, retimes, bound) => {
          const disorder = retimable(bound);
          const { input, plan: applied } = applyRetimes(
            times,
            plan(
              retimes,
              delays.map((d) => Math.min(d, bound)),
            ),
            disorder,
          );
          const order = deliveryOrder(input, applied.delays, disorder);
          const newestBefore = new Map<number, number>();
          let newest = -Infinity;
          for (const i of order) {
            newestBefore.set(i, newest);
            expect(input[i] as number).toBeGreaterThanOrEqual(newest - bound);
            newest = Math.max(newest, input[i] as number);
          }
          for (const t of input) expect(t >= Math.min(...times) && t <= Math.max(...times)).toBe(true);
          for (const { record, like, gap } of applied.retimes ?? []) {
            const [a, b] = [input[record] as number, input[like] as number];
            if (gap === 'equal') {
              expect(a).toBe(b);
              continue;
            }
            expect(Math.abs(a - b)).toBe(bound);
            // The second of the two delivered is exactly the bound behind the newest before it.
            const second = order.indexOf(record) > order.indexOf(like) ? record : like;
            expect(newestBefore.get(second)).toBe((input[second] as number) + bound);
          }
        },
      ),
    );
  });
});

describe('exactlyOnceSink', () => {
  it('shows records once their checkpoint commits, and drops what came after the last one on recovery', async () => {
    const store = createOutputStore<number>();
    const first = exactlyOnceSink(store);
    await first.write([1, 2]);
    const token = await first.preCommit?.(1);
    await first.write([3]);
    await first.preCommit?.(2);
    await first.write([4]);
    expect(store.records).toEqual([]);
    // Killed before either commit: the resumed run recovers from checkpoint 1.
    const second = exactlyOnceSink(store);
    await second.recover?.(token, false);
    expect(store.records).toEqual([1, 2]);
    expect([...store.staged.keys()]).toEqual([]);
    await second.write([3, 4]);
    await second.close?.();
    expect(store.records).toEqual([1, 2, 3, 4]);
  });
});
