/**
 * A job: one running pipeline, the hub a run's parts hang from. It
 *  1. keeps the run's status, one phase value, and ends the run on one path (`#finish`), whatever
 *     ends it: the input, a stop, an abort, a failure;
 *  2. starts the actors (`spawnTopology`: where partitions run is its placement seam) once the
 *     checkpoints say where to start from;
 *  3. drives the source into the first stage, then ends the input or takes the last checkpoint;
 *  4. answers the handle: queries, checkpoints on demand, metrics, events.
 * A record visits it once: the driver hands it to the router, and from there it travels actor to
 * actor, with the job's side outputs and counters as the only things the actors share.
 */
import type { ActorSystem } from '../../actors/actor-system.js';
import { Topic } from '../../internal/topic.js';
import { RunCheckpoints, type StartingPoint } from '../checkpoint/run-checkpoints.js';
import type { PartitionKey } from '../partitioning/canonical-key.js';
import { InvalidOptionError } from '../../errors.js';
import type { CheckedCheckpointOptions } from '../checkpoint/checkpoint-options.js';
import { checkSavepointFolder, savepointRequest, writeSavepoint, type SavepointInfo, type SavepointRequest } from '../checkpoint/savepoint.js';
import type { PipelineHandle, PipelineMetrics, PipelineResult, PipelineStatus, StopOptions } from '../pipeline-handle.js';
import type { PhysicalPlan } from '../plan/physical-plan.js';
import type { QueryOptions } from '../run-options.js';
import type { PipelineEvent } from '../run/pipeline-events.js';
import { Router, type RecordRouter } from '../run/router.js';
import { planStepChain } from '../run/step-chain.js';
import { JobThreads, type JobThreadsSetup } from '../../threads/job-threads.js';
import { driveSource } from '../run/source-driver.js';
import { checkpointNow } from './checkpoint-now.js';
import { DriverWake } from './driver-wake.js';
import { announceCompletion, bridgeSystemEvents, type BegunCheckpoint } from './job-events.js';
import { queryStage, type QueryTarget } from './job-query.js';
import { JobCounters } from './job-counters.js';
import { jobMetrics } from './job-metrics.js';
import { JobOutputs } from './job-outputs.js';
import type { RunSettings } from './run-settings.js';
import { partitionName, spawnJobActors } from './job-actors.js';
import { firstOf, type Topology } from './topology.js';
import { savepointNow } from './savepoint-now.js';
import { RunHandle } from './run-handle.js';
import { upgradeRun, type RunOrigin } from './upgrade-run.js';

/**
 * Where a job is. `ending`: its end has begun (actors stopping, outputs closing) and `done` has
 * not settled yet; the handle shows it as `'stopping'`.
 */
type JobPhase = 'starting' | 'running' | 'stopping' | 'ending' | 'finished' | 'failed';

type Outcome = { readonly result: PipelineResult } | { readonly error: unknown };

/** Where a run starts when there is no checkpoint to resume from. */
function freshStart(plan: PhysicalPlan): StartingPoint {
  return {
    resumedFrom: undefined,
    skipped: [],
    completed: false,
    offset: plan.source.start,
    maxTimestamp: Number.NEGATIVE_INFINITY,
    entries: undefined,
    progress: undefined,
    sinkToken: undefined,
  };
}

