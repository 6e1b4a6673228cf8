/**
 * Runs a pipeline: plans the stages (stateless operators fused into the actor before them), spawns
 * a job actor with a partition actor per keyed partition and a sink actor under it, and drives
 * the source. Every hop is bounded: the source reads only when the first stage has room, each
 * partition sends on only when the next has room, and the sink's awaited writes hold it all back.
 */
import type { ActorSystem, DispatcherOptions, SystemOptions } from '../../actors/actor-system.js';
import { createSystem } from '../../actors/system.js';
import { defineActor } from '../../actors/behavior.js';
import type { ActorRef } from '../../actors/actor-ref.js';
import type { ActorMetrics } from '../../actors/actor-metrics.js';
import type { EventChannel } from '../../actors/events.js';
import { InvalidOptionError, PipelineFailedError } from '../../errors.js';
import { Topic } from '../../internal/topic.js';
import {
  isFunction,
  isObject,
  nonNegativeIntegerOrInfinity,
  nonNegativeNumber,
  positiveInteger,
  positiveNumberOrInfinity,
  withDefault,
} from '../../internal/validate.js';
import { LatencyHistogram, type LatencySummary } from '../../metrics/latency-histogram.js';
import type { PartitionKey } from '../partitioning/canonical-key.js';
import { NO_WATERMARK } from '../time/watermarks.js';
import type { Clock } from '../../clock.js';
import type { ChainStep, LogicalPlan, StageStep } from '../internal/logical-plan.js';
import type { Sink } from '../sinks/sink.js';
import { assignmentFor, type Assignment } from './assign.js';
import { InjectedCrash, crasher, validateChaos, type ChaosOptions, type CrashPlan } from './chaos.js';
import type { PipelineDeadLetter, StageMessage } from './messages.js';
import { aggregateOperator } from './operators/aggregate-operator.js';
import type { PartitionOperator, OperatorSetup } from './operators/partition-operator.js';
import { processOperator, type ProcessEntry } from './operators/process-operator.js';
import { relayOperator } from './operators/relay-operator.js';
import { windowOperator } from './operators/window-operator.js';
import type { OperatorCounters } from './operator-counters.js';
import { partitionActor } from './partition-actor.js';
import { Router } from './router.js';
import { keyGroupRange } from '../partitioning/key-groups.js';
import { driveSource } from './source-driver.js';
import { planStepChain, type StepChain } from './step-chain.js';
import { SideOutput } from './side-output.js';
import { checkCheckpointOptions, type CheckpointOptions } from '../checkpoint/checkpoint-options.js';
import { CheckpointAbandonedError, type CheckpointStats, type StageLayout } from '../checkpoint/coordinator.js';
import { RunCheckpoints, type StartingPoint } from '../checkpoint/run-checkpoints.js';
import { sinkActor } from './sink-actor.js';
import type { CheckpointCompletedEvent, PipelineEvent } from './pipeline-events.js';
import { stateKeyOf } from './state-key.js';

