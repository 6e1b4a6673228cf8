/**
 * Faults a test run of a pipeline suffers, as plain data that fast-check generates and shrinks: a
 * partition actor throws once at its k-th record, or from there on every time (poison); the whole
 * pipeline is killed at a chosen point and resumed from its last checkpoint; the source delivers
 * records out of order within the declared bound, with pairs of records retimed to stand exactly
 * the bound apart or at the same time. Each reads back in words.
 */
import fc from 'fast-check';
import { InvalidOptionError } from '../errors.js';
import { isFunction, isObject, nonNegativeNumber, positiveInteger, withDefault } from '../internal/validate.js';
import { killAnchorArb, MAX_PARTITION, MAX_STAGE, swarmFaultsArb } from './fault-swarm.js';

/**
 * A partition actor throws once, the `at`-th time it takes a record or a marker (counting from 1,
 * replays included), and is restarted from its snapshot. `stage` and `partition` are taken modulo
 * the pipeline's stage and partition counts, so every fault strikes an actor that exists. Without a
 * `partition`, `at` counts what the whole stage takes, in every partition: the fault strikes the
 * partition that takes the stage's `at`-th record or marker, whichever it is, so a small `at`
 * strikes however the keys spread.
 */
export interface ThrowFault {
  readonly kind: 'throw';
  readonly stage: number;
  readonly partition?: number | undefined;
  readonly at: number;
}

/**
 * A partition actor throws every time from its `at`-th record or marker on, in this run and every
 * resumed one: the batch it is on can never pass, so the run must fail with `PipelineFailedError`
 * rather than lose it. Without a `partition`, the partition that takes the stage's `at`-th record
 * or marker is the one poisoned (see {@link ThrowFault}).
 */
export interface PoisonFault {
  readonly kind: 'poison';
  readonly stage: number;
  readonly partition?: number | undefined;
  readonly at: number;
}

/**
 * Where a generated kill point is anchored: at one of the case's planned checkpoints, a few records
 * past one (before the next), or at the end of the input. Resolved when a case is made, so a case
 * holds only concrete points.
 */
export type KillAnchor = 'checkpoint' | 'past-checkpoint' | 'end';

/**
 * The pipeline is killed, as by SIGKILL, once the source has delivered `afterRecords` records
 * (modulo the input's length plus one) and `steps` more steps have run; a new run resumes from the
 * last complete checkpoint. Each crash happens once.
 */
export interface CrashFault {
  readonly kind: 'crash';
  readonly afterRecords: number;
  readonly steps: number;
  /**
   * As generated, before a case resolves it: `'checkpoint'` makes `afterRecords` pick a planned
   * checkpoint's offset (modulo their number); `'past-checkpoint'` picks one the same way, then a
   * point 1 or more records past it and before the next (`afterRecords` divided by their number,
   * modulo the records between them); `'end'` makes it the input's length. A case's faults never
   * carry it.
   */
  readonly anchor?: KillAnchor | undefined;
}

/**
 * Like a crash, but the resumed run has `partitions` partitions in every keyed stage the pipeline
 * sizes from `PipelineIO.partitions`: the last checkpoint's state must be redistributed as if the
 * job had run with that count all along.
 */
export interface RescaleFault {
  readonly kind: 'rescale';
  readonly afterRecords: number;
  readonly steps: number;
  readonly partitions: number;
  /** As for {@link CrashFault.anchor}. */
  readonly anchor?: KillAnchor | undefined;
}

/**
 * Like a crash, but the resumed run goes on `workers` worker threads (the check's `job` module,
 * run with `workers`): the state the last checkpoint took on one thread must carry over to the
 * threads' partitions, and every record that crosses from one thread to another goes through its
 * stage's codec. The threaded run reads on from there on the system clock (the schedule's picks
 * and ticks, throws and kills wait for the next run on one thread) until `forRecords` more records
 * are read; then it is stopped at a checkpoint, and the job resumes on one thread from it. When
 * that is past the end of the input, the threaded run completes the job.
 */
