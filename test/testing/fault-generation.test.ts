/**
 * How the kit draws faults (swarms, stage-wide throws, anchored kill points, rescales) and shrinks
 * a failing case to a minimum.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pipeline, type Keyed, type Sink } from '../../src/index.js';
import { anchorFaults } from '../../src/testing/fault-anchors.js';
import { minimizeParts, type CaseParts } from '../../src/testing/minimize-case.js';
import {
  DEFAULT_SCHEDULE,
  assertPipeline,
  definePipelineCheck,
  describeFault,
  faultPlanArb,
  PipelineCheckError,
  type Fault,
  type FaultPlan,
  type PipelineCase,
  type PipelineIO,
} from '../../src/testing/index.js';
import { totalsPipeline, type Payment } from './fixtures/running-totals.js';

const payments = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy'), amount: fc.integer({ min: 0, max: 9 }) }), { maxLength: 16 });

function totalsSoFar(records: readonly Payment[]): Keyed<string, number>[] {
  const totals = new Map<string, number>();
  return records.map(({ user, amount }) => {
    const total = (totals.get(user) ?? 0) + amount;
    totals.set(user, total);
    return { key: user, value: total };
  });
}

/** The options of a check of running totals with throws and crashes. */
const totalsOptions = {
  build: (io: PipelineIO<Payment, Keyed<string, number>>) => totalsPipeline(io, 2),
  input: payments as fc.Arbitrary<readonly Payment[]>,
  model: totalsSoFar,
  compare: 'per-key-order',
  keyOf: (out: Keyed<string, number>) => out.key,
  faults: { throws: true, crashes: true },
} as const;

const actorFault = (fault: Fault): fault is Extract<Fault, { kind: 'throw' | 'poison' }> => fault.kind === 'throw' || fault.kind === 'poison';

describe('faultPlanArb: swarms', () => {
  const plans = fc.sample(faultPlanArb({ throws: true, crashes: true }), { seed: 3, numRuns: 800 });

  it('leaves about one case in eight without faults, for bugs that need none', () => {
    const share = plans.filter((plan) => plan.faults.length === 0).length / plans.length;
    expect(share).toBeGreaterThan(0.07);
    expect(share).toBeLessThan(0.2);
  });

  it('gives some cases one kind of fault only, and concentrates some on one partition of one stage', () => {
    const kinds = plans.map((plan) => new Set(plan.faults.map((fault) => fault.kind)));
    for (const only of ['throw', 'crash', 'crash-before-commit'] as const) {
      expect(kinds.filter((set) => set.size === 1 && set.has(only)).length).toBeGreaterThan(20);
    }
    const concentrated = plans.filter((plan) => {
      const targets = plan.faults.filter(actorFault).map((fault) => `${fault.stage}/${String(fault.partition)}`);
      return targets.length >= 2 && new Set(targets).size === 1 && targets[0]?.endsWith('undefined') === false;
    });
    expect(concentrated.length).toBeGreaterThan(20);
  });

  it('aims half the partition faults at a whole stage, and anchors some kill points', () => {
    const throws = plans.flatMap((plan) => plan.faults.filter(actorFault));
    const stageWide = throws.filter((fault) => fault.partition === undefined).length / throws.length;
    expect(stageWide).toBeGreaterThan(0.25);
    expect(stageWide).toBeLessThan(0.75);
    const anchors = new Set(plans.flatMap((plan) => plan.faults.map((fault) => (fault.kind === 'crash' ? String(fault.anchor) : 'none'))));
    expect(anchors).toEqual(new Set(['none', 'undefined', 'checkpoint', 'past-checkpoint', 'end']));
  });

  it('kills in about half the faulty cases, once most often: a case is about 1.5 runs', () => {
    const kills = plans.map((plan) => plan.faults.filter((fault) => fault.kind === 'crash' || fault.kind === 'crash-before-commit').length);
    const mean = kills.reduce((sum, n) => sum + n, 0) / plans.length;
    expect(mean).toBeGreaterThan(0.4);
    expect(mean).toBeLessThan(0.65);
    expect(Math.max(...kills)).toBe(2);
    expect(kills.filter((n) => n === 1).length).toBeGreaterThan(2 * kills.filter((n) => n === 2).length);
    // Kills come with throws, and alone.
    expect(plans.some((plan, i) => kills[i] === 1 && plan.faults.length === 1)).toBe(true);
    expect(plans.some((plan, i) => kills[i] === 1 && plan.faults.some(actorFault))).toBe(true);
  });

  it('kills in every faulty case when no partition fault is on', () => {
    const crashes = fc.sample(faultPlanArb({ crashes: true }), { seed: 3, numRuns: 200 });
    expect(crashes.every((plan) => plan.faults.length === 0 || plan.faults.length <= 2)).toBe(true);
    expect(crashes.filter((plan) => plan.faults.length > 0).length).toBeGreaterThan(150);
  });

  it('draws nothing of a kind that is off, and a first partition count only with rescale faults', () => {
    expect(plans.every((plan) => plan.partitions === undefined && plan.faults.every((fault) => fault.kind !== 'poison' && fault.kind !== 'rescale'))).toBe(
      true,
    );
    const rescaled = fc.sample(faultPlanArb({ rescale: { maxPartitions: 3 } }), { seed: 1, numRuns: 200 });
    expect(rescaled.every((plan) => plan.partitions !== undefined && plan.partitions >= 1 && plan.partitions <= 3)).toBe(true);
    const targets = rescaled.flatMap((plan) => plan.faults.map((fault) => (fault.kind === 'rescale' ? fault.partitions : 0)));
    expect(new Set(targets)).toEqual(new Set([1, 2, 3]));
  });
});