/** Options of `pipeline.run()`. */
export interface RunOptions {
  /** A name for the job's actors (`/user/<name>`) and metrics. @defaultValue 'pipeline' */
  name?: string | undefined;
  /** Stops the pipeline gracefully when aborted (as `stop()` does). */
  signal?: AbortSignal | undefined;
  /**
   * Records per batch between actors. Larger batches spread each message's fixed cost over more
   * records; under `chaos` the default shrinks so a replayed batch is likely to get through.
   * @defaultValue 1024 (with `chaos`: at most 0.5 / crashRate)
   */
  batchSize?: number | undefined;
  /**
   * Milliseconds a partly filled batch from the source may wait for more records before it is
   * sent anyway, so a slow or idle source never holds records back. @defaultValue 5
   */
  lingerMs?: number | undefined;
  /** Batches each partition's (and the sink's) mailbox holds before senders wait. @defaultValue 4 */
  mailboxBatches?: number | undefined;
  /** Extra attempts at a user function that throws on a record, before it is dead-lettered. @defaultValue 2 */
  retries?: number | undefined;
  /** Where records the pipeline could not process go (besides `handle.deadLetters()`). */
  deadLetters?: Sink<PipelineDeadLetter> | undefined;
  /** Inject crashes into partition actors, to see supervision at work. */
  chaos?: ChaosOptions | undefined;
  /**
   * Planned crashes, for tests (the testing kit's fault plans): asked each time a partition actor
   * takes a record or a marker, with the actor and how many it has taken in this run (replays
   * included); it throws when this returns true. Works beside `chaos`.
   */
  crashAt?: CrashPlan | undefined;
  /**
   * Restarts of partition actors the job tolerates within 10 seconds before it fails the run.
   * Restarts after an injected crash (`chaos`, `crashAt`) are not counted: however many a test
   * injects, the output must not change.
   * @defaultValue 1000 within 10000 ms
   */
  maxRestarts?: number | undefined;
  /**
   * The clock for processing time: processing-time timers, idle timeouts, linger, checkpoint
   * intervals. A virtual clock in tests. @defaultValue the real clock
   */
  clock?: Clock | undefined;
  /**
   * Take checkpoints into `dir` every `interval`, and resume from the newest complete one there:
   * state, source offset and sink (exactly-once with a sink that pre-commits). Needs a replayable
   * source.
   */
  checkpoint?: CheckpointOptions | undefined;
  /**
   * How the run's actors share the event loop: `turnBudgetMs` is the longest a turn of actor work
   * runs before it yields to the host's I/O; a smaller one gives an embedding service shorter
   * stalls for a little throughput. @defaultValue `{ messageBudget: 256, turnBudgetMs: 5 }`
   */
  dispatcher?: DispatcherOptions | undefined;
  /**
   * Makes the run's actor system from the options the run sets (`name`, `clock`). The testing kit
   * passes one whose dispatcher runs on a deterministic schedule. @defaultValue `createSystem`
   */
  system?: ((options: SystemOptions) => ActorSystem) | undefined;
}

/** What a finished run reports. */
export interface PipelineResult {
  /** Records taken from the source. */
  readonly recordsRead: number;
  /** Records the sink accepted. */
  readonly recordsWritten: number;
  /** Records sent to the dead-letter output. */
  readonly deadLetters: number;
  /** Records too late for every window, over all window operators (dead-lettered or not). */
  readonly lateRecords: number;
  /** True when `stop()` or the signal ended the run before the source did. */
  readonly stopped: boolean;
  readonly durationMs: number;
  /** The checkpoint this run resumed from, when it did. */
  readonly resumedFrom: number | undefined;
  /** Newer checkpoints passed over because they were damaged, and why. */
  readonly skippedCheckpoints: readonly { readonly id: number; readonly reason: string }[];
  /** True when the checkpoint folder said the job had already completed: nothing ran. */
  readonly alreadyComplete: boolean;
  /** Checkpoints this run completed (with checkpoints on), the last one included. */
  readonly checkpoints: number;
}

/**
 * Where a run is: `'starting'` until its actors are up (and, with checkpoints, the state is
 * restored), `'running'`, `'stopping'` once `stop()` or the signal asked it to, then `'finished'`
 * (`done` resolved) or `'failed'` (`done` rejected).
 */
export type PipelineStatus = 'starting' | 'running' | 'stopping' | 'finished' | 'failed';

/** One operator's counters: the source, each keyed (or rebalanced) stage, the sink. */
export interface OperatorMetrics {
  readonly name: string;
  readonly recordsIn: number;
  readonly recordsOut: number;
}

/** A keyed (or rebalanced) stage as its partitions see it. */
export interface StageMetrics {
  /** The operator's name, as in `operators`. */
  readonly name: string;
  readonly partitions: number;
  /**
   * Time a partition takes over one batch (the operator and routing its output, not the wait for
   * room downstream), in milliseconds: percentiles of the last one to two minutes.
   */
  readonly latency: LatencySummary;
  /** The stage's input watermark (the lowest of its partitions'), on a timed stream once it has one. */
  readonly watermark: number | undefined;
}

/** Live counters of a running pipeline. */
export interface PipelineMetrics {
  /** The run's name (`run({ name })`). */
  readonly name: string;
  readonly status: PipelineStatus;
  readonly operators: readonly OperatorMetrics[];
  /** Each keyed (or rebalanced) stage's batch latency and watermark, in pipeline order. */
  readonly stages: readonly StageMetrics[];
  /** Mailbox depth (in batches) and high-water mark of every actor, by path. */
  readonly mailboxes: Readonly<Record<string, { readonly depth: number; readonly highWaterMark: number }>>;
  /**
   * Every actor of the run — the job, each partition, the sink — with what it processed (batches),
   * its failures and restarts, mailbox depth, high-water mark and drops.
   */
  readonly actors: readonly ActorMetrics[];
  readonly restarts: number;
  readonly deadLetters: number;
  readonly lateRecords: number;
  /** With checkpoints on: how many completed, the last one's id, duration and size. */
  readonly checkpoints: CheckpointStats | undefined;
  /** Records read and written since the run started, and the average rate of reading. */
  readonly throughput: {
    readonly elapsedMs: number;
    readonly recordsRead: number;
    readonly recordsWritten: number;
    readonly recordsPerSecond: number;
  };
  /**
   * On a timed stream: the watermark of the last stage that has one, and how far it trails the wall
   * clock (`Date.now()` − watermark, for event times in epoch milliseconds).
   */
  readonly watermark: { readonly value: number; readonly lagMs: number } | undefined;
}