export interface WorkersFault {
  readonly kind: 'workers';
  readonly afterRecords: number;
  readonly steps: number;
  /** The worker threads the resumed run has: 2 or more. */
  readonly workers: number;
  /** Records the threaded run reads before it is stopped at a checkpoint. */
  readonly forRecords: number;
  /** As for {@link CrashFault.anchor}. */
  readonly anchor?: KillAnchor | undefined;
}

/**
 * The pipeline is killed once checkpoint `checkpoint` is durable but before the sink committed it:
 * the resumed run must have the sink commit it (`recover`) — not lose it, not write it twice.
 */
export interface CommitCrashFault {
  readonly kind: 'crash-before-commit';
  readonly checkpoint: number;
}

/** One fault. */
export type Fault = ThrowFault | PoisonFault | CrashFault | CommitCrashFault | RescaleFault | WorkersFault;

/** The kinds of fault. */
export type FaultKind = Fault['kind'];

/**
 * Under disorder with `withTimestamp`: a record given a time at an edge of the bound relative to
 * another record — pairs an input rarely holds by chance, and where off-by-one bugs at the
 * watermark live. `record` is an input index, modulo the input's length; `like` counts the other
 * records on from it (0: the next one, wrapping around), modulo their number, so it is never
 * `record`. A case holds them resolved: `like` is then the other record's input index.
 */
export interface Retime {
  readonly record: number;
  readonly like: number;
  /**
   * `'bound'`: the two end exactly the bound apart — `record` moves to `like`'s time less the
   * bound, or plus it where less would leave the input's range of times — and the earlier is
   * delivered right behind the later: exactly the bound behind the newest record so far, the last
   * time still on time (the watermark stands at that newest time − bound − 1). `'equal'`: `record`
   * takes `like`'s time. A `'bound'` retime of an input whose times span less than the bound is
   * left out.
   */
  readonly gap: 'bound' | 'equal';
}

/**
 * How a job goes to its next version in an upgrade check: `'resume'` kills it, as by SIGKILL, and
 * starts the next version from the last complete checkpoint; `'live'` swaps it in its host with
 * `handle.upgrade(next)`, which stops it at a checkpoint taken there and starts the next version
 * from that one.
 */
export type UpgradeMode = 'resume' | 'live';

/**
 * In an upgrade check: where and how the job goes to its next version, once the source has
 * delivered `afterRecords` records (modulo the input's length plus one) and `steps` more steps have
 * run. Kept apart from `faults`, so shrinking never takes the upgrade out of a case.
 */
export interface UpgradePoint {
  readonly afterRecords: number;
  readonly steps: number;
  /** By a kill and a resume, or by a live swap. @defaultValue 'resume' */
  readonly how?: UpgradeMode | undefined;
  /** As for {@link CrashFault.anchor}. */
  readonly anchor?: KillAnchor | undefined;
}

/** Every fault of one test run. */
export interface FaultPlan {
  readonly faults: readonly Fault[];
  /** In an upgrade check: where the job goes to its next version. @defaultValue undefined: no upgrade */
  readonly upgrade?: UpgradePoint | undefined;
  /**
   * With rescale faults on: the partition count of the first run (`PipelineIO.partitions`), until a
   * rescale fault changes it. @defaultValue undefined: the pipeline chooses its own counts
   */
  readonly partitions?: number | undefined;
  /**
   * With disorder on: how many event-time milliseconds late each record (by input index) is
   * delivered, at most the bound; missing ones are 0.
   */
  readonly delays: readonly number[];
  /** With disorder and `withTimestamp`: records retimed to an edge of the bound. @defaultValue none */
  readonly retimes?: readonly Retime[] | undefined;
}

