/**
 * Model checking of pipelines: "this pipeline computes what this pure function does, whatever the
 * input, the interleaving or the faults". A check generates cases — input, schedule and fault plan
 * together, so they shrink together — runs each on the deterministic engine, and compares the
 * output with the model's. A failing case reads back in words and replays from fast-check's
 * `{ seed, path }`.
 */
import fc from 'fast-check';
import { InvalidOptionError, PipelineFailedError, UpgradeFailedError, isSluiceError } from '../errors.js';
import { isFunction, isObject, positiveInteger, withDefault } from '../internal/validate.js';
import type { PipelineDeadLetter } from '../streams/run/messages.js';
import type { PipelineHandle } from '../streams/pipeline-handle.js';
import type { RunOptions } from '../streams/run-options.js';
import type { Sink } from '../streams/sinks/sink.js';
import type { Source } from '../streams/sources/source.js';
import type { JobModule } from '../jobs/define-job.js';
import { isJobModule } from '../jobs/is-job-module.js';
import { checkThreadPool, createThreadPool, type ThreadPool } from '../threads/thread-pool.js';
import { anchorFaults } from './fault-anchors.js';
import {
  applyRetimes,
  checkFaultOptions,
  deliveryOrder,
  describeFaults,
  faultPlanArb,
  NO_FAULTS,
  rescaleMaxPartitions,
  upgradePointArb,
  workersMax,
  type FaultOptions,
  type FaultPlan,
  type UpgradeMode,
} from './faults.js';
import { CheckIORegistration, type CheckJobArgs } from './check-job.js';
import { assertCheck, failsAlike } from './internal/assert-check.js';
import { runCase, type CaseReport } from './internal/case-runner.js';
import { stopsRuns } from './internal/kills.js';
import { compareOutputs, show } from './internal/compare.js';
import { minimizeParts, type CaseParts } from './minimize-case.js';
import { createOutputStore, exactlyOnceSink, type OutputStore } from './output-store.js';
import { checkpointOffsets, DEFAULT_SCHEDULE, describeSchedule, scheduleArb, type Schedule, type ScheduleOptions } from './schedule.js';

/** A pipeline ready to run: what `Stream.to(sink)` returns. */
export interface RunnablePipeline {
  run(options?: RunOptions): PipelineHandle;
}

/**
 * How a pipeline's output is compared with the model's: as a multiset; in order per key; or in one
 * total order.
 */
export type Comparison = 'multiset' | 'per-key-order' | 'total-order';

/** What the pipeline under test is built from. */
export interface PipelineIO<TRecord, TOut> {
  /** The case's input, delivered as the schedule and faults say; replayable, for checkpoints. */
  readonly source: Source<TRecord, number>;
  /** Where the output goes; the check compares what it made visible with the model. */
  readonly sink: Sink<TOut>;
  /**
   * With `faults.rescale`: the partition count this run is given, to size keyed stages with
   * (`keyBy(f, { partitions: io.partitions ?? 3 })`); a rescale fault resumes the job with another.
   * Undefined without rescale faults.
   */
  readonly partitions?: number | undefined;
}

