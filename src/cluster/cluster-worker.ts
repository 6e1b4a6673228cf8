/**
 * One worker process of a job run across processes on NATS JetStream. Any number of them start
 * with the same job module and arguments; together they run the job to its end, each exiting once
 * it is complete.
 *
 * Every worker holds a lease on its own liveness key, and one of them, the leader, holds the
 * `leader` lease. The leader reads the source, writes the sink and coordinates checkpoints (kept in
 * the job's checkpoint bucket, so any worker can lead next); the partitions are spread over all
 * the live workers by key-group ranges, the leader among them, each worker running its share as a
 * worker thread runs its share of a threaded job, with the links over NATS. When a worker is lost
 * (its lease runs out) or joins, the leader starts the run again from the last checkpoint with
 * the workers live then; when the leader is lost, another takes its lease and does the same. The
 * output is the same as one process's: the state and the sink go back to the checkpoint, and a
 * leader that paused past its lease commits nothing more.
 */
import { hostname } from 'node:os';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import type { JetStreamManager } from '@nats-io/jetstream';
import { nanoid } from 'nanoid';
import { InvalidOptionError, JobMismatchError, WorkerProcessError } from '../errors.js';
import { ignore } from '../internal/ignore.js';
import { positiveInteger, positiveNumber, withDefault } from '../internal/validate.js';
import { jobInternals, type JobInternals, type JobModule } from '../jobs/define-job.js';
import { connectNats, type NatsConnectOptions } from '../nats/connect-nats.js';
import { natsName } from '../nats/nats-names.js';
import { natsClient } from '../nats/nats-peer.js';
import { Job } from '../streams/job/job.js';
import { partitionName } from '../streams/job/job-actors.js';
import { resolveRunSettings } from '../streams/job/run-settings.js';
import type { PipelineHandle, PipelineResult } from '../streams/pipeline-handle.js';
import { planOutline } from '../streams/plan/plan-outline.js';
import type { PhysicalPlan } from '../streams/plan/physical-plan.js';
import type { CheckpointsAt } from '../streams/checkpoint/checkpoint-options.js';
import { redistribute, redistributeProgress } from '../streams/checkpoint/redistribute.js';
import { runJobThread } from '../threads/job-thread.js';
import { ClusterHost } from './cluster-host.js';
import { ClusterLinks } from './cluster-links.js';
import { ClusterMember } from './cluster-member.js';
import { LinkStream } from './link-stream.js';
import { MAX_SLOTS, SlotHost, type RestartPoint } from './slot-host.js';
import { jobBucket, type Kvm } from './job-bucket.js';
import { jobNames, type JobNames } from './job-names.js';
import { jobOutline, jobOutlineDifference } from './job-outline.js';
import { OUTLINE_KEY, PROGRESS_KEY, readRecord, RUN_KEY, STATUS_KEY, writeRecord, type JobStatusRecord, type ProgressRecord } from './job-record.js';
import { Lease } from './lease.js';
import { NatsCheckpointStorage } from './nats-checkpoint-storage.js';
import { NatsPorts } from './nats-port.js';
import { isTransientNatsError } from './transient.js';