/** Records may arrive out of order, but never more than `bound` behind the largest time before them. */
export interface Disorder<TRecord> {
  /** The pipeline's `maxOutOfOrdernessMs`. */
  readonly bound: number;
  readonly timestampOf: (record: TRecord) => number;
  /**
   * A copy of `record` at event time `timestamp`, all else kept. With it, cases retime a few
   * records (see {@link Retime}) so that records exactly the bound behind the newest, and records
   * at the same time, come often even when the input's times are drawn from a range much wider
   * than the bound; the model is given the retimed input. @defaultValue none: records keep their
   * times, and exact-bound pairs come only as often as the input holds them
   */
  readonly withTimestamp?: ((record: TRecord, timestamp: number) => TRecord) | undefined;
}

/** Which faults to generate. */
export interface FaultOptions<TRecord> {
  /** Partition actors throw once at a chosen record. @defaultValue false */
  throws?: boolean | undefined;
  /** A partition actor throws every time from a chosen record on. @defaultValue false */
  poison?: boolean | undefined;
  /**
   * The whole pipeline is killed at chosen points and resumed from its last checkpoint (runs take
   * checkpoints at offsets the schedule picks; the sink must be exactly-once). @defaultValue false
   */
  crashes?: boolean | undefined;
  /**
   * The pipeline is killed at chosen points and resumed with another partition count
   * (`PipelineIO.partitions`, from 1 to `maxPartitions`); implies checkpoints, like crashes.
   * @defaultValue false
   */
  rescale?: boolean | RescaleOptions | undefined;
  /**
   * The pipeline is killed at chosen points and resumed on 2 to `maxWorkers` worker threads, which
   * read on for a while and are stopped at a checkpoint, the job then resuming on one thread (see
   * {@link WorkersFault}); implies checkpoints, like crashes. Needs the check's `job` option: only
   * a job module can run on threads. @defaultValue false
   */
  workers?: boolean | WorkersOptions | undefined;
  /** The source delivers records out of order within the bound. @defaultValue none */
  disorder?: Disorder<TRecord> | undefined;
  /** Most faults in one run (besides disorder). @defaultValue 3 */
  maxFaults?: number | undefined;
  /** Largest `at` of a throw or poison fault. @defaultValue 12 */
  maxOrdinal?: number | undefined;
}

/** Options of worker-thread faults. */
export interface WorkersOptions {
  /** The most worker threads a resumed run is given (at least 2). @defaultValue 3 */
  maxWorkers?: number | undefined;
}

/** Options of rescale faults. */
export interface RescaleOptions {
  /** The most partitions a run is given. @defaultValue 4 */
  maxPartitions?: number | undefined;
}

/** No faults at all. */
export const NO_FAULTS: FaultPlan = Object.freeze({ faults: [], delays: [] });

/** @throws InvalidOptionError naming the first invalid fault option. */
export function checkFaultOptions<TRecord>(options: FaultOptions<TRecord> | undefined): FaultOptions<TRecord> {
  if (options === undefined) return {};
  isObject('faults', options);
  for (const flag of ['throws', 'poison', 'crashes'] as const) {
    const value = options[flag];
    if (value !== undefined && typeof value !== 'boolean') throw new InvalidOptionError(`faults.${flag}`, 'a boolean', value);
  }
  const rescale = options.rescale;
  if (rescale !== undefined && typeof rescale !== 'boolean') {
    isObject('faults.rescale', rescale);
    if (rescale.maxPartitions !== undefined) positiveInteger('faults.rescale.maxPartitions', rescale.maxPartitions);
  }
  workersMax(options.workers);
  if (options.disorder !== undefined) {
    isObject('faults.disorder', options.disorder);
    nonNegativeNumber('faults.disorder.bound', options.disorder.bound);
    isFunction('faults.disorder.timestampOf', options.disorder.timestampOf);
    if (options.disorder.withTimestamp !== undefined) isFunction('faults.disorder.withTimestamp', options.disorder.withTimestamp);
  }
  return options;
}

/** Where a kill strikes, as generated: records delivered, steps after, and an optional anchor. */
const KILL_POINT = { afterRecords: fc.nat({ max: 64 }), steps: fc.nat({ max: 40 }), anchor: killAnchorArb };