describe('anchorFaults', () => {
  const plan = (faults: Fault[]): FaultPlan => ({ faults, delays: [] });

  it('puts anchored kill points at a planned checkpoint or at the end of the input, and names a checkpoint the run takes', () => {
    const resolved = anchorFaults(
      plan([
        { kind: 'crash', afterRecords: 3, steps: 1, anchor: 'checkpoint' },
        { kind: 'rescale', afterRecords: 40, steps: 0, partitions: 2, anchor: 'end' },
        { kind: 'crash', afterRecords: 5, steps: 0 },
        { kind: 'crash-before-commit', checkpoint: 4 },
      ]),
      10,
      [2, 6],
    );
    expect(resolved.faults).toEqual([
      { kind: 'crash', afterRecords: 6, steps: 1 },
      { kind: 'rescale', afterRecords: 10, steps: 0, partitions: 2 },
      { kind: 'crash', afterRecords: 5, steps: 0 },
      // Two planned checkpoints and the one at the end of the input: the 4th is the 1st.
      { kind: 'crash-before-commit', checkpoint: 1 },
    ]);
  });

  it('makes every rescale change the partition count, in the order the rescales strike', () => {
    const rescales = anchorFaults(
      {
        faults: [
          { kind: 'rescale', afterRecords: 6, steps: 0, partitions: 3 },
          { kind: 'rescale', afterRecords: 2, steps: 0, partitions: 2 },
        ],
        delays: [],
        partitions: 2,
      },
      10,
      [],
      3,
    ).faults;
    // First to strike (after 2 records) would keep 2: it moves to 3; the next would keep 3: it wraps to 1.
    expect(rescales.map((fault) => (fault.kind === 'rescale' ? fault.partitions : 0))).toEqual([1, 3]);
  });

  it('puts a point past a planned checkpoint between it and the next, or the end of the input', () => {
    const past = (afterRecords: number): number =>
      anchorFaults(plan([{ kind: 'crash', afterRecords, steps: 0, anchor: 'past-checkpoint' }]), 10, [2, 6]).faults.map((fault) =>
        fault.kind === 'crash' ? fault.afterRecords : -1,
      )[0] as number;
    // Even: past checkpoint 2 and before 6; odd: past checkpoint 6, up to the end of the input.
    expect([0, 2, 4, 6, 8].map(past)).toEqual([3, 4, 5, 3, 4]);
    expect([1, 3, 5, 7].map(past)).toEqual([7, 8, 9, 10]);
    // A checkpoint at the end of the input has nothing past it.
    expect(anchorFaults(plan([{ kind: 'crash', afterRecords: 0, steps: 0, anchor: 'past-checkpoint' }]), 4, [4]).faults).toEqual([
      { kind: 'crash', afterRecords: 4, steps: 0 },
    ]);
  });

  it('leaves a checkpoint-anchored point free when no checkpoint is planned', () => {
    expect(anchorFaults(plan([{ kind: 'crash', afterRecords: 3, steps: 0, anchor: 'checkpoint' }]), 10, []).faults).toEqual([
      { kind: 'crash', afterRecords: 3, steps: 0 },
    ]);
  });
});