/** Options of {@link runClusterWorker}. */
export interface ClusterWorkerOptions<TArgs> {
  /** The job module's job (its default export). */
  readonly job: JobModule<TArgs>;
  /** The job's arguments: every worker of the job must be given the same. */
  readonly args: TArgs;
  /** How to reach NATS: every client option passes through. */
  readonly nats: NatsConnectOptions;
  /** The job's id: 1 to 64 letters, digits, `_` or `-`; workers with the same id run the same job. */
  readonly jobId: string;
  /** This worker's id, unique among the job's workers. @defaultValue the host name, the process id and a random suffix */
  readonly workerId?: string | undefined;
  /**
   * Milliseconds a worker's lease lasts without renewal: a worker that stops renewing (it died,
   * hung or lost NATS) is replaced after this. Every worker of a job must use the same.
   * @defaultValue 3000
   */
  readonly leaseMs?: number | undefined;
  /** Milliseconds between checkpoints: the most a lost worker's run has to do again. @defaultValue 1000 */
  readonly checkpointInterval?: number | undefined;
  /**
   * Copies JetStream keeps of the job's buckets (leases, state, checkpoints): 3 on a 3-node NATS
   * cluster, so that losing a NATS machine loses nothing. Used when the buckets are made, by the
   * first worker of the job. @defaultValue 1
   */
  readonly replicas?: number | undefined;
  /**
   * Takes this worker's plan as the job's when it differs from the one recorded (another partition
   * count, say), provided no worker of the job is live: the next run resumes the last checkpoint
   * with the new plan, redistributing its state by key. Stop every worker of the job (SIGTERM)
   * first. Without it, a different plan is refused with a JobMismatchError. @defaultValue false
   */
  readonly replan?: boolean | undefined;
  /**
   * A rolling upgrade: when the job runs with another plan or an incompatible version (the
   * previous release of the job, say), this worker does not fail but waits, holding no lease, for
   * every worker of the job to leave (stop them one by one with SIGTERM as this version's workers
   * start); the job then goes on from its last checkpoint with this worker's plan, its state
   * migrated (the stages' `id`, `stateVersion` and `migrate`). The old workers run the job alone
   * until the last of them leaves: the versions never run it together. @defaultValue false
   */
  readonly upgrade?: boolean | undefined;
  /** Aborting it makes the worker leave the job: its partitions go to the others, and it resolves `left`. */
  readonly signal?: AbortSignal | undefined;
  /** Where the worker says what happens (joined, leads, a worker lost, complete). */
  readonly log?: ((line: string) => void) | undefined;
  /**
   * Called with the handle of each run this worker leads, as it starts: its metrics name the worker
   * that owns each partition (`owners`), so a dashboard of the leader shows the whole job.
   */
  readonly onRun?: ((handle: PipelineHandle) => void) | undefined;
}

/** How a worker's part in a job ended. */
export interface ClusterWorkerResult {
  /** `complete`: the job ran to its end; `already-complete`: it had, before this worker joined; `left`: the signal made it leave. */
  readonly outcome: 'complete' | 'already-complete' | 'left';
  readonly worker: string;
}

/** Runs that fail one after another with no checkpoint completed in between, before the job fails. */
const MAX_FRUITLESS_RUNS = 20;

/**
 * Joins job `jobId` as one worker and takes part until the job is complete.
 * @throws (rejects) NatsUnreachableError naming the servers when NATS does not answer;
 *   JobMismatchError when this worker's job builds another plan than the job's first worker did;
 *   InvalidOptionError naming a bad option; the job's own error when it failed (every worker of
 *   the job then fails with it).
 * @example
 * ```ts
 * const { outcome } = await runClusterWorker({ job: wordcount, args, nats: { servers: 'nats://127.0.0.1:4222' }, jobId: 'words-1' });
 * ```
 */
export async function runClusterWorker<TArgs>(options: ClusterWorkerOptions<TArgs>): Promise<ClusterWorkerResult> {
  const names = jobNames(options.jobId, 'jobId');
  const worker = options.workerId === undefined ? defaultWorkerId() : natsName('workerId', options.workerId);
  const leaseMs = withDefault(options.leaseMs, 3_000, (v) => positiveNumber('leaseMs', v));
  const checkpointInterval = withDefault(options.checkpointInterval, 1_000, (v) => positiveNumber('checkpointInterval', v));
  const replicas = withDefault(options.replicas, 1, (v) => positiveInteger('replicas', v));
  const internals = jobInternals(options.job);
  const plan = internals.plan(options.args);
  const log = options.log ?? ((): void => undefined);
  const outline = jobOutline(planOutline(plan), internals.version, internals.compatibleWith);
  const nc = await connectNats({ name: `sluice-${names.job}-${worker}`, ...options.nats });
  const worker_ = new ClusterWorker({ ...options, names, worker, leaseMs, checkpointInterval, replicas, internals, outline, log, nc });
  try {
    return await worker_.run();
  } finally {
    await worker_.close();
    await nc.close().catch(ignore);
  }
}