/**
 * Fault plans as fast-check values; they shrink toward fewer faults, earlier ordinals, records
 * delivered on time and fewer retimes.
 *
 * @throws InvalidOptionError naming an invalid option.
 * @example
 * ```ts
 * const plans = faultPlanArb({ throws: true, crashes: true });
 * fc.sample(plans, 1); // e.g. [{ faults: [{ kind: 'throw', stage: 0, partition: 1, at: 3 }], delays: [] }]
 * ```
 */
export function faultPlanArb<TRecord>(options: FaultOptions<TRecord> = {}): fc.Arbitrary<FaultPlan> {
  checkFaultOptions(options);
  const maxFaults = withDefault(options.maxFaults, 3, (v) => positiveInteger('faults.maxFaults', v));
  const maxOrdinal = withDefault(options.maxOrdinal, 12, (v) => positiveInteger('faults.maxOrdinal', v));
  // Half the partition faults count what their whole stage takes: those strike whenever `at` is
  // within the stage's input, however few records each partition gets.
  const target = {
    stage: fc.nat({ max: MAX_STAGE }),
    partition: fc.option(fc.nat({ max: MAX_PARTITION }), { nil: undefined, freq: 1 }),
    at: fc.integer({ min: 1, max: maxOrdinal }),
  };
  const maxPartitions = rescaleMaxPartitions(options.rescale);
  const kinds: [FaultKind, fc.Arbitrary<Fault>][] = [];
  if (options.throws === true) kinds.push(['throw', fc.record({ kind: fc.constant('throw' as const), ...target })]);
  if (options.poison === true) kinds.push(['poison', fc.record({ kind: fc.constant('poison' as const), ...target })]);
  if (options.crashes === true) {
    kinds.push(['crash', fc.record({ kind: fc.constant('crash' as const), ...KILL_POINT }, { requiredKeys: ['kind', 'afterRecords', 'steps'] })]);
    kinds.push(['crash-before-commit', fc.record({ kind: fc.constant('crash-before-commit' as const), checkpoint: fc.integer({ min: 1, max: 4 }) })]);
  }
  if (maxPartitions !== undefined) {
    const partitions = fc.integer({ min: 1, max: maxPartitions });
    kinds.push([
      'rescale',
      fc.record({ kind: fc.constant('rescale' as const), ...KILL_POINT, partitions }, { requiredKeys: ['kind', 'afterRecords', 'steps', 'partitions'] }),
    ]);
  }
  const maxWorkers = workersMax(options.workers);
  if (maxWorkers !== undefined) {
    const threads = { workers: fc.integer({ min: 2, max: maxWorkers }), forRecords: fc.nat({ max: 64 }) };
    kinds.push([
      'workers',
      fc.record(
        { kind: fc.constant('workers' as const), ...KILL_POINT, ...threads },
        { requiredKeys: ['kind', 'afterRecords', 'steps', 'workers', 'forRecords'] },
      ),
    ]);
  }
  const faults = swarmFaultsArb({ kinds, maxFaults });
  // The first run's partition count, with rescale faults on; a constant undefined otherwise.
  const partitions: fc.Arbitrary<number | undefined> = maxPartitions === undefined ? fc.constant(undefined) : fc.integer({ min: 1, max: maxPartitions });
  const plan = { faults, partitions };
  const bound = options.disorder === undefined ? 0 : Math.floor(options.disorder.bound);
  // On time and the whole bound late are the edges: a record exactly the bound behind another
  // needs the first delayed by the bound and the second not at all, which uniform delays rarely
  // give both. On time comes first, so delays shrink toward it.
  const delay = fc.oneof(
    { arbitrary: fc.constant(0), weight: 2 },
    { arbitrary: fc.constant(bound), weight: 2 },
    { arbitrary: fc.nat({ max: bound }), weight: 1 },
  );
  const delays = options.disorder === undefined ? fc.constant([]) : fc.array(delay, { maxLength: 64 });
  if (options.disorder?.withTimestamp === undefined) return fc.record({ ...plan, delays });
  // Delays alone make a record exactly the bound behind another only when the input holds two
  // times exactly the bound apart, which times drawn from a wide range rarely do: make such pairs.
  const retime = fc.record({ record: fc.nat({ max: 63 }), like: fc.nat({ max: 63 }), gap: fc.constantFrom('bound' as const, 'equal' as const) });
  return fc.record({ ...plan, delays, retimes: fc.array(retime, { maxLength: 3 }) });
}