describe('describeFault', () => {
  it('says where a stage-wide throw strikes and what a rescale resumes with', () => {
    expect(describeFault({ kind: 'throw', stage: 0, at: 3 })).toBe('stage 0 throws at its 3rd record or marker, in the partition that takes it');
    expect(describeFault({ kind: 'rescale', afterRecords: 4, steps: 2, partitions: 3 }, 10)).toBe(
      'the pipeline is killed after 4 records and 2 more steps, and resumed from its last checkpoint with 3 partitions',
    );
  });
});

describe('minimizeParts', () => {
  const parts: CaseParts<number, undefined> = {
    input: [5, 3, 8, 3, 1],
    params: undefined,
    schedule: { ...DEFAULT_SCHEDULE, batchSize: 4, picks: [2, 1], ticks: [{ step: 3, ms: 10 }], checkpoints: [1, 4] },
    faults: {
      faults: [
        { kind: 'throw', stage: 0, at: 2 },
        { kind: 'crash', afterRecords: 2, steps: 0 },
      ],
      delays: [0, 4, 0, 2, 1],
    },
  };

  it('removes records, faults and schedule items one at a time until none can go', async () => {
    // Fails while an 8 is in the input and a crash in the plan: nothing else is needed.
    const fails = async (candidate: CaseParts<number, undefined>) => candidate.input.includes(8) && candidate.faults.faults.some((f) => f.kind === 'crash');
    const { parts: smallest, minimal, attempts } = await minimizeParts(parts, fails);
    expect(minimal).toBe(true);
    expect(smallest.input).toEqual([8]);
    expect(smallest.faults).toEqual({ faults: [{ kind: 'crash', afterRecords: 2, steps: 0 }], delays: [0] });
    expect(smallest.schedule).toEqual({ ...DEFAULT_SCHEDULE, batchSize: 1, mailboxBatches: 1, picks: [], ticks: [], checkpoints: [] });
    expect(attempts).toBeGreaterThan(5);
  });

  it('stops when its budget is spent, and says so', async () => {
    const { minimal, attempts } = await minimizeParts(parts, async () => true, 3);
    expect({ minimal, attempts }).toEqual({ minimal: false, attempts: 3 });
  });
});