/** Options of {@link definePipelineCheck} and {@link checkPipeline}. */
export interface PipelineCheckOptions<TRecord, TOut, TParams = undefined> {
  /**
   * Builds the pipeline under test over the kit's source and sink, e.g.
   * `({ source, sink }) => pipeline(source).keyBy(…).reduce(…).to(sink)`. Called for every run,
   * resumed runs included; keep it free of state shared between calls.
   */
  build?: ((io: PipelineIO<TRecord, TOut>, params: TParams) => RunnablePipeline) | undefined;
  /**
   * Instead of `build`: the job module (`defineJob`) whose pipeline is under test, built over the
   * case's source and sink by {@link checkIO} from the `CheckJobArgs` it is given (its params must
   * then be plain data that can be copied to another thread). What `faults.workers` needs: a job
   * module is what can run on worker threads. Give `build` or `job`, not both.
   */
  job?: JobModule<CheckJobArgs<TParams>> | undefined;
  /**
   * With `faults.workers`: the pool (`createThreadPool()`) the threaded runs take their threads
   * from, so that a case starts no thread another case has left idle. @defaultValue a pool of the
   * check's own, whose threads end a second after its last threaded run
   */
  threads?: ThreadPool | undefined;
  /** The input records. */
  input: fc.Arbitrary<readonly TRecord[]>;
  /** Parameters of the pipeline that vary with the case (partition counts, window sizes), given to `build` and `model`. */
  params?: fc.Arbitrary<TParams> | undefined;
  /**
   * What the pipeline should output for `input`: a pure function. In an upgrade check (`upgrade`),
   * the output of the job that went to its next version, and `upgrade` says where it did, the same
   * way whether it went by a resume or live: for a pipeline whose output is final values, the next
   * version's output for the whole input; for a changelog, the old version's for the first
   * `upgrade.after` records, then the next version's.
   */
  model: (input: readonly TRecord[], params: TParams, upgrade?: UpgradeMoment) => readonly TOut[];
  /**
   * Check an upgrade: every case runs the pipeline `build` makes and, at a moment fast-check picks
   * (anywhere in the input, at a checkpoint, at the end, between any two steps), takes it to the
   * next version that `upgrade.build` makes, its state migrated (its stages' `id`, `stateVersion`
   * and `migrate`), beside the other faults the case draws. Each case draws how: `'resume'` kills
   * the job, as by SIGKILL, and resumes the next version from the last complete checkpoint;
   * `'live'` swaps it in the same host with `handle.upgrade(next)`, which stops the job at a
   * checkpoint taken there and starts the next version from that one. A crash after the upgrade
   * resumes the next version. The output is compared with `model`, told where the upgrade took
   * hold; a next version that cannot start live fails the case (`UpgradeFailedError`: the old
   * version went on).
   */
  upgrade?: UpgradeCheckOptions<TRecord, TOut, TParams> | undefined;
  /**
   * How the output is compared with the model's: as a multiset; in order per key (`keyOf`); or in
   * one total order.
   */
  compare: Comparison;
  /** The key of an output record, for `compare: 'per-key-order'`. */
  keyOf?: ((record: TOut) => unknown) | undefined;
  /**
   * Vary batch boundaries, mailbox room, which actor goes next and when virtual time moves (true,
   * or bounds); false runs every case with default batches in queue order. @defaultValue true
   */
  schedule?: boolean | ScheduleOptions | undefined;
  /** Faults to inject. @defaultValue none */
  faults?: FaultOptions<TRecord> | undefined;
  /**
   * Makes the sink under test over the test's durable output store. @defaultValue
   * {@link exactlyOnceSink}
   */
  sink?: ((store: OutputStore<TOut>) => Sink<TOut>) | undefined;
  /** Whether records may go to dead letters; when false, any dead letter fails the case. @defaultValue false */
  allowDeadLetters?: boolean | undefined;
  /** Other run options (`retries`, `lingerMs`, `maxRestarts`, `name`); the kit sets the rest. */
  run?: Pick<RunOptions, 'name' | 'retries' | 'lingerMs' | 'maxRestarts'> | undefined;
  /** Most steps one run may take before the case fails as a livelock. @defaultValue 200000 */
  maxSteps?: number | undefined;
  /**
   * A folder in which each case with crash or rescale faults gets a checkpoint folder of its own,
   * removed when the case ends: the runs then exercise the folder storage's files, at the cost of
   * their writes. @defaultValue none: each case keeps its checkpoints in memory
   * (`MemoryCheckpointStorage`), encoded as a folder would keep them, with no file to wait for
   */
  checkpointRoot?: string | undefined;
}

/** The next version in an upgrade check ({@link PipelineCheckOptions.upgrade}). */
export interface UpgradeCheckOptions<TRecord, TOut, TParams = undefined> {
  /** Builds the next version over the kit's source and sink, as `build` builds the first. */
  readonly build: (io: PipelineIO<TRecord, TOut>, params: TParams) => RunnablePipeline;
  /**
   * Only upgrades of this kind: `'resume'` (kill, then resume the next version) or `'live'`
   * (`handle.upgrade`). @defaultValue both, drawn for each case, shrinking toward `'resume'`
   */
  readonly how?: UpgradeMode | undefined;
}