/**
 * The most worker threads a workers fault gives a run, or undefined when those faults are off.
 * @throws InvalidOptionError naming `faults.workers` or `faults.workers.maxWorkers` when invalid.
 */
export function workersMax(workers: FaultOptions<unknown>['workers']): number | undefined {
  if (workers === undefined || workers === false) return undefined;
  if (workers === true) return 3;
  isObject('faults.workers', workers);
  return withDefault(workers.maxWorkers, 3, (v): number => {
    const most = positiveInteger('faults.workers.maxWorkers', v);
    if (most < 2) throw new InvalidOptionError('faults.workers.maxWorkers', 'an integer of at least 2', v);
    return most;
  });
}

/** The most partitions a rescale gives a run, or undefined when rescale faults are off. */
export function rescaleMaxPartitions(rescale: FaultOptions<unknown>['rescale']): number | undefined {
  if (rescale === undefined || rescale === false) return undefined;
  return rescale === true ? 4 : withDefault(rescale.maxPartitions, 4, (v) => positiveInteger('faults.rescale.maxPartitions', v));
}

/**
 * The input a case runs, and the model is given, once the plan's retimes are applied (through
 * `disorder.withTimestamp`), with the plan as it then reads: retimes resolved to the records they
 * moved, and the delays that deliver the earlier of each `'bound'` pair right behind the later.
 * Without retimes or `withTimestamp`, both come back unchanged.
 *
 * @example
 * ```ts
 * const disorder = { bound: 5, timestampOf: (t: number) => t, withTimestamp: (_: number, t: number) => t };
 * applyRetimes([40, 300], { faults: [], delays: [], retimes: [{ record: 0, like: 0, gap: 'bound' }] }, disorder);
 * // { input: [295, 300], plan: { faults: [], delays: [5, 0], retimes: [{ record: 0, like: 1, gap: 'bound' }] } }
 * ```
 */
export function applyRetimes<TRecord>(
  input: readonly TRecord[],
  plan: FaultPlan,
  disorder: Disorder<TRecord> | undefined,
): { readonly input: readonly TRecord[]; readonly plan: FaultPlan } {
  if (disorder?.withTimestamp === undefined || plan.retimes === undefined || plan.retimes.length === 0 || input.length < 2) return { input, plan };
  const { bound, timestampOf, withTimestamp } = disorder;
  const records = [...input];
  const times = records.map((record) => timestampOf(record));
  // The range of the input as drawn: a retimed record stays in it, so it keeps what the input's
  // arbitrary promised of its times (non-negative, within a day, …).
  const lowest = Math.min(...times);
  const highest = Math.max(...times);
  const delays = Array.from(records, (_, i) => plan.delays[i] ?? 0);
  const resolved: Retime[] = [];
  // A record is in one pair at most: moving it again would undo the edge an earlier retime made.
  const paired = new Set<number>();
  for (const { record: r, like: l, gap } of plan.retimes) {
    const record = r % records.length;
    const like = (record + 1 + (l % (records.length - 1))) % records.length;
    if (paired.has(record) || paired.has(like)) continue;
    const to = times[like] as number;
    let time = to;
    if (gap === 'bound') {
      time = to - bound >= lowest ? to - bound : to + bound;
      if (time > highest) continue;
      // Both due at the later time; ties go to the later time first, so the earlier comes right after.
      delays[time < to ? record : like] = bound;
      delays[time < to ? like : record] = 0;
    }
    times[record] = time;
    records[record] = withTimestamp(records[record] as TRecord, time);
    paired.add(record).add(like);
    resolved.push({ record, like, gap });
  }
  return { input: records, plan: { ...plan, delays, retimes: resolved } };
}