/** Options of {@link PipelineHandle.query}. */
export interface QueryOptions {
  /**
   * How long to wait for the partition's answer (it answers between two batches), in milliseconds.
   * @defaultValue 5000
   */
  timeoutMs?: number | undefined;
}

/** A running pipeline. */
export interface PipelineHandle {
  /** Resolves when the source has ended and everything has drained into the sink; rejects with the failure. */
  readonly done: Promise<PipelineResult>;
  /** Where the run is now. */
  readonly status: PipelineStatus;
  /**
   * The run's events: its actor system's (`actor-restarted`, `actor-failed`, `poison-message` …)
   * and its own (`checkpoint-completed`, `pipeline-finished`), published synchronously.
   */
  readonly events: EventChannel<PipelineEvent>;
  /** Counters read now; cheap enough to call on every scrape. */
  metrics(): PipelineMetrics;
  /**
   * The current value of `key` in the keyed stage named `stage` (`'reduce'`, `'aggregate'`,
   * `'process'`, or the stage's `name` option): the partition that owns the key answers from its
   * live state — for `reduce`/`aggregate` the value it would emit (`result` of the accumulator), for
   * `process` the key's state. Resolves with undefined for a key the stage holds nothing for.
   *
   * In the first keyed stage the answer covers every record the source handed the pipeline before
   * the call (records waiting for a batch to fill are sent first); later stages answer with what
   * has reached them. Treat the value as read-only: it is the state itself, not a copy.
   *
   * @throws (rejects) InvalidOptionError naming `stage` when no reduce, aggregate or process stage
   *   has that name, or `query` when the run has finished; InvalidKeyError for a key that cannot be
   *   partitioned; AskTimeoutError after `timeoutMs`; the error `result` throws.
   * @example
   * ```ts
   * const handle = pipeline(source).keyBy((e) => e.user, { partitions: 4 })
   *   .reduce((n: number) => n + 1, () => 0).to(toCallback(() => {})).run();
   * const clicks = await handle.query<number>('reduce', 'ada'); // undefined until ada is seen
   * ```
   */
  query<TValue = unknown>(stage: string, key: PartitionKey, options?: QueryOptions): Promise<TValue | undefined>;
  /** The most recent dead letters (up to 1000), oldest first. */
  deadLetters(): PipelineDeadLetter[];
  /**
   * Stops reading the source and resolves like `done`. Without checkpoints, what was read drains
   * into the sink (final values and windows included); with them, a last checkpoint is taken
   * instead, and a later run resumes from it.
   */
  stop(): Promise<PipelineResult>;
  /**
   * Takes a checkpoint now (with checkpoints on) and resolves with its id once it is complete.
   * @throws InvalidOptionError (rejects) when the run has no `checkpoint` option.
   */
  checkpoint(): Promise<number>;
}

interface Stage {
  readonly step: StageStep;
  /** Whether the records arriving at the stage carry event times. */
  readonly inputTimed: boolean;
  readonly tail: StepChain;
  /** How records are assigned to this stage's partitions, shared by everything that routes there. */
  readonly assignment: Assignment;
}

/**
 * Splits the steps at each repartition; the chain steps after one run in the stage before them.
 * A stream is timed from its first `withTimestamps` on.
 */
function planStages(steps: LogicalPlan['steps']): { head: StepChain; stages: Stage[] } {
  const groups: ChainStep[][] = [[]];
  const repartitions: StageStep[] = [];
  for (const step of steps) {
    if (step.kind === 'keyed' || step.kind === 'rebalance') {
      repartitions.push(step);
      groups.push([]);
    } else {
      (groups[groups.length - 1] as ChainStep[]).push(step);
    }
  }
  const head = planStepChain(groups[0] as ChainStep[], false);
  let timed = head.timed;
  const stages = repartitions.map((step, i): Stage => {
    const tail = planStepChain(groups[i + 1] as ChainStep[], timed);
    const stage = { step, inputTimed: timed, tail, assignment: assignmentFor(step) };
    timed = tail.timed;
    return stage;
  });
  return { head, stages };
}