/** Where an upgrade took hold in a case: the old version's output stands for the first `after` input records. */
export interface UpgradeMoment {
  /**
   * Input records the checkpoint the next version started from covers (0 when there was none): the
   * last complete one for a resume, the one the swap stopped the old version at for a live upgrade.
   */
  readonly after: number;
}

/** One generated case: what a run of the pipeline is fed and suffers. */
export interface PipelineCase<TRecord, TParams = undefined> {
  /** The input, as the model is given it: with the fault plan's retimes applied. */
  readonly input: readonly TRecord[];
  readonly params: TParams;
  readonly schedule: Schedule;
  readonly faults: FaultPlan;
  /** The input in the order the source delivers it. */
  readonly delivered: readonly TRecord[];
}

/** A check of one pipeline against its model. */
export interface PipelineCheck<TRecord, TParams = undefined> {
  /** Cases as a fast-check arbitrary: input, params, schedule and faults, shrinking together. */
  readonly cases: fc.Arbitrary<PipelineCase<TRecord, TParams>>;
  /**
   * Runs one case and resolves when the output equals the model's.
   * @throws PipelineCheckError (rejects) naming what differs, the case and what happened.
   */
  check(testCase: PipelineCase<TRecord, TParams>): Promise<void>;
  /** `cases` and `check` as a fast-check property, for `fc.assert` or `fc.check`. */
  readonly property: fc.IAsyncPropertyWithHooks<[PipelineCase<TRecord, TParams>]>;
  /**
   * A failing case shrunk further, to a minimum: records, faults and schedule items are tried away
   * one at a time until none can go without the case passing (or `budget` runs are spent).
   * `assertPipeline` does this to every counterexample fast-check shrank.
   */
  minimize(testCase: PipelineCase<TRecord, TParams>, budget?: number): Promise<MinimizedCase<TRecord, TParams>>;
}

/** A case {@link PipelineCheck.minimize} shrank. */
export interface MinimizedCase<TRecord, TParams> {
  readonly testCase: PipelineCase<TRecord, TParams>;
  /** Cases run to shrink it. */
  readonly attempts: number;
  /** True when no single record, fault or schedule item can be removed; false when the budget ran out first. */
  readonly minimal: boolean;
}

/**
 * A case whose output differed from the model's, or whose run failed. An assertion failure, like
 * a test runner's, rather than a `SluiceError`: the pipeline under test is what is wrong.
 */
export class PipelineCheckError extends Error {
  /** The failing case. */
  readonly testCase: PipelineCase<unknown, unknown>;
  /** What happened during the runs, in words. */
  readonly events: readonly string[];

  constructor(message: string, testCase: PipelineCase<unknown, unknown>, events: readonly string[], options?: ErrorOptions) {
    super(message, options);
    this.name = 'PipelineCheckError';
    this.testCase = testCase;
    this.events = events;
  }
}

/**
 * A case in words: input, params, schedule and faults, one per line.
 *
 * @example
 * ```ts
 * describeCase(testCase);
 * // input (2 records): [{"user":"ada","amount":1},{"user":"ada","amount":2}]
 * // schedule: batches of 2, mailboxes of 1 batch, queue order
 * // faults: partition 0 of stage 0 throws at its 2nd record or marker
 * ```
 */
export function describeCase<TRecord, TParams>(testCase: PipelineCase<TRecord, TParams>, disorder?: FaultOptions<TRecord>['disorder']): string {
  const { input, params, schedule, faults } = testCase;
  const lines = [`input (${input.length} record${input.length === 1 ? '' : 's'}): ${show(input)}`];
  if (params !== undefined) lines.push(`params: ${show(params)}`);
  lines.push(`schedule: ${describeSchedule(schedule, input.length)}`);
  lines.push(`faults: ${describeFaults(faults, input, disorder)}`);
  return lines.join('\n');
}

/** A generated case, its retimes applied and its fault anchors resolved. */
function makeCase<TRecord, TParams>(parts: CaseParts<TRecord, TParams>, faultOptions: FaultOptions<TRecord>): PipelineCase<TRecord, TParams> {
  const disorder = faultOptions.disorder;
  const retimed = applyRetimes(parts.input, parts.faults, disorder);
  const input = retimed.input;
  const plan = anchorFaults(retimed.plan, input.length, checkpointOffsets(parts.schedule, input.length), rescaleMaxPartitions(faultOptions.rescale));
  // Checkpoints are for resumes: a case that never stops a run plans none, and takes none.
  const schedule = stopsRuns(plan) || parts.schedule.checkpoints.length === 0 ? parts.schedule : { ...parts.schedule, checkpoints: [] };
  return caseOf({ ...parts, input, schedule, faults: plan }, disorder);
}