/**
 * The order the source delivers `input` in, as input indexes: by event time plus each record's
 * delay, so no record comes more than the bound behind one delivered before it. Ties go to the
 * later event time first, so a record delayed by the whole bound arrives as late as it may; then
 * input order. Without disorder, input order.
 */
export function deliveryOrder<TRecord>(input: readonly TRecord[], delays: readonly number[], disorder: Disorder<TRecord> | undefined): number[] {
  const order = input.map((_, i) => i);
  if (disorder === undefined) return order;
  const bound = disorder.bound;
  const times = input.map((record) => disorder.timestampOf(record));
  // Delivering each record at (its time + a delay in [0, bound]) keeps it within the bound of every
  // record delivered before it: t_a + d_a <= t_b + d_b implies t_a - t_b <= bound.
  const due = (i: number): number => (times[i] as number) + Math.min(bound, delays[i] ?? 0);
  return order.sort((a, b) => due(a) - due(b) || (times[b] as number) - (times[a] as number) || a - b);
}

/** The n-th in words: 1st, 2nd, 3rd, 4th, … 11th, 12th, 13th, … 21st. */
export function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  const suffix = teen ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * A fault in words, e.g. `partition 1 of stage 0 throws at its 3rd record or marker`. With the
 * input's length, crash points are given as they apply to it.
 */
export function describeFault(fault: Fault, records?: number): string {
  switch (fault.kind) {
    case 'throw':
      return fault.partition === undefined
        ? `stage ${fault.stage} throws at its ${ordinal(fault.at)} record or marker, in the partition that takes it`
        : `partition ${fault.partition} of stage ${fault.stage} throws at its ${ordinal(fault.at)} record or marker`;
    case 'poison':
      return fault.partition === undefined
        ? `the partition of stage ${fault.stage} that takes the stage's ${ordinal(fault.at)} record or marker throws at every one from there on (poison)`
        : `partition ${fault.partition} of stage ${fault.stage} throws at every record or marker from its ${ordinal(fault.at)} on (poison)`;
    case 'crash':
      return `the pipeline is killed ${killPoint(fault, records)}, and resumed from its last checkpoint`;
    case 'rescale':
      return `the pipeline is killed ${killPoint(fault, records)}, and resumed from its last checkpoint with ${fault.partitions} partition${fault.partitions === 1 ? '' : 's'}`;
    case 'crash-before-commit':
      return `the pipeline is killed once checkpoint ${fault.checkpoint} is durable, before the sink commits it, and resumed`;
    case 'workers':
      return (
        `the pipeline is killed ${killPoint(fault, records)}, and resumed from its last checkpoint on ${fault.workers} worker threads, ` +
        `stopped at a checkpoint ${fault.forRecords} record${fault.forRecords === 1 ? '' : 's'} later and resumed on one thread`
      );
  }
}

/** Where a crash, rescale or upgrade kills the run, in words: `after 3 records and 2 more steps`. */
function killPoint(fault: CrashFault | RescaleFault | WorkersFault | UpgradePoint, records: number | undefined): string {
  const anchor =
    fault.anchor === 'end'
      ? ' (the end of the input)'
      : fault.anchor === 'checkpoint'
        ? ' (at a planned checkpoint)'
        : fault.anchor === 'past-checkpoint'
          ? ' (past a planned checkpoint)'
          : '';
  const after = records === undefined ? fault.afterRecords : fault.afterRecords % (records + 1);
  const steps = fault.steps === 0 ? '' : ` and ${fault.steps} more step${fault.steps === 1 ? '' : 's'}`;
  return `after ${after} record${after === 1 ? '' : 's'}${anchor}${steps}`;
}