/** How a stage is partitioned, as a checkpoint manifest records it. */
function layoutOf(step: StageStep): StageLayout {
  if (step.kind === 'rebalance') return { name: step.name, partitions: step.partitions, maxParallelism: step.partitions };
  const { name, partitions, maxParallelism } = step;
  if (step.boundaries !== undefined) {
    return { name, partitions, maxParallelism, boundaries: step.boundaries.map((b) => (typeof b === 'bigint' ? Number(b) : b)) };
  }
  return { name, partitions, maxParallelism, keyGroups: Array.from({ length: partitions }, (_, p) => keyGroupRange(p, maxParallelism, partitions)) };
}

/** The operator of a stage, made afresh at each start of each of its partitions. */
function operatorFactory(step: StageStep, now: () => number): (context: OperatorSetup) => PartitionOperator {
  if (step.kind === 'rebalance') return () => relayOperator();
  const { operator } = step;
  switch (operator.kind) {
    case 'aggregate':
      return (context) => aggregateOperator(operator, context);
    case 'window':
      return (context) => windowOperator(operator, context);
    case 'process':
      return (context) => processOperator(operator, context, now);
  }
}

/**
 * Whether a stage fed by the source judges records by the watermark: windows (lateness, firing) and
 * process functions (event-time timers). Only then does the source send each record's watermark.
 */
function judgesEventTime(stage: Stage | undefined): boolean {
  return stage?.step.kind === 'keyed' && (stage.step.operator.kind === 'window' || stage.step.operator.kind === 'process');
}

/** Records per batch when `run()` is not told. */
export const DEFAULT_BATCH_SIZE = 1024;

/**
 * The batch size a run uses by default: {@link DEFAULT_BATCH_SIZE}, or under injected crashes one
 * small enough that a batch gets through with even odds. A restarted partition processes its whole
 * batch again, and each of its records may crash again, so a batch of n records at crash rate p
 * gets through with probability (1 − p)ⁿ ≈ e^(−pn): with n ≤ 0.5 / p, most replays succeed.
 */
export function defaultBatchSize(chaos: ChaosOptions | undefined): number {
  if (chaos === undefined || chaos.crashRate === 0) return DEFAULT_BATCH_SIZE;
  return Math.max(1, Math.min(DEFAULT_BATCH_SIZE, Math.floor(0.5 / chaos.crashRate)));
}