/** A case of resolved parts: the order the source delivers them in, and how it prints. */
function caseOf<TRecord, TParams>(parts: CaseParts<TRecord, TParams>, disorder: FaultOptions<TRecord>['disorder']): PipelineCase<TRecord, TParams> {
  const { input, faults: plan } = parts;
  const order = deliveryOrder(input, plan.delays, disorder);
  const testCase: PipelineCase<TRecord, TParams> = { ...parts, delivered: order.map((i) => input[i] as TRecord) };
  // fast-check prints a counterexample with this: the case in words, not a wall of JSON.
  Object.defineProperty(testCase, fc.toStringMethod, { value: () => `\n${describeCase(testCase, disorder)}\n`, enumerable: false });
  return testCase;
}

/** An error's code, for one of ours; else its name. */
function failureName(error: unknown): string {
  return isSluiceError(error) ? error.code : error instanceof Error ? error.name : 'error';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeDeadLetter(letter: PipelineDeadLetter): string {
  return `${letter.reason} at ${letter.stage}: ${show(letter.record)}${letter.error === undefined ? '' : ` (${String(letter.error)})`}`;
}

/**
 * Defines a check of a pipeline against a model.
 *
 * @throws InvalidOptionError naming the first invalid option.
 * @example
 * ```ts
 * const totals = definePipelineCheck({
 *   build: ({ source, sink }) => pipeline(source).keyBy((r) => r.user, { partitions: 2 }).reduce((t: number, r) => t + r.amount, () => 0).to(sink),
 *   input: fc.array(fc.record({ user: fc.constantFrom('ada', 'bob'), amount: fc.integer() })),
 *   model: runningTotals,
 *   compare: 'per-key-order',
 *   keyOf: (out) => out.key,
 *   faults: { throws: true, crashes: true },
 * });
 * await fc.assert(totals.property, { numRuns: 50 });
 * ```
 */
export function definePipelineCheck<TRecord, TOut, TParams = undefined>(
  options: PipelineCheckOptions<TRecord, TOut, TParams>,
): PipelineCheck<TRecord, TParams> {
  isObject('options', options);
  const job = options.job;
  if (job === undefined) isFunction('build', options.build);
  else if (options.build !== undefined) throw new InvalidOptionError('job', 'left out when `build` is given (give one of them)', job);
  else if (!isJobModule(job)) throw new InvalidOptionError('job', 'a job module made by defineJob', job);
  isFunction('model', options.model);
  if (!(options.input instanceof fc.Arbitrary)) throw new InvalidOptionError('input', 'a fast-check Arbitrary of record arrays', options.input);
  if (options.params !== undefined && !(options.params instanceof fc.Arbitrary))
    throw new InvalidOptionError('params', 'a fast-check Arbitrary', options.params);
  const comparison = options.compare;
  if (comparison !== 'multiset' && comparison !== 'per-key-order' && comparison !== 'total-order') {
    throw new InvalidOptionError('compare', "'multiset', 'per-key-order' or 'total-order'", comparison);
  }
  if (comparison === 'per-key-order') isFunction('keyOf', options.keyOf);
  const faultOptions = checkFaultOptions(options.faults);
  const upgrade = options.upgrade;
  if (upgrade !== undefined) {
    isObject('upgrade', upgrade);
    isFunction('upgrade.build', upgrade.build);
    if (upgrade.how !== undefined && upgrade.how !== 'resume' && upgrade.how !== 'live') {
      throw new InvalidOptionError('upgrade.how', "'resume' or 'live'", upgrade.how);
    }
  }
  const threads = workersMax(faultOptions.workers) !== undefined;
  if (threads && job === undefined) {
    throw new InvalidOptionError(
      'faults.workers',
      'left out unless the check has a `job` module (only a job module runs on worker threads)',
      faultOptions.workers,
    );
  }
  if (threads && upgrade !== undefined) {
    throw new InvalidOptionError('upgrade', 'left out when `faults.workers` is on (a run on worker threads would start the old version)', upgrade);
  }
  if (options.threads !== undefined) checkThreadPool(options.threads);
  // Made on the first threaded run: a check that never runs one starts no pool.
  let pool = options.threads;
  const threadPool = (): ThreadPool => (pool ??= createThreadPool({ idleMs: 1_000 }));
  // Rescale and workers faults kill and resume like crashes, and so do upgrades: runs take checkpoints for any of them.
  const kills = faultOptions.crashes === true || rescaleMaxPartitions(faultOptions.rescale) !== undefined || threads;
  const crashes = kills || upgrade !== undefined;
  const scheduleOption = options.schedule ?? true;
  if (typeof scheduleOption !== 'boolean') isObject('schedule', scheduleOption);
  const schedules =
    scheduleOption === false
      ? crashes
        ? scheduleArb({ checkpoints: true }).map((s) => ({ ...DEFAULT_SCHEDULE, checkpoints: s.checkpoints }))
        : fc.constant(DEFAULT_SCHEDULE)
      : scheduleArb({ ...(scheduleOption === true ? {} : scheduleOption), checkpoints: crashes });
  const drawnFaults =
    faultOptions.throws === true || faultOptions.poison === true || kills || faultOptions.disorder !== undefined
      ? faultPlanArb(faultOptions)
      : fc.constant(NO_FAULTS);
  const faultPlans =
    upgrade === undefined ? drawnFaults : fc.tuple(drawnFaults, upgradePointArb(upgrade.how)).map(([plan, point]) => ({ ...plan, upgrade: point }));
  if (options.sink !== undefined) isFunction('sink', options.sink);
  const makeSink = options.sink ?? exactlyOnceSink;
  const allowDeadLetters = options.allowDeadLetters ?? false;
  if (typeof allowDeadLetters !== 'boolean') throw new InvalidOptionError('allowDeadLetters', 'a boolean', allowDeadLetters);
  if (options.run !== undefined) isObject('run', options.run);
  const maxSteps = withDefault(options.maxSteps, 200_000, (v) => positiveInteger('maxSteps', v));
  const disorder = faultOptions.disorder;
  const checkpointRoot = options.checkpointRoot;
  if (checkpointRoot !== undefined && (typeof checkpointRoot !== 'string' || checkpointRoot === '')) {
    throw new InvalidOptionError('checkpointRoot', 'a folder path', checkpointRoot);
  }

  const cases = fc
    .record({
      input: options.input,
      params: (options.params ?? fc.constant(undefined)) as fc.Arbitrary<TParams>,
      schedule: schedules,
      faults: faultPlans,
    })
    .map((parts) => makeCase(parts, faultOptions));

  const check = async (testCase: PipelineCase<TRecord, TParams>): Promise<void> => {
    const store = createOutputStore<TOut>();
    const fail = (problem: string, report: CaseReport, cause?: unknown): never => {
      const happened = report.events.length === 0 ? 'no fault struck' : report.events.join('; ');
      const message = [problem, `what happened: ${happened}`, describeCase(testCase, disorder)].join('\n');
      throw new PipelineCheckError(message, testCase as PipelineCase<unknown, unknown>, report.events, cause === undefined ? undefined : { cause });
    };
    const { params } = testCase;
    // With a job module, each run's source and sink are found by the job through its args, until the case ends.
    const registration = job === undefined ? undefined : new CheckIORegistration();
    const build = (io: PipelineIO<TRecord, TOut>, next: boolean): RunnablePipeline => {
      if (next && upgrade !== undefined) return upgrade.build(io, params);
      if (job === undefined || registration === undefined) return (options.build as NonNullable<typeof options.build>)(io, params);
      return job.build(registration.argsFor(io, params));
    };
    const report = await runCase<TRecord, TOut>({
      build: (source, sink, partitions, next) => build({ source, sink, partitions }, next),
      threaded:
        job === undefined || registration === undefined
          ? undefined
          : (source, sink, partitions, workers, runOptions) =>
              job.run({ ...runOptions, workers, threads: threadPool(), args: registration.argsFor({ source, sink, partitions }, params) }),
      delivered: testCase.delivered,
      schedule: testCase.schedule,
      faults: testCase.faults,
      checkpoints: crashes && stopsRuns(testCase.faults),
      sink: makeSink,
      store,
      runOptions: { ...options.run },
      maxSteps,
      checkpointRoot,
      stallMs: 10_000,
    }).finally(() => registration?.close());
    if (report.outcome.kind === 'failed') {
      const { error } = report.outcome;
      // A poisoned partition cannot get past its batch: failing loudly is what it must do.
      if (report.poisoned && error instanceof PipelineFailedError) return;
      if (error instanceof UpgradeFailedError) {
        const cause: unknown = error.cause;
        fail(`the next version could not start live (UPGRADE_FAILED, ${failureName(cause)}): ${errorText(cause)}; the old version went on`, report, error);
      }
      fail(`the pipeline failed (${failureName(error)}): ${errorText(error)}`, report, error);
    }
    if (report.poisoned) fail('a partition was poisoned, yet the pipeline completed instead of failing with PipelineFailedError', report);
    if (!allowDeadLetters && report.deadLetters.length > 0) {
      const shown = report.deadLetters.slice(0, 4).map(describeDeadLetter).join('; ');
      fail(`the pipeline dead-lettered ${report.deadLetters.length} record${report.deadLetters.length === 1 ? '' : 's'}: ${shown}`, report);
    }
    const expected =
      report.upgradedAfter === undefined
        ? options.model(testCase.input, testCase.params)
        : options.model(testCase.input, testCase.params, { after: report.upgradedAfter });
    const difference = compareOutputs(store.records, expected, comparison, options.keyOf);
    if (difference !== undefined) fail([difference.summary, ...difference.details.map((d) => `  ${d}`)].join('\n'), report);
  };

  const minimize = async (testCase: PipelineCase<TRecord, TParams>, budget?: number): Promise<MinimizedCase<TRecord, TParams>> => {
    const result = await minimizeParts(testCase, (parts) => failsAlike(check, caseOf(parts, disorder), (error) => error instanceof PipelineCheckError), budget);
    return { testCase: caseOf(result.parts, disorder), attempts: result.attempts, minimal: result.minimal };
  };

  return {
    cases,
    check,
    property: fc.asyncProperty(cases, check),
    minimize,
  };
}

/**
 * A check of a pipeline against a model, as a fast-check property: for `fc.assert`, `fc.check`,
 * or anything that takes properties. With `@fast-check/vitest`, use {@link definePipelineCheck}'s
 * `cases` and `check`: `test.prop([c.cases])('…', c.check)`.
 *
 * @throws InvalidOptionError naming the first invalid option.
 * @example
 * ```ts
 * await fc.assert(checkPipeline({ build, input, model, compare: 'multiset', faults: { throws: true } }), { numRuns: 40 });
 * ```
 */
export function checkPipeline<TRecord, TOut, TParams = undefined>(
  options: PipelineCheckOptions<TRecord, TOut, TParams>,
): fc.IAsyncPropertyWithHooks<[PipelineCase<TRecord, TParams>]> {
  return definePipelineCheck(options).property;
}

/**
 * Runs a check with fast-check and, on failure, throws one readable error: what differed, what
 * happened, the shrunk case in words, and the line that replays it.
 *
 * @throws PipelineCheckError (rejects) for the shrunk counterexample.
 * @example
 * ```ts
 * await assertPipeline(check, { numRuns: 50 });
 * // on failure, ends with: replay: await assertPipeline(check, { seed: 42, path: "3:1:0", endOnFailure: true })
 * ```
 */
export async function assertPipeline<TRecord, TParams>(
  check: PipelineCheck<TRecord, TParams>,
  parameters: fc.Parameters<[PipelineCase<TRecord, TParams>]> = {},
): Promise<void> {
  await assertCheck(check, parameters, {
    assert: 'assertPipeline',
    parts: 'records, faults or schedule items',
    reported: (error): error is PipelineCheckError => error instanceof PipelineCheckError,
    error: (message, testCase, events, cause) => new PipelineCheckError(message, (testCase ?? {}) as PipelineCase<unknown, unknown>, events, { cause }),
    describe: (testCase) => describeCase(testCase),
  });
}