interface ClusterWorkerSetup<TArgs> extends ClusterWorkerOptions<TArgs> {
  readonly names: JobNames;
  readonly worker: string;
  readonly leaseMs: number;
  readonly checkpointInterval: number;
  readonly replicas: number;
  readonly internals: JobInternals<TArgs>;
  readonly outline: readonly string[];
  readonly log: (line: string) => void;
  readonly nc: NatsConnection;
}

class ClusterWorker<TArgs> {
  readonly #setup: ClusterWorkerSetup<TArgs>;
  #state!: KV;
  #leases!: KV;
  #checkpoints!: KV;
  #jsm!: JetStreamManager;
  #member: ClusterMember | undefined;
  #membership: Lease | undefined;
  #leadership: Lease | undefined;
  /** The run this worker leads now, so that a lost connection or lease can end it. */
  #leading: { readonly handle: PipelineHandle; readonly ports: NatsPorts; readonly slots: SlotHost | undefined; interrupted: boolean } | undefined;
  /** The job's link stream, once a deterministic run made it. */
  #linkStream: LinkStream | undefined;
  readonly #stopWatching = new AbortController();
  /** Ends the wait between looks at the job when its status changes (the job completed or failed). */
  #statusChanged = new AbortController();
  #statusWatch: { stop(): void } | undefined;

  constructor(setup: ClusterWorkerSetup<TArgs>) {
    this.#setup = setup;
  }