export function runPipeline(plan: LogicalPlan, options: RunOptions): PipelineHandle {
  isObject('options', options);
  const name = options.name ?? 'pipeline';
  if (typeof name !== 'string' || !/^[A-Za-z0-9\-_.:@+]+$/.test(name)) throw new InvalidOptionError('name', 'letters, digits and -_.:@+', name);
  const chaos = validateChaos(options.chaos);
  const batchSize = withDefault(options.batchSize, defaultBatchSize(chaos), (v) => positiveInteger('batchSize', v));
  const lingerMs = withDefault(options.lingerMs, 5, (v) => nonNegativeNumber('lingerMs', v));
  const mailboxBatches = withDefault(options.mailboxBatches, 4, (v) => positiveInteger('mailboxBatches', v));
  const retries = withDefault(options.retries, 2, (v) => nonNegativeIntegerOrInfinity('retries', v));
  const maxRestarts = withDefault(options.maxRestarts, 1000, (v) => nonNegativeIntegerOrInfinity('maxRestarts', v));
  if (options.crashAt !== undefined) isFunction('crashAt', options.crashAt);
  const clock = options.clock;
  if (options.system !== undefined) isFunction('system', options.system);
  const makeSystem = options.system ?? createSystem;
  const checkpointOptions = checkCheckpointOptions(options.checkpoint);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new InvalidOptionError('signal', 'an AbortSignal', options.signal);

  const started = performance.now();
  const { head, stages } = planStages(plan.steps);
  // Each run has a system of its own: a job that gives up stops only that system, never the host's.
  const system = makeSystem({ name, ...(clock === undefined ? {} : { clock }), ...(options.dispatcher === undefined ? {} : { dispatcher: options.dispatcher }) });
  const deadLetters = new SideOutput<PipelineDeadLetter>(options.deadLetters);
  const deadLetter = (letter: PipelineDeadLetter): void => deadLetters.post(letter);
  // Each window stage with a late-records sink writes there; the others' late records are dead letters.
  const lateOutputs = stages.map((stage) =>
    stage.step.kind === 'keyed' && stage.step.operator.kind === 'window' && stage.step.operator.lateRecords !== undefined
      ? new SideOutput<unknown>(stage.step.operator.lateRecords)
      : undefined,
  );
  let lateRecords = 0;
  const sourceCounters: OperatorCounters = { name: `source:${plan.source.name}`, recordsIn: 0, recordsOut: 0 };
  const stageCounters = stages.map(
    (stage): OperatorCounters => ({
      name: stage.step.name,
      recordsIn: 0,
      recordsOut: 0,
      latency: new LatencyHistogram(),
      watermarks: stage.inputTimed ? new Array<number>(stage.step.partitions).fill(NO_WATERMARK) : undefined,
    }),
  );
  const sinkCounters: OperatorCounters = { name: `sink:${plan.sink.name}`, recordsIn: 0, recordsOut: 0 };
  const stageRefs: ActorRef<StageMessage<unknown>>[][] = stages.map(() => []);
  const checkpoints =
    checkpointOptions === undefined
      ? undefined
      : new RunCheckpoints({
          options: checkpointOptions,
          source: plan.source,
          stages: stages.map((stage) => ({ layout: layoutOf(stage.step), assignment: stage.assignment })),
          clock: system.clock,
          commit: (token, completed) => (sinkRef as ActorRef<StageMessage<unknown>>).send({ type: 'commit', token, completed }),
          failed: (error) => void fail(error),
        });
  let start: StartingPoint = {
    resumedFrom: undefined,
    skipped: [],
    completed: false,
    offset: plan.source.start,
    maxTimestamp: Number.NEGATIVE_INFINITY,
    entries: undefined,
    progress: undefined,
    sinkToken: undefined,
  };
  let sinkRef: ActorRef<StageMessage<unknown>> | undefined;
  /** Whether the sink was closed (the job completed): otherwise the run's end releases it. */
  let sinkClosed = false;
  let restarts = 0;
  let stopRequested = false;
  let settled = false;
  let status: PipelineStatus = 'starting';
  const events = new Topic<PipelineEvent>('pipeline event');
  /** The source driver's router, for a query to send what waits in its batches first. */
  let sourceRouter: Router | undefined;
  let markReady!: () => void;
  /** Resolves once the actors are up and the source driver is about to read. */
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  let resolveDone!: (result: PipelineResult) => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<PipelineResult>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined); // observed here; the caller sees the rejection on `done` too

  // The driver waits on a slow source and on `wake()` at once, once per record. A long-lived promise
  // raced there would gain a reaction per record until it settles — unbounded memory on a tailing
  // source. So each wait gets a fresh promise, held in one slot that the next wait replaces, and the
  // checkpoints' shared `wanted()` promise is subscribed to once, not once per record.
  let wakeWaiting: (() => void) | undefined;
  let subscribedWanted: Promise<void> | undefined;
  const wakeDriver = (): void => {
    wakeWaiting?.();
    wakeWaiting = undefined;
  };
  const wake = (): Promise<void> => {
    if (stopRequested || settled) return Promise.resolve();
    const woken = new Promise<void>((resolve) => {
      wakeWaiting = resolve;
    });
    if (checkpoints !== undefined) {
      const wanted = checkpoints.wanted();
      if (wanted !== subscribedWanted) {
        subscribedWanted = wanted;
        void wanted.then(wakeDriver);
      }
    }
    return woken;
  };
  const jobPath = `/user/${name}`;
  const unsubscribe = system.events.subscribe((event) => {
    if (events.hasSubscribers) events.publish(event);
    if (event.type === 'actor-restarted') restarts++;
    if (event.type === 'actor-escalated' && event.path === jobPath) void fail(event.error);
    // A batch that keeps failing the actor itself (not a record a user function threw on, which is
    // dead-lettered one by one) would be lost: fail the run instead.
    if (event.type === 'poison-message') void fail(new PipelineFailedError(event.path, event.error));
  });

  /**
   * Ends the run once: stops taking checkpoints, wakes a driver waiting on the source so it lets go
   * of it, stops every actor, waits for the driver, then closes the side outputs (nothing posts to
   * them any more) and waits for every checkpoint file being written. Only then does `done` settle,
   * so a run started at once on the same folder (a resume) meets nothing of this one still going.
   */
  const finish = async (outcome: { result: PipelineResult } | { error: unknown }): Promise<void> => {
    if (settled) return;
    settled = true;
    wakeDriver();
    checkpoints?.close();
    unsubscribe();
    options.signal?.removeEventListener('abort', onAbort);
    let failure = 'error' in outcome ? outcome.error : undefined;
    await system.shutdown();
    await driving;
    // Nothing writes to the sink or the side outputs any more: they let go of what they hold.
    const endings: (() => unknown)[] = [];
    if (!sinkClosed) endings.push(() => plan.sink.release?.());
    endings.push(() => deadLetters.close());
    for (const output of lateOutputs) if (output !== undefined) endings.push(() => output.close());
    for (const end of endings) {
      try {
        await end();
      } catch (error) {
        failure ??= error;
      }
    }
    await checkpoints?.writesEnded();
    status = failure === undefined ? 'finished' : 'failed';
    if (events.hasSubscribers) {
      const at = system.clock.now();
      events.publish({ type: 'pipeline-finished', pipeline: name, stopped: stopRequested, ...(failure === undefined ? {} : { error: failure }), at });
    }
    if (failure !== undefined) rejectDone(failure);
    else resolveDone((outcome as { result: PipelineResult }).result);
  };
  /** Publishes each checkpoint's completion, with the offset a restart would read from. */
  const observed = (begun: { id: number; done: Promise<void> }, offset: unknown): { id: number; done: Promise<void> } => {
    begun.done.then(
      () => {
        const stats = checkpoints?.stats;
        if (!events.hasSubscribers || stats?.lastId !== begun.id) return;
        const event: CheckpointCompletedEvent = {
          type: 'checkpoint-completed',
          pipeline: name,
          id: begun.id,
          offset,
          durationMs: stats.lastDurationMs ?? 0,
          bytes: stats.lastBytes ?? 0,
          at: system.clock.now(),
        };
        events.publish(event);
      },
      () => undefined,
    );
    return begun;
  };
  const fail = (error: unknown): Promise<void> => finish({ error });
  const complete = (): void => {
    void finish({
      result: {
        recordsRead: sourceCounters.recordsIn,
        recordsWritten: sinkCounters.recordsOut,
        deadLetters: deadLetters.count,
        lateRecords,
        stopped: stopRequested,
        durationMs: performance.now() - started,
        resumedFrom: start.resumedFrom,
        skippedCheckpoints: start.skipped,
        alreadyComplete: start.completed,
        checkpoints: checkpoints?.stats?.completed ?? 0,
      },
    });
  };

  const mailbox = { capacity: mailboxBatches, overflow: 'backpressure' as const };
  const job = system.spawn(
    defineActor<null, { type: 'setup' }>({
      initialState: () => null,
      receive(state, _message, ctx) {
        sinkRef = ctx.spawn(
          sinkActor({
            sink: plan.sink,
            upstreams: stages.at(-1)?.step.partitions ?? 1,
            counters: sinkCounters,
            completed: () => {
              sinkClosed = true;
              complete();
            },
            failed: (e) => void fail(e),
            preCommitted: checkpoints === undefined ? undefined : (id, token) => checkpoints.coordinator.preCommitted(id, token),
          }),
          { name: 'sink', mailbox },
        );
        for (let s = stages.length - 1; s >= 0; s--) {
          const stage = stages[s] as Stage;
          const next = stages[s + 1]?.assignment;
          const downstream = (): readonly ActorRef<StageMessage<unknown>>[] =>
            next === undefined ? [sinkRef as ActorRef<StageMessage<unknown>>] : (stageRefs[s + 1] as ActorRef<StageMessage<unknown>>[]);
          const operator = operatorFactory(stage.step, () => system.clock.now());
          const lateOutput = lateOutputs[s];
          const late = (record: unknown, timestamp: number): void => {
            lateRecords++;
            if (lateOutput !== undefined) lateOutput.post(record);
            else deadLetter({ reason: 'late', stage: stage.step.name, record, error: undefined, timestamp });
          };
          const lateBacklog = (): Promise<void> | undefined => (lateOutput?.congested === true ? lateOutput.drained() : undefined);
          for (let p = 0; p < stage.step.partitions; p++) {
            const actorName = `${stage.step.name}-${s}-partition-${p}`;
            const definition = partitionActor({
              name: stage.step.name,
              index: p,
              operator,
              inputTimed: stage.inputTimed,
              tail: stage.tail,
              next,
              downstream,
              upstreams: s === 0 ? 1 : (stages[s - 1] as Stage).step.partitions,
              batchSize,
              retries,
              counters: stageCounters[s] as OperatorCounters,
              deadLetter,
              late,
              lateBacklog,
              crash: crasher(chaos, options.crashAt, {
                actor: actorName,
                operator: stage.step.name,
                stage: s,
                stages: stages.length,
                partition: p,
                partitions: stage.step.partitions,
              }),
              stage: s,
              restored: start.entries?.[s]?.[p],
              restoredProgress: start.progress?.[s]?.[p],
              checkpoints: checkpoints?.coordinator,
            });
            (stageRefs[s] as ActorRef<StageMessage<unknown>>[])[p] = ctx.spawn(definition, {
              name: actorName,
              mailbox,
              // Restarts replay from the snapshot; only a batch that fails this often in a row is a bug.
              supervision: { maxRetries: 100 },
              // A snapshot per batch (an O(1) view of the keyed state): a restart replays one batch,
              // not a long log whose replay could itself keep failing.
              snapshot: { everyMessages: 1 },
            });
          }
        }
        ctx.reply(true);
        return state;
      },
    }),
    {
      name,
      // Injected crashes are as many as the test asked for: they must not use up a limit meant for real failures.
      supervisor: { maxRestarts, withinMs: 10_000, exempt: (cause) => cause instanceof InjectedCrash },
      supervision: { decide: () => 'escalate' },
    },
  );

  const drive = async (): Promise<void> => {
    if (checkpoints !== undefined) {
      start = await checkpoints.open();
      await plan.sink.recover?.(start.sinkToken, start.completed);
      if (start.completed) {
        // The job finished in an earlier run: its output stands, nothing runs again.
        await plan.sink.close?.();
        sinkClosed = true;
        complete();
        return;
      }
    }
    await job.ask({ type: 'setup' }, { timeoutMs: Infinity });
    const first = stages[0]?.assignment;
    const targets = first === undefined ? [sinkRef as ActorRef<StageMessage<unknown>>] : (stageRefs[0] as ActorRef<StageMessage<unknown>>[]);
    const router = new Router({
      next: first,
      batchSize,
      retries,
      send: (index, message) => (targets[index] as ActorRef<StageMessage<unknown>>).send(message),
      deadLetter,
      from: 0,
      timed: head.timed,
      carriesWatermarks: head.generator !== undefined && judgesEventTime(stages[0]),
    });
    sourceRouter = router;
    if (status === 'starting') status = 'running';
    markReady();
    const { offset, maxTimestamp } = await driveSource({
      source: plan.source,
      head,
      router,
      retries,
      batchSize,
      lingerMs,
      clock: system.clock,
      counters: sourceCounters,
      deadLetter,
      stopping: () => stopRequested || settled,
      failed: (error) => void fail(error),
      from: start.offset,
      fromMaxTimestamp: start.maxTimestamp,
      wake,
      barriers:
        checkpoints === undefined
          ? undefined
          : {
              signal: checkpoints.signal,
              begin: (at: unknown, readUpTo: number) => observed(checkpoints.begin(at, readUpTo), at),
            },
    });
    if (settled) return;
    if (checkpoints === undefined) {
      await router.end();
      return;
    }
    if (stopRequested) {
      // A stopped job is not finished: no final values or windows, a checkpoint to resume from.
      const last = observed(checkpoints.begin(offset, maxTimestamp, false), offset);
      await router.barrier(last.id);
      await last.done;
      complete();
      return;
    }
    await router.end(observed(checkpoints.begin(offset, maxTimestamp, true), offset).id);
  };
  // Settles once the driver has let go of the source and its timers, whatever became of it.
  const driving = drive().catch((error: unknown) => void fail(error));

  const requestStop = (): void => {
    stopRequested = true;
    if (!settled) status = 'stopping';
    wakeDriver();
  };
  const onAbort = (): void => requestStop();
  if (options.signal?.aborted) requestStop();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  // One promise each for every wait on the run, not a reaction on `done` per wait.
  const over = done.then(
    () => undefined,
    () => undefined,
  );
  const readyOrOver = Promise.race([ready, over]);
  const stageNamed = (stageName: string): number => {
    const index = stages.findIndex((stage) => stage.step.kind === 'keyed' && stage.step.operator.kind !== 'window' && stage.step.name === stageName);
    if (index < 0) {
      const names = stages.filter((stage) => stage.step.kind === 'keyed' && stage.step.operator.kind !== 'window').map((stage) => stage.step.name);
      throw new InvalidOptionError('stage', `the name of a reduce, aggregate or process stage (${names.join(', ') || 'none'})`, stageName);
    }
    return index;
  };

  return {
    done,
    get status() {
      return status;
    },
    events,
    async query<TValue>(stageName: string, key: PartitionKey, queryOptions?: QueryOptions): Promise<TValue | undefined> {
      const index = stageNamed(stageName);
      if (queryOptions !== undefined) isObject('options', queryOptions);
      const timeoutMs = withDefault(queryOptions?.timeoutMs, 5000, (v) => positiveNumberOrInfinity('timeoutMs', v));
      const stage = stages[index] as Stage;
      const partition = stage.assignment.partitionOfKey(key);
      const stateKey = stateKeyOf(key);
      if (status === 'starting') await readyOrOver;
      if (settled) throw new InvalidOptionError('query', 'a running pipeline', 'a finished one');
      // Records the driver holds in a partly filled batch were read before this call: send them
      // first, so the answer covers them (the ask then queues behind them in the partition's mailbox).
      if (index === 0) await sourceRouter?.flush();
      const ref = (stageRefs[index] as ActorRef<StageMessage<unknown>>[])[partition] as ActorRef<StageMessage<unknown>>;
      const reply = await ref.ask<{ value: unknown } | undefined>({ type: 'query', key: stateKey }, { timeoutMs });
      if (reply === undefined) return undefined;
      const operator = (stage.step as Extract<StageStep, { kind: 'keyed' }>).operator;
      if (operator.kind === 'aggregate') return operator.result(reply.value, key) as TValue;
      const entry = reply.value as ProcessEntry;
      return entry.hasState ? (entry.state as TValue) : undefined;
    },
    deadLetters: () => deadLetters.recent(),
    stop() {
      requestStop();
      return done;
    },
    async checkpoint() {
      if (checkpoints === undefined) throw new InvalidOptionError('checkpoint', 'set in run() to take checkpoints', undefined);
      await readyOrOver;
      const completedBefore = checkpoints.stats?.completed ?? 0;
      checkpoints.request();
      // The next checkpoint to complete is the one just asked for (or one begun before it).
      while ((checkpoints.stats?.completed ?? 0) === completedBefore) {
        if (settled) throw new InvalidOptionError('checkpoint', 'a running pipeline', 'a finished one');
        try {
          await Promise.race([checkpoints.coordinator.settled(), over]);
        } catch (error) {
          // One the run's end abandoned: the loop says the run is over.
          if (!(error instanceof CheckpointAbandonedError)) throw error;
        }
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      return checkpoints.stats?.lastId as number;
    },
    metrics() {
      const mailboxes: Record<string, { depth: number; highWaterMark: number }> = {};
      for (const ref of [...stageRefs.flat(), ...(sinkRef === undefined ? [] : [sinkRef])]) {
        const { depth, highWaterMark } = ref.metrics();
        mailboxes[ref.path] = { depth, highWaterMark };
      }
      const operators = [sourceCounters, ...stageCounters, sinkCounters].map(({ name: n, recordsIn, recordsOut }): OperatorMetrics => ({ name: n, recordsIn, recordsOut }));
      const stageMetrics = stageCounters.map(({ name: n, latency, watermarks }, s): StageMetrics => {
        const lowest = watermarks === undefined ? NO_WATERMARK : Math.min(...watermarks);
        return {
          name: n,
          partitions: (stages[s] as Stage).step.partitions,
          latency: (latency as LatencyHistogram).summary(),
          watermark: Number.isFinite(lowest) ? lowest : undefined,
        };
      });
      const elapsedMs = performance.now() - started;
      let watermark: PipelineMetrics['watermark'];
      for (const stage of stageMetrics) if (stage.watermark !== undefined) watermark = { value: stage.watermark, lagMs: Date.now() - stage.watermark };
      return {
        name,
        status,
        operators,
        stages: stageMetrics,
        mailboxes,
        actors: system.metrics().actors,
        restarts,
        deadLetters: deadLetters.count,
        lateRecords,
        checkpoints: checkpoints?.stats,
        throughput: {
          elapsedMs,
          recordsRead: sourceCounters.recordsIn,
          recordsWritten: sinkCounters.recordsOut,
          recordsPerSecond: elapsedMs > 0 ? (sourceCounters.recordsIn * 1000) / elapsedMs : 0,
        },
        watermark,
      };
    },
  };
}