describe('rescale faults', () => {
  // The accumulator remembers the partition count it was made under, as state laid out by
  // `hash % partitions` does: once a job resumes with another count, it reads wrong.
  const remembering = (buggy: boolean) =>
    definePipelineCheck({
      build: ({ source, sink, partitions = 2 }) =>
        pipeline(source)
          .keyBy((p: Payment) => p.user, { partitions })
          .reduce(
            (acc: { total: number; madeUnder: number }, p) => ({ total: acc.total + p.amount, madeUnder: acc.madeUnder }),
            () => ({ total: 0, madeUnder: partitions }),
          )
          .map(({ key, value }) => ({ key, value: buggy && value.madeUnder !== partitions ? -1 : value.total }))
          .to(sink),
      input: payments,
      model: totalsSoFar,
      compare: 'per-key-order',
      keyOf: (out: Keyed<string, number>) => out.key,
      faults: { rescale: { maxPartitions: 3 } },
    });

  it('resume a killed job with another partition count, and find state that depends on the count', async () => {
    const failure = await assertPipeline(remembering(true), { seed: 1, numRuns: 100 }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(PipelineCheckError);
    const { testCase, message } = failure as PipelineCheckError;
    expect(message).toMatch(/killed after \d+ records?.*, to resume with \d partitions? \(run 1\)/);
    expect(testCase.faults.faults).toEqual([expect.objectContaining({ kind: 'rescale' })]);
    // A record into the checkpoint, one after it for the resumed run to replay, one to see it by.
    expect(testCase.input.length).toBeLessThanOrEqual(3);
    expect(message).toMatch(/shrunk to a minimum in \d+ more runs?/);
  });

  it('pass a pipeline whose keyed state is redistributed by key, as Sluice does it', async () => {
    await assertPipeline(remembering(false), { seed: 1, numRuns: 60 });
  });
});

describe('cases that kill', () => {
  /** A check of running totals whose sink notes, run by run, what it wrote and how many checkpoints it pre-committed. */
  const noting = () => {
    const runs: { written: number; preCommits: number }[] = [];
    const check = definePipelineCheck({
      ...totalsOptions,
      sink: (store): Sink<Keyed<string, number>> => {
        const run = { written: 0, preCommits: 0 };
        runs.push(run);
        return {
          name: 'noting',
          write: (records) => {
            run.written += records.length;
            store.records.push(...records);
          },
          preCommit: () => {
            run.preCommits++;
            return store.records.length;
          },
          recover: (token) => void (store.records.length = typeof token === 'number' ? token : 0),
        };
      },
    });
    return { check, runs };
  };
  const input: Payment[] = [
    { user: 'ada', amount: 1 },
    { user: 'bob', amount: 2 },
    { user: 'ada', amount: 3 },
  ];
  const caseOf = (faults: Fault[]): PipelineCase<Payment> => ({
    input,
    params: undefined,
    schedule: { ...DEFAULT_SCHEDULE, batchSize: 8, checkpoints: [1] },
    faults: { faults, delays: [] },
    delivered: input,
  });

  it('plan and take checkpoints only when a fault stops a run', async () => {
    const cases = fc.sample(definePipelineCheck(totalsOptions).cases, { seed: 5, numRuns: 300 });
    const kills = (testCase: PipelineCase<Payment>) => testCase.faults.faults.some((fault) => !actorFault(fault));
    expect(cases.filter((testCase) => !kills(testCase)).every((testCase) => testCase.schedule.checkpoints.length === 0)).toBe(true);
    expect(cases.some((testCase) => kills(testCase) && testCase.schedule.checkpoints.length > 0)).toBe(true);
    const { check, runs } = noting();
    await check.check(caseOf([{ kind: 'throw', stage: 0, at: 2 }]));
    expect(runs).toEqual([{ written: 3, preCommits: 0 }]);
    await check.check(caseOf([{ kind: 'crash', afterRecords: 3, steps: 0 }]));
    expect(runs.slice(1).map((run) => run.preCommits)).toEqual([1, 1]);
  });

  it('let virtual time move while a kill waits for its steps, so lingering batches reach the sink first', async () => {
    const killedAfter = async (steps: number): Promise<number> => {
      const { check, runs } = noting();
      await check.check(caseOf([{ kind: 'crash', afterRecords: 3, steps }]));
      return (runs[0] as { written: number }).written;
    };
    // Batches of 8 never fill with 3 records: the checkpoint after the 1st flushes it, the others
    // go out when their linger time is up.
    expect(await killedAfter(0)).toBe(1);
    expect(await killedAfter(10)).toBe(3);
  });
});