  async run(): Promise<ClusterWorkerResult> {
    const { nc, names, worker, leaseMs, log } = this.#setup;
    const { kv, jetstream } = await natsClient();
    const kvm = new kv.Kvm(nc);
    const replicas = this.#setup.replicas;
    this.#state = await jobBucket(kvm, names.stateBucket, { history: 1, replicas });
    this.#leases = await this.#leaseBucket(kvm);
    this.#checkpoints = await jobBucket(kvm, names.checkpointBucket, { history: 1, replicas });
    this.#jsm = await jetstream.jetstreamManager(nc);
    const status = await readRecord<JobStatusRecord>(this.#state, STATUS_KEY);
    if (status?.state === 'complete') {
      log(`job ${names.job} is already complete`);
      return { outcome: 'already-complete', worker };
    }
    if (status?.state === 'failed') throw new Error(`job ${names.job} failed before this worker joined: ${status.reason ?? 'no reason recorded'}`);
    const admitted = await this.#checkOutline();
    if (admitted !== undefined) return admitted;
    this.#watchConnection();
    await this.#watchStatus();
    this.#member = new ClusterMember(nc, names, worker, this.#leases, (setup, control, links) =>
      runJobThread(this.#setup.internals.plan(setup.args as TArgs), setup, control, links),
    );
    this.#member.listen();
    this.#membership = new Lease(this.#leases, `worker.${worker}`, worker);
    if (!(await this.#membership.acquire())) throw new InvalidOptionError('workerId', 'an id no other live worker of the job has', worker);
    this.#membership.keep(leaseMs / 3, () => this.#fenced('its worker lease'));
    log(`worker ${worker} joined job ${names.job}`);
    this.#leadership = new Lease(this.#leases, 'leader', worker);
    const signal = this.#setup.signal;
    for (;;) {
      if (signal?.aborted === true) return this.#leave();
      try {
        const outcome = await this.#step();
        if (outcome !== undefined) return outcome;
      } catch (error) {
        if (!isTransientNatsError(error)) throw error;
        log(`worker ${worker}: NATS did not answer (${(error as Error).message}); trying again`);
      }
      this.#statusChanged = new AbortController();
      await pause(leaseMs / 4, signal === undefined ? this.#statusChanged.signal : AbortSignal.any([signal, this.#statusChanged.signal]));
    }
  }

  /** Watches the job's status, so that a worker waiting for its turn to lead sees the job end at once. */
  async #watchStatus(): Promise<void> {
    const watch = await this.#state.watch({ key: STATUS_KEY, include: 'updates' });
    this.#statusWatch = watch;
    void (async () => {
      for await (const _change of watch) this.#statusChanged.abort();
    })().catch(ignore);
  }

  /** One look at the job: its end, or the leader lease free to take (then leads while it holds it). */
  async #step(): Promise<ClusterWorkerResult | undefined> {
    const { names, worker } = this.#setup;
    const membership = this.#membership as Lease;
    const now = await readRecord<JobStatusRecord>(this.#state, STATUS_KEY);
    if (now?.state === 'complete') return { outcome: 'complete', worker };
    if (now?.state === 'failed') throw new Error(`job ${names.job} failed: ${now.reason ?? 'no reason recorded'}`);
    if (membership.held && (await (this.#leadership as Lease).acquire())) return this.#lead();
    if (!membership.held) {
      if (!(await membership.acquire())) throw new Error(`worker ${worker} lost its lease and its id is taken`);
      // Fenced before, the keeping stopped with the lease: it renews the new one, as a worker that just joined.
      membership.keep(this.#setup.leaseMs / 3, () => this.#fenced('its worker lease'));
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.#stopWatching.abort();
    this.#statusWatch?.stop();
    await this.#member?.close();
    await this.#leadership?.release();
    await this.#membership?.release();
  }

  /** The lease bucket, created with this worker's lease time-out (every worker of the job must agree on it). */
  async #leaseBucket(kvm: Kvm): Promise<KV> {
    const { names, leaseMs } = this.#setup;
    try {
      return await jobBucket(kvm, names.leaseBucket, { ttl: leaseMs, history: 1, replicas: this.#setup.replicas });
    } catch (error) {
      const existing = await kvm.open(names.leaseBucket).catch(() => undefined);
      const ttl = existing === undefined ? undefined : (await existing.status()).ttl;
      if (ttl !== undefined && ttl !== leaseMs) {
        throw new InvalidOptionError('leaseMs', `the lease time-out job ${names.job} runs with (${ttl} ms)`, leaseMs);
      }
      throw error;
    }
  }

  /**
   * Refuses to take part when this worker builds another plan than the job's first worker did (or
   * declares an incompatible version), unless it replans (every worker stopped) or upgrades (it
   * waits for every worker of the other version to leave, then replans). Resolves with an outcome
   * when the job ended, or this worker left, while it waited.
   */
  async #checkOutline(): Promise<ClusterWorkerResult | undefined> {
    const { outline, names, worker, job } = this.#setup;
    const mine = JSON.stringify(outline);
    try {
      await this.#state.create(OUTLINE_KEY, mine);
      return undefined;
    } catch {
      // Another worker recorded the job's outline first: compare with it.
    }
    const recorded = await readRecord<string[]>(this.#state, OUTLINE_KEY);
    const difference = recorded === undefined ? undefined : jobOutlineDifference(outline, recorded);
    if (difference === undefined) return undefined;
    const where = `worker ${worker} of job ${names.job}`;
    const than = 'the job records';
    if (this.#setup.upgrade === true) return this.#upgradeWhenAlone(difference);
    if (this.#setup.replan !== true) {
      throw new JobMismatchError(
        job.url,
        where,
        `${difference}; to run the job with this plan, stop its workers and start them with replan, or start this one with upgrade`,
        than,
      );
    }
    const live = [...(await this.#liveLeases()).keys()];
    if (live.length > 0) {
      // A worker replanning at the same time may have recorded this very plan before taking its lease.
      if (await this.#recordedIsMine()) return undefined;
      throw new JobMismatchError(job.url, where, `${difference}; replan needs every worker of the job stopped, and ${live.join(', ')} still run`, than);
    }
    await this.#replan(difference);
    return undefined;
  }

  /** Whether the outline recorded now is this worker's (another worker of this version took the job over first). */
  async #recordedIsMine(): Promise<boolean> {
    const now = await readRecord<string[]>(this.#state, OUTLINE_KEY);
    return now !== undefined && jobOutlineDifference(this.#setup.outline, now) === undefined;
  }

  async #replan(difference: string): Promise<void> {
    const { outline, names, worker } = this.#setup;
    await writeRecord(this.#state, OUTLINE_KEY, outline);
    this.#setup.log(`worker ${worker} replanned job ${names.job}: ${difference}`);
  }

  /**
   * The rolling upgrade's wait: no lease held (the job's workers do not count this one), a look at
   * the job a few times a lease, until no worker of the job is live; then the job is this worker's
   * to go on with its plan (unless a worker of its version took it over first, which is as good).
   */
  async #upgradeWhenAlone(difference: string): Promise<ClusterWorkerResult | undefined> {
    const { names, worker, leaseMs, log } = this.#setup;
    const signal = this.#setup.signal;
    let said = false;
    for (;;) {
      if (signal?.aborted === true) {
        log(`worker ${worker} left job ${names.job} before upgrading it`);
        return { outcome: 'left', worker };
      }
      const status = await readRecord<JobStatusRecord>(this.#state, STATUS_KEY);
      if (status?.state === 'complete') {
        log(`job ${names.job} is already complete: its previous version finished it`);
        return { outcome: 'already-complete', worker };
      }
      if (status?.state === 'failed') throw new Error(`job ${names.job} failed: ${status.reason ?? 'no reason recorded'}`);
      if (await this.#recordedIsMine()) return undefined;
      const live = [...(await this.#liveLeases()).keys()];
      if (live.length === 0) {
        await this.#replan(difference);
        log(`worker ${worker} upgraded job ${names.job}: it goes on from its last checkpoint with this worker's plan`);
        return undefined;
      }
      if (!said) log(`worker ${worker} waits to upgrade job ${names.job} (${difference}) until ${live.join(', ')} have left`);
      said = true;
      await pause(leaseMs / 4, signal);
    }
  }

  /** Breaks the runs on this worker when its connection to NATS drops: what was in flight may be lost, so they start again. */
  #watchConnection(): void {
    // The status stream ends when the connection closes, at the end of the worker.
    void (async () => {
      for await (const event of this.#setup.nc.status()) {
        if (this.#stopWatching.signal.aborted) return;
        if (event.type !== 'disconnect' && event.type !== 'reconnect') continue;
        this.#setup.log(
          `worker ${this.#setup.worker}: NATS connection ${event.type === 'reconnect' ? 'back' : 'lost'}; the run starts again from its last checkpoint`,
        );
        void this.#member?.abandon();
        this.#interruptLeading();
      }
    })().catch(ignore);
  }

  /** This worker lost a lease it held (it paused, or lost NATS, for longer than the lease): what it ran was taken over. */
  #fenced(what: string): void {
    this.#setup.log(`worker ${this.#setup.worker} lost ${what}: its part is dropped`);
    void this.#member?.abandon();
    this.#interruptLeading();
  }

  #interruptLeading(): void {
    const leading = this.#leading;
    if (leading === undefined) return;
    leading.interrupted = true;
    // A slot whose channel breaks now is not restarted: the run ends, and the next goes on from its last checkpoint.
    leading.slots?.close();
    leading.ports.breakAll();
  }

  /** Leads the job while it holds the lease: runs until the job is complete, or undefined once it lost the lease. */
  async #lead(): Promise<ClusterWorkerResult | undefined> {
    const { names, worker, leaseMs, log } = this.#setup;
    const leadership = this.#leadership as Lease;
    let fruitless = 0;
    leadership.keep(leaseMs / 3, () => this.#fenced('the leader lease'));
    const storage = new NatsCheckpointStorage(this.#checkpoints, this.#jsm, names.checkpointBucket, async () => {
      if (!(await leadership.renew())) throw new Error(`worker ${worker} no longer leads job ${names.job}`);
    });
    /** Workers a run lost, with their lease's revision then. */
    const suspects = new Map<string, number>();
    while (leadership.held) {
      const members = await this.#members(suspects);
      const before = await storage.highestId();
      log(
        `worker ${worker} leads job ${names.job}: a run on ${members.length} worker${members.length === 1 ? '' : 's'} (${members.join(', ')})${before > 0 ? ` from checkpoint ${before}` : ''}`,
      );
      let result: PipelineResult;
      try {
        result = await this.#runOnce(members, storage, suspects);
      } catch (error) {
        const leading = this.#leading;
        this.#leading = undefined;
        if (!leadership.held) return undefined;
        const live = await this.#liveLeases().catch(() => new Map<string, number>());
        if (!leadership.held) return undefined;
        if (error instanceof WorkerProcessError && live.has(error.worker)) suspects.set(error.worker, live.get(error.worker) as number);
        const changed = !sameMembers(members, [...live.keys()]);
        if (changed || leading?.interrupted === true || retriable(error)) {
          fruitless = (await storage.highestId().catch(() => before)) > before ? 0 : fruitless + 1;
          if (fruitless < MAX_FRUITLESS_RUNS) {
            log(
              `worker ${worker}: the run on ${members.join(', ')} ended (${error instanceof Error ? error.message : String(error)}); starting again from the last checkpoint`,
            );
            await pause(leaseMs / 4, undefined);
            continue;
          }
        }
        await writeRecord(this.#state, STATUS_KEY, { state: 'failed', reason: error instanceof Error ? error.message : String(error), updatedAt: now() });
        throw error;
      }
      this.#leading = undefined;
      if (!result.stopped && this.#setup.signal?.aborted !== true) {
        await writeRecord(this.#state, STATUS_KEY, { state: 'complete', updatedAt: now() });
        // Nothing restarts from the links now: their stream goes with the job.
        await this.#linkStream?.delete().catch(ignore);
        log(`job ${names.job} complete: ${result.recordsRead} records read, ${result.recordsWritten} written`);
        return { outcome: 'complete', worker };
      }
      if (this.#setup.signal?.aborted === true) return this.#leave();
      // Stopped with a checkpoint because the workers changed: the next run spreads over the workers live now.
    }
    return undefined;
  }

  /**
   * One run of the job on `members`, from the last checkpoint. A deterministic job's run goes on
   * through lost and joining workers (its slots restart elsewhere); another job's run fails when a
   * worker is lost, and stops with a checkpoint when one joins, for the next to spread over them.
   */
  async #runOnce(members: readonly string[], storage: NatsCheckpointStorage, suspects: ReadonlyMap<string, number>): Promise<PipelineResult> {
    const { nc, names, worker, internals, args, checkpointInterval, leaseMs, job } = this.#setup;
    const run = nanoid(10).replace(/[^A-Za-z0-9]/g, '0');
    const ports = new NatsPorts(nc);
    const plan = internals.plan(args);
    const slots = internals.deterministic ? await this.#slotHost(run, plan, members, ports, storage) : undefined;
    const host = slots?.host ?? (members.length === 1 ? undefined : new ClusterHost({ nc, names, run, leader: worker, members, ports }));
    const settings = resolveRunSettings({ name: `sluice-${names.job}`, checkpoint: { storage, interval: checkpointInterval } });
    const handle = new Job(
      plan,
      { ...settings, workers: slots === undefined ? members.length : slots.slots },
      {
        url: job.url,
        job: internals.index,
        args,
        loader: undefined,
        resourceLimits: undefined,
        host,
        owner: worker,
      },
    ).handle();
    const leading = { handle, ports, slots: slots?.host, interrupted: false };
    this.#leading = leading;
    this.#setup.onRun?.(handle);
    const current = new Set(members);
    const startedAt = now();
    const record = async (): Promise<void> => {
      const owners = handle.metrics().owners ?? {};
      const placement: Record<string, string> = {};
      plan.stages.forEach((stage, s) => {
        for (let p = 0; p < stage.step.partitions; p++) {
          const name = partitionName(plan, s, p);
          placement[name] = owners[`/user/${settings.name}/${name}`] ?? worker;
        }
      });
      await writeRecord(this.#state, RUN_KEY, { run, leader: worker, members: [...current].sort(), placement, startedAt });
    };
    await record();
    const unsubscribe =
      slots === undefined
        ? undefined
        : handle.events.subscribe((event) => {
            if (event.type !== 'checkpoint-completed') return;
            const floor = slots.host.completed(event.id);
            void slots.stream.purgeBelow(run, floor, slots.first).catch(ignore);
          });
    let stopping = false;
    // Leaving: the run stops at a checkpoint, and the next leader goes on from there.
    const leave = (): void => {
      stopping = true;
      void handle.stop().catch(ignore);
    };
    const signal = this.#setup.signal;
    if (signal?.aborted === true) leave();
    signal?.addEventListener('abort', leave);
    const watch = setInterval(() => {
      void (async () => {
        const live = await this.#liveLeases();
        let changed = false;
        for (const member of current) {
          if (live.has(member)) continue;
          const why = 'stopped renewing its lease (it died, hung or lost NATS)';
          if (slots !== undefined) {
            this.#setup.log(`worker ${worker}: ${member} ${why}; its part restarts on the others from the last checkpoint`);
            slots.host.memberLost(member, why);
            current.delete(member);
            changed = true;
          } else (host as ClusterHost | undefined)?.memberLost(member, why);
        }
        // A worker the last run lost is not a joining one until it renews its lease.
        const joined = [...live].filter(([other, revision]) => !current.has(other) && suspects.get(other) !== revision).map(([other]) => other);
        if (slots !== undefined) {
          for (const member of joined) {
            this.#setup.log(`worker ${worker}: ${member} joined job ${names.job}; it takes a share of the run's slots`);
            slots.host.memberJoined(member);
            current.add(member);
            changed = true;
          }
          if (changed) await record();
        } else if (!stopping && joined.length > 0) {
          stopping = true;
          this.#setup.log(`worker ${worker}: a worker joined job ${names.job}; the run stops at a checkpoint to spread over it`);
          void handle.stop().catch(ignore);
        }
        await writeRecord(this.#state, PROGRESS_KEY, progressOf(handle, await storage.latestManifest().catch(() => undefined)));
      })().catch(ignore);
    }, leaseMs / 4);
    try {
      const result = await handle.done;
      await writeRecord(this.#state, PROGRESS_KEY, progressOf(handle, await storage.latestManifest().catch(() => undefined))).catch(ignore);
      return result;
    } finally {
      unsubscribe?.();
      slots?.host.close();
      signal?.removeEventListener('abort', leave);
      clearInterval(watch);
      ports.breakAll();
    }
  }

  /**
   * The host of a deterministic job's run: its slots over `members`, its links durable in the
   * job's link stream (what earlier runs left there purged first). Undefined for a plan with no
   * keyed stage, whose work all happens where the source is read.
   */
  async #slotHost(
    run: string,
    plan: PhysicalPlan,
    members: readonly string[],
    ports: NatsPorts,
    storage: NatsCheckpointStorage,
  ): Promise<{ readonly host: SlotHost; readonly slots: number; readonly stream: LinkStream; readonly first: number } | undefined> {
    if (plan.stages.length === 0) return undefined;
    const { nc, names, worker, replicas, log } = this.#setup;
    const stream = (this.#linkStream ??= await LinkStream.open(this.#jsm, names, replicas));
    await stream.purgeAll();
    const first = (await storage.latestManifest().catch(() => undefined))?.id ?? 0;
    const slots = Math.min(MAX_SLOTS, Math.max(...plan.stages.map((stage) => stage.step.partitions)));
    const prefix = names.links(run);
    const { jetstream } = await natsClient();
    const links = new ClusterLinks(nc, jetstream.jetstream(nc), { stream: stream.name, prefix, incarnation: 0 });
    const where: CheckpointsAt = { option: 'checkpoint.storage', location: storage.location };
    const latest = async (): Promise<RestartPoint | undefined> => {
      const checkpoint = await storage.latest();
      if (checkpoint === undefined) return undefined;
      return {
        epoch: checkpoint.manifest.id,
        entries: redistribute(checkpoint, plan.stages, where, false),
        progress: redistributeProgress(checkpoint, plan.stages),
      };
    };
    const host = new SlotHost({ nc, names, run, leader: worker, members, slots, ports, links, stream: stream.name, prefix, latest, log });
    return { host, slots, stream, first };
  }

  /** The workers whose leases are live, each with its lease's revision, sorted by id. */
  async #liveLeases(): Promise<Map<string, number>> {
    const workers = new Map<string, number>();
    // A key updated while they are listed may be listed twice: the map keeps it once.
    for await (const key of await this.#leases.keys('worker.*')) {
      const entry = await this.#leases.get(key).catch(() => null);
      if (entry !== null && entry.operation === 'PUT') workers.set(key.slice('worker.'.length), entry.revision);
    }
    return new Map([...workers].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  /**
   * The workers to run on now: the live ones, less those a run just lost whose lease has not been
   * renewed since (a dead worker's lease lasts until it runs out; a live one renews it within a
   * third of it), and always this one.
   */
  async #members(suspects: ReadonlyMap<string, number>): Promise<string[]> {
    const members: string[] = [];
    for (const [member, revision] of await this.#liveLeases()) if (suspects.get(member) !== revision) members.push(member);
    if (!members.includes(this.#setup.worker)) members.push(this.#setup.worker);
    return members.sort();
  }

  /** Leaves the job: gives up its leases, so the others take its partitions over at once. */
  async #leave(): Promise<ClusterWorkerResult> {
    const { worker, names, log } = this.#setup;
    await this.#membership?.release();
    await this.#member?.abandon();
    await this.#leadership?.release();
    log(`worker ${worker} left job ${names.job}`);
    return { outcome: 'left', worker };
  }
}

/** Errors a run ends with when a worker or a channel went away: the next run goes on without it. */
function retriable(error: unknown): boolean {
  return error instanceof WorkerProcessError || (error instanceof Error && error.name === 'LinkClosedError') || isTransientNatsError(error);
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((member, i) => member === b[i]);
}

function progressOf(handle: PipelineHandle, manifest: { readonly id: number; readonly source: { readonly offset: unknown } } | undefined): ProgressRecord {
  const metrics = handle.metrics();
  const mailboxes: Record<string, number> = {};
  for (const [path, { depth }] of Object.entries(metrics.mailboxes)) mailboxes[path.slice(path.lastIndexOf('/') + 1)] = depth;
  return {
    checkpoint: manifest?.id,
    committedOffset: manifest?.source.offset,
    recordsRead: metrics.throughput.recordsRead,
    recordsWritten: metrics.throughput.recordsWritten,
    recordsPerSecond: metrics.throughput.recordsPerSecond,
    restarts: metrics.restarts,
    operators: metrics.operators.map(({ name, recordsIn, recordsOut }) => ({ name, recordsIn, recordsOut })),
    mailboxes,
    updatedAt: now(),
  };
}

function now(): string {
  return new Date().toISOString();
}

function defaultWorkerId(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 32);
  return `${host}-${process.pid}-${nanoid(6).replace(/[^A-Za-z0-9]/g, '0')}`;
}

/** Resolves after `ms`, or at once when `signal` aborts; leaves no timer behind. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}