/**
 * An upgrade point in words, e.g. `the pipeline is upgraded live after 3 records: stopped at a
 * checkpoint there, and its next version started from it in the same host`.
 */
export function describeUpgrade(upgrade: UpgradePoint, records?: number): string {
  return upgrade.how === 'live'
    ? `the pipeline is upgraded live ${killPoint(upgrade, records)}: stopped at a checkpoint there, and its next version started from it in the same host`
    : `the pipeline is killed ${killPoint(upgrade, records)}, and its next version resumed from its last checkpoint`;
}

/**
 * Upgrade points: anywhere in the input, at a planned checkpoint, or at its end; by resume and by
 * live swap, or only the one `how` names. They shrink toward a resume, the upgrade with fewer moving
 * parts: a case that fails either way is shown the simpler way, and one that fails only live stays live.
 *
 * @example
 * ```ts
 * fc.sample(upgradePointArb(), 1); // e.g. [{ afterRecords: 3, steps: 0, how: 'live' }]
 * ```
 * @throws InvalidOptionError naming `how` when it is neither `'resume'` nor `'live'`.
 */
export function upgradePointArb(how?: UpgradeMode): fc.Arbitrary<UpgradePoint> {
  if (how !== undefined && how !== 'resume' && how !== 'live') throw new InvalidOptionError('how', "'resume' or 'live'", how);
  const modes = how === undefined ? fc.constantFrom<UpgradeMode>('resume', 'live') : fc.constant(how);
  return fc.record({ ...KILL_POINT, how: modes }, { requiredKeys: ['afterRecords', 'steps', 'how'] });
}

/**
 * The records `order` delivers behind a newer one, in words: `record 1 (at 10) comes 5 behind`.
 * Input order is not the point under disorder; event time is.
 */
function lateness<TRecord>(input: readonly TRecord[], order: readonly number[], disorder: Disorder<TRecord>): string[] {
  const late: string[] = [];
  let newest = Number.NEGATIVE_INFINITY;
  for (const at of order) {
    const time = disorder.timestampOf(input[at] as TRecord);
    if (time < newest) late.push(`record ${at} (at ${time}) comes ${newest - time} behind`);
    newest = Math.max(newest, time);
  }
  return late;
}

/** A resolved retime in words, with the times it gave: `record 0 retimed to 295, exactly the bound (5) before record 1`. */
function describeRetime<TRecord>(retime: Retime, input: readonly TRecord[], disorder: Disorder<TRecord>): string {
  const time = disorder.timestampOf(input[retime.record] as TRecord);
  const other = disorder.timestampOf(input[retime.like] as TRecord);
  const how = retime.gap === 'equal' ? 'the time of' : `exactly the bound (${disorder.bound}) ${time < other ? 'before' : 'after'}`;
  return `record ${retime.record} retimed to ${time}, ${how} record ${retime.like}`;
}

/**
 * Every fault of a plan in words, separated by semicolons; `none` when there is none. Retimes are
 * described as a case holds them: resolved, with `input` already retimed.
 */
export function describeFaults<TRecord>(plan: FaultPlan, input?: readonly TRecord[], disorder?: Disorder<TRecord>): string {
  const lines = plan.faults.map((fault) => describeFault(fault, input?.length));
  if (plan.upgrade !== undefined) lines.push(describeUpgrade(plan.upgrade, input?.length));
  if (input !== undefined && disorder !== undefined) {
    for (const retime of plan.retimes ?? []) lines.push(describeRetime(retime, input, disorder));
    const order = deliveryOrder(input, plan.delays, disorder);
    const late = lateness(input, order, disorder);
    if (late.length > 0) lines.push(`records delivered out of order within ${disorder.bound} ms, in the order ${order.join(' ')}: ${late.join(', ')}`);
  }
  return lines.length === 0 ? 'none' : lines.join('; ');
}