export class Job {
  readonly #plan: PhysicalPlan;
  readonly #settings: RunSettings;
  readonly #system: ActorSystem;
  readonly #counters: JobCounters;
  readonly #outputs: JobOutputs;
  readonly #checkpoints: RunCheckpoints | undefined;
  readonly #wake: DriverWake;
  readonly #events = new Topic<PipelineEvent>('pipeline event');
  readonly #startedAt = performance.now();
  readonly #done: Promise<PipelineResult>;
  #settle!: { resolve: (result: PipelineResult) => void; reject: (error: unknown) => void };
  /** Resolves once the actors are up and the source driver is about to read. */
  readonly #ready: Promise<void>;
  #markReady!: () => void;
  /** One promise for every wait on the run's end, not a reaction on `done` per wait. */
  readonly #over: Promise<void>;
  readonly #readyOrOver: Promise<void>;
  /** True once the job is ready, false when it is over before. */
  readonly #started: Promise<boolean>;
  readonly #unsubscribe: () => void;
  readonly #driving: Promise<void>;
  /** What a query reads of this job. */
  readonly #queryTarget: QueryTarget;
  #phase: JobPhase = 'starting';
  /** The caller asked to stop (`stop()` or the signal): a fact the result reports, whatever the phase. */
  #stopRequested = false;
  /** Where the stop that was asked for writes its savepoint, when it asked for one. */
  #stopSavepoint: SavepointRequest | undefined;
  /** The savepoint the stop wrote. */
  #savepoint: SavepointInfo | undefined;
  #start: StartingPoint;
  #topology: Topology | undefined;
  /** The source driver's router, for a query to send what waits in its batches first. */
  #sourceRouter: RecordRouter | undefined;
  /** The worker threads that run the partitions, when the job runs on more than this one. */
  readonly #threads: JobThreads | undefined;
  /** Where a run on this thread alone runs, when a host names it (a cluster worker's id). */
  readonly #owner: string | undefined;
  /** Whether the sink was closed (the job completed): otherwise the run's end releases it. */
  #sinkClosed = false;

  /**
   * @param module the job module, for a job on worker threads (`settings.workers` > 1).
   * @throws InvalidOptionError naming `checkpoint` when the source cannot be read again from an offset.
   */
  /**
   * @param module - with `workers` > 1, what the threads import and where they run; `owner` names
   *   where a run on this thread alone runs (a cluster worker's id), for its metrics.
   */
  constructor(
    plan: PhysicalPlan,
    settings: RunSettings,
    module?: Pick<JobThreadsSetup, 'url' | 'job' | 'args' | 'loader' | 'resourceLimits' | 'host'> & { readonly owner?: string | undefined },
  ) {
    this.#plan = plan;
    this.#owner = module?.owner;
    this.#settings = settings;
    this.#system = settings.makeSystem();
    this.#counters = new JobCounters(plan);
    this.#outputs = new JobOutputs(plan.stages, settings.deadLetters);
    this.#threads =
      module === undefined || settings.workers === 1
        ? undefined
        : new JobThreads(
            {
              ...module,
              plan,
              settings,
              snapshot:
                settings.checkpoint === undefined
                  ? undefined
                  : (id, stage, partition, entries, progress) =>
                      this.#checkpoints?.coordinator.snapshot(id, stage, partition, entries, () => undefined, progress),
            },
            {
              failed: (error) => void this.#fail(error),
              deadLetter: this.#outputs.deadLetter,
              late: (stage, record, timestamp) =>
                this.#outputs.forStage(stage, (plan.stages[stage] as PhysicalPlan['stages'][number]).step.name).late(record, timestamp as number),
              event: (event) => {
                if (this.#events.hasSubscribers) this.#events.publish(event as PipelineEvent);
              },
            },
          );
    this.#checkpoints =
      settings.checkpoint === undefined
        ? undefined
        : new RunCheckpoints({
            options: settings.checkpoint,
            source: plan.source,
            stages: plan.stages,
            allowDroppedState: settings.allowDroppedState,
            finishUpgraded: settings.finishUpgraded,
            clock: this.#system.clock,
            commit: (token, completed) => (this.#topology as Topology).sink.send({ type: 'commit', token, completed }),
            failed: (error) => void this.#fail(error),
          });
    this.#start = freshStart(plan);
    this.#wake = new DriverWake(() => this.#stopRequested || this.#settled, this.#checkpoints);
    this.#done = new Promise<PipelineResult>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    this.#done.catch(() => undefined); // observed here; the caller sees the rejection on `done` too
    this.#ready = new Promise<void>((resolve) => {
      this.#markReady = resolve;
    });
    this.#over = this.#done.then(
      () => undefined,
      () => undefined,
    );
    this.#readyOrOver = Promise.race([this.#ready, this.#over]);
    this.#started = Promise.race([this.#ready.then(() => true), this.#over.then(() => false)]);
    this.#queryTarget = {
      plan,
      started: this.#readyOrOver,
      ended: () => this.#settled,
      topology: () => this.#topology,
      sourceRouter: () => this.#sourceRouter,
    };
    this.#unsubscribe = bridgeSystemEvents(this.#system, this.#events, this.#counters, settings.name, (error) => void this.#fail(error));
    const { signal } = settings;
    if (signal?.aborted) this.#requestStop();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
    // Settles once the driver has let go of the source and its timers, whatever became of it.
    this.#driving = this.#drive().catch((error: unknown) => void this.#fail(error));
  }

  /**
   * The caller's view of this job.
   * @param origin - how the run was started, for `upgrade`; undefined for a run that cannot be
   *   started again from here (a cluster leader's).
   */
  handle(origin?: RunOrigin): PipelineHandle {
    const job = this;
    const checkpointTarget = { checkpoints: this.#checkpoints, started: this.#readyOrOver, over: this.#over, ended: () => this.#settled };
    const handle: PipelineHandle = new RunHandle({
      done: this.#done,
      started: this.#started,
      statusOf: () => this.status,
      events: this.#events,
      query<TValue>(stage: string, key: PartitionKey, options?: QueryOptions): Promise<TValue | undefined> {
        return queryStage<TValue>(job.#queryTarget, stage, key, options);
      },
      deadLetters: () => this.#outputs.recentDeadLetters(),
      stop: (options?: StopOptions) => {
        if (options?.savepoint === undefined || options.savepoint === false) {
          this.#requestStop();
          return this.#done;
        }
        return this.#stopWithSavepoint(options.savepoint);
      },
      checkpoint: () => checkpointNow(checkpointTarget),
      savepoint: (dir?: string) => savepointNow({ ...checkpointTarget, options: this.#settings.checkpoint }, dir),
      upgrade: (next, ...options) => upgradeRun(handle, origin, next, options[0]),
      metrics: () => this.#metrics(),
    });
    return handle;
  }

  get status(): PipelineStatus {
    return this.#phase === 'ending' ? 'stopping' : this.#phase;
  }

  /** Whether the run's end has begun: nothing new starts after it. */
  get #settled(): boolean {
    return this.#phase === 'ending' || this.#phase === 'finished' || this.#phase === 'failed';
  }

  // ─── The drive ──────────────────────────────────────────────────────────────────────────────

  /**
   * Opens the sink and the checkpoints (and recovers the sink), starts the actors, drives the source to its end
   * or a stop, then ends the input — with the job's last checkpoint, when there are checkpoints —
   * or, after a stop with checkpoints, takes one last checkpoint to resume from.
   */
  async #drive(): Promise<void> {
    const plan = this.#plan;
    const settings = this.#settings;
    const checkpoints = this.#checkpoints;
    if (plan.sink.open !== undefined) {
      const deadLetter = this.#outputs.deadLetter;
      await plan.sink.open({
        deadLetter: (record, error) => deadLetter({ reason: 'rejected', stage: plan.sink.name, record, error }),
        stop: () => this.#requestStop(),
      });
    }
    if (checkpoints !== undefined) {
      this.#start = await checkpoints.open();
      await plan.sink.recover?.(this.#start.sinkToken, this.#start.completed);
      if (this.#start.completed) {
        // The job finished in an earlier run: its output stands, nothing runs again.
        await plan.sink.close?.();
        this.#sinkClosed = true;
        this.#complete();
        return;
      }
    }
    this.#topology = await this.#spawn();
    const targets = firstOf(this.#topology);
    const spreader = this.#threads?.spreader;
    const router: RecordRouter =
      spreader ??
      new Router({
        next: plan.stages[0]?.assignment,
        batchSize: settings.batchSize,
        retries: settings.retries,
        send: (index, message) => (targets[index] as (typeof targets)[number]).send(message),
        deadLetter: this.#outputs.deadLetter,
        from: 0,
        timed: plan.head.timed,
        carriesWatermarks: plan.carriesWatermarks,
      });
    this.#sourceRouter = router;
    if (this.#phase === 'starting') this.#phase = 'running';
    this.#markReady();
    const { offset, maxTimestamp } = await driveSource({
      source: plan.source,
      // With the head steps on the threads, the source hands them raw records.
      head: spreader === undefined ? plan.head : planStepChain([], false),
      router,
      retries: settings.retries,
      batchSize: settings.batchSize,
      lingerMs: settings.lingerMs,
      clock: this.#system.clock,
      counters: this.#counters.source,
      deadLetter: this.#outputs.deadLetter,
      // Asked after every record: one comparison. The driver runs only once the phase is
      // 'running', and any other phase (a stop asked for, the run's end) stops the reading.
      stopping: () => this.#phase !== 'running',
      failed: (error) => void this.#fail(error),
      from: this.#start.offset,
      fromMaxTimestamp: this.#start.maxTimestamp,
      wake: this.#wake.waitForWake,
      barriers:
        checkpoints === undefined
          ? undefined
          : { signal: checkpoints.signal, begin: (at: unknown, readUpTo: number) => this.#observed(checkpoints.begin(at, readUpTo), at) },
    });
    if (this.#settled) return;
    if (checkpoints === undefined) {
      await router.end();
      return;
    }
    if (this.#stopRequested) {
      // A stopped job is not finished: no final values or windows, a checkpoint to resume from.
      const last = this.#observed(checkpoints.begin(offset, maxTimestamp, false), offset);
      await router.barrier(last.id);
      await last.done;
      const { storage, at } = settings.checkpoint as CheckedCheckpointOptions;
      // The source is let go and the checkpoint is the run's last: the storage's newest is this one.
      if (this.#stopSavepoint !== undefined) this.#savepoint = await writeSavepoint(storage, at, this.#stopSavepoint, last.id);
      this.#complete();
      return;
    }
    await router.end(this.#observed(checkpoints.begin(offset, maxTimestamp, true), offset).id);
  }

  /**
   * Starts the job actor, the sink and every partition, each from where the checkpoint left it;
   * with worker threads, starts them first, and only the sink here.
   */
  async #spawn(): Promise<Topology> {
    const threads = this.#threads;
    if (threads !== undefined) await threads.start(this.#start);
    const topology = await spawnJobActors({
      plan: this.#plan,
      settings: this.#settings,
      system: this.#system,
      counters: this.#counters,
      outputs: this.#outputs,
      start: this.#start,
      coordinator: this.#checkpoints?.coordinator,
      sinkClosed: () => {
        this.#sinkClosed = true;
        this.#complete();
      },
      failed: (error) => void this.#fail(error),
      elsewhere: threads === undefined ? undefined : { sink: undefined, partition: (s, p) => threads.partition(s, p) },
    });
    threads?.attachSink(topology.sink);
    return topology;
  }

  /** Publishes each checkpoint's completion, with the offset a restart would read from. */
  #observed(begun: BegunCheckpoint, offset: unknown): BegunCheckpoint {
    return announceCompletion(begun, offset, this.#checkpoints as RunCheckpoints, this.#events, this.#settings.name, this.#system);
  }

  // ─── The end ────────────────────────────────────────────────────────────────────────────────

  #requestStop(): void {
    this.#stopRequested = true;
    if (!this.#settled) this.#phase = 'stopping';
    this.#wake.wake();
  }

  readonly #onAbort = (): void => this.#requestStop();

  /**
   * `stop({ savepoint })`. A folder named is checked before anything stops (a readdir, so the stop
   * comes a moment later); the default one needs no check, and the stop is asked for at once, as
   * `stop()` asks. The drive writes the savepoint once the last checkpoint is complete.
   * @throws InvalidOptionError (rejects, and the run goes on) naming `savepoint`.
   */
  #stopWithSavepoint(value: unknown): Promise<PipelineResult> {
    const options = this.#settings.checkpoint;
    let request: SavepointRequest;
    try {
      if (options === undefined) throw new InvalidOptionError('savepoint', 'asked of a run with checkpoints (set `checkpoint` in run())', value);
      request = savepointRequest('savepoint', value, options.at);
    } catch (error) {
      return Promise.reject(error);
    }
    if (request.dir === undefined) return this.#stopKeeping(request);
    return checkSavepointFolder(request).then(() => this.#stopKeeping(request));
  }

  /** Asks for the stop, its last checkpoint to be kept as a savepoint; only the stop that ends the run can. */
  #stopKeeping(request: SavepointRequest): Promise<PipelineResult> {
    if (this.#stopRequested || this.#settled) {
      return Promise.reject(new InvalidOptionError('savepoint', 'asked of a running pipeline', `one that is ${this.status}`));
    }
    this.#stopSavepoint = request;
    this.#requestStop();
    return this.#done;
  }

  async #fail(error: unknown): Promise<void> {
    // With worker threads, a link closing under a sender means a thread died: its death is the reason.
    return this.#finish({ error: this.#threads === undefined ? error : await this.#threads.explain(error) });
  }

  #complete(): void {
    const start = this.#start;
    void this.#finish({
      result: {
        recordsRead: this.#counters.source.recordsIn,
        recordsWritten: this.#counters.sink.recordsOut,
        deadLetters: this.#outputs.deadLetters,
        lateRecords: this.#outputs.lateRecords,
        stopped: this.#stopRequested,
        durationMs: performance.now() - this.#startedAt,
        resumedFrom: start.resumedFrom,
        ...(start.savepoint === undefined ? {} : { resumedFromSavepoint: start.savepoint }),
        skippedCheckpoints: start.skipped,
        alreadyComplete: start.completed,
        checkpoints: this.#checkpoints?.stats?.completed ?? 0,
        ...(this.#savepoint === undefined ? {} : { savepoint: this.#savepoint }),
      },
    });
  }

  /**
   * Ends the run once: stops taking checkpoints, wakes a driver waiting on the source so it lets go
   * of it, stops every actor, waits for the driver, then lets the sink (when it was not closed) and
   * the side outputs go (nothing posts to them any more) and waits for every checkpoint file being
   * written. Only then does `done` settle, so a run started at once on the same folder (a resume)
   * meets nothing of this one still going.
   */
  async #finish(outcome: Outcome): Promise<void> {
    if (this.#settled) return;
    this.#phase = 'ending';
    this.#wake.wake();
    this.#checkpoints?.close();
    this.#unsubscribe();
    this.#settings.signal?.removeEventListener('abort', this.#onAbort);
    let failure = 'error' in outcome ? outcome.error : undefined;
    await this.#system.shutdown();
    // Stopping the threads closes the links, so a driver waiting for room on one lets go too.
    await this.#threads?.stop(failure !== undefined);
    await this.#driving;
    const endings: (() => unknown)[] = [];
    const runError = failure;
    if (!this.#sinkClosed) endings.push(() => this.#plan.sink.release?.(runError));
    endings.push(...this.#outputs.closings());
    for (const end of endings) {
      try {
        await end();
      } catch (error) {
        failure ??= error;
      }
    }
    await this.#checkpoints?.writesEnded();
    this.#phase = failure === undefined ? 'finished' : 'failed';
    if (this.#events.hasSubscribers) {
      const at = this.#system.clock.now();
      this.#events.publish({
        type: 'pipeline-finished',
        pipeline: this.#settings.name,
        stopped: this.#stopRequested,
        ...(failure === undefined ? {} : { error: failure }),
        at,
      });
    }
    if (failure !== undefined) this.#settle.reject(failure);
    else this.#settle.resolve(this.#counted((outcome as { result: PipelineResult }).result));
  }

  /**
   * `result` with the dead letters and late records counted now, once the run is over: worker
   * threads report theirs on their control ports, which the threads' stop has drained, while the
   * result was made when the sink finished, perhaps before the last of those reports arrived.
   */
  #counted(result: PipelineResult): PipelineResult {
    return { ...result, deadLetters: this.#outputs.deadLetters, lateRecords: this.#outputs.lateRecords };
  }

  // ─── The handle ─────────────────────────────────────────────────────────────────────────────

  #metrics(): PipelineMetrics {
    return jobMetrics({
      name: this.#settings.name,
      status: this.status,
      plan: this.#plan,
      counters: this.#threads === undefined ? this.#counters : this.#threads.withCounters(this.#counters),
      outputs: this.#outputs,
      topology: this.#topology,
      system: this.#system,
      checkpoints: this.#checkpoints?.stats,
      startedAt: this.#startedAt,
      threadActors: this.#threads?.actors(),
      placement: this.#threads?.placement(),
      owners: this.#threads?.owners() ?? this.#localOwners(),
    });
  }

  /** Every partition owned by this thread's named owner, when it has one. */
  #localOwners(): Record<string, string> | undefined {
    const owner = this.#owner;
    if (owner === undefined) return undefined;
    const owners: Record<string, string> = {};
    this.#plan.stages.forEach((stage, s) => {
      for (let p = 0; p < stage.step.partitions; p++) owners[`/user/${this.#settings.name}/${partitionName(this.#plan, s, p)}`] = owner;
    });
    return owners;
  }
}
