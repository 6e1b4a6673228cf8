/**
 * The main thread's side of a job on worker threads: it lays out the links, starts one worker per
 * thread on the job module, waits until each has built the same plan and placed its partitions,
 * and then serves the run: the sink's links in (put back in source order when the head steps run
 * on the threads), refs to the partitions for the source and for queries, the threads' dead
 * letters, late records, events and counters, and their failures. A thread that dies or reports a
 * failure fails the run; at its end every thread is stopped and its exit awaited, so nothing of
 * the run outlives `done`.
 */
import type { ResourceLimits } from 'node:worker_threads';
import type { ActorRef } from '../actors/actor-ref.js';
import type { ActorMetrics } from '../actors/actor-metrics.js';
import { deliverFromElsewhere } from '../actors/internal/deliver-from-elsewhere.js';
import type { SluiceError } from '../errors.js';
import { JobCounters } from '../streams/job/job-counters.js';
import { partitionName } from '../streams/job/job-actors.js';
import type { RunSettings } from '../streams/job/run-settings.js';
import { planOutline } from '../streams/plan/plan-outline.js';
import type { PhysicalPlan } from '../streams/plan/physical-plan.js';
import type { PipelineDeadLetter, StageMessage } from '../streams/run/messages.js';
import type { StateKey } from '../streams/run/state-key.js';
import type { StartingPoint } from '../streams/checkpoint/run-checkpoints.js';
import type { EventTimeProgress } from '../streams/run/input-progress.js';
import type { SnapshotEntry } from '../state/snapshot-store.js';
import type { Unit } from './head-runner.js';
import { LinkReceiver } from './link-receiver.js';
import { LinkSender } from './link-sender.js';
import { emptyMailbox, openFrame, remotePartition, type PartitionFrame } from './remote-partition.js';
import { codecOf, headRunsOnThreads, layOutLinks, producerName, type ThreadLinks } from './thread-links.js';
import { MainPorts } from './main-ports.js';
import { rebuildError, type CrossedError, type FromThread, type ThreadCounters, type ThreadSetup, type ToThread } from './thread-protocol.js';
import { TurnMerger, type HeadFrame } from './turn-merger.js';
import { offerHeadFrame } from './head-frames.js';
import { UnitSpreader } from './unit-spreader.js';
import type { LinkPort } from './link-port.js';
import type { DurableLinks, FrameSender } from './durable-links.js';
import type { ThreadHandle, ThreadHost } from './thread-host.js';
import { workerThreadHost } from './worker-thread-host.js';

type StageRef = ActorRef<StageMessage<unknown>>;

/** How long a link closed under a sender waits for the death of the thread behind it to be reported. */
const DEATH_GRACE_MS = 1_000;

/** What the main thread passes on from the threads. */
export interface ThreadHooks {
  readonly failed: (error: unknown) => void;
  readonly deadLetter: (letter: PipelineDeadLetter) => void;
  readonly late: (stage: number, record: unknown, timestamp: number | undefined) => void;
  readonly event: (event: unknown) => void;
}

export interface JobThreadsSetup {
  readonly url: string;
  readonly job: number;
  readonly args: unknown;
  readonly plan: PhysicalPlan;
  readonly settings: RunSettings;
  /** A TypeScript loader's module to register in each worker first, for a TypeScript job module. */
  readonly loader: string | undefined;
  /** Heap limits of each worker thread; V8's defaults when undefined. */
  readonly resourceLimits: ResourceLimits | undefined;
  /** Where the threads run: worker threads of this process when undefined. */
  readonly host?: ThreadHost | undefined;
  /** Where the threads' snapshots go, when checkpoints are on. */
  readonly snapshot:
    ((id: number, stage: number, partition: number, entries: readonly SnapshotEntry[], progress: EventTimeProgress | undefined) => void) | undefined;
}

interface Thread {
  readonly worker: ThreadHandle;
  readonly number: number;
  readonly partitions: readonly string[];
  readonly ready: Promise<void>;
  counters: ThreadCounters | undefined;
  /** Resolves when the thread has exited. */
  readonly exited: Promise<void>;
}

export class JobThreads {
  readonly headOnThreads: boolean;
  readonly #setup: JobThreadsSetup;
  readonly #hooks: ThreadHooks;
  readonly #links: ThreadLinks;
  readonly #threads: Thread[] = [];
  readonly #senders = new Map<string, FrameSender<PartitionFrame>>();
  /** The run's durable links, when its host keeps them (then every link is one). */
  readonly #durable: DurableLinks | undefined;
  /** The checkpoint the run starts from: the epoch its durable links start in. */
  #epoch = 0;
  readonly #receivers: { close(): void }[] = [];
  #merger: TurnMerger<StageMessage<unknown>> | undefined;
  #spreader: UnitSpreader | undefined;
  #stopping = false;
  #asks = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  /** Resolves with the first thread's death, when one dies. */
  readonly #death: Promise<SluiceError>;
  #died!: (error: SluiceError) => void;
  readonly #host: ThreadHost;
  readonly #mainPorts = new MainPorts();
  #nextAsk = 0;

  constructor(setup: JobThreadsSetup, hooks: ThreadHooks) {
    this.#setup = setup;
    this.#hooks = hooks;
    this.#host = setup.host ?? workerThreadHost(setup.resourceLimits);
    this.#durable = this.#host.links;
    // A durable run's head steps stay here, with the source: a thread restarted alone then needs
    // only its partitions' input again, which the links keep.
    this.headOnThreads = this.#durable === undefined && headRunsOnThreads(setup.plan);
    this.#links = layOutLinks(setup.plan, setup.settings.workers, this.headOnThreads, this.#host.channel, this.#durable !== undefined);
    this.#mainPorts.add([
      ...(this.#links.outgoing[0] ?? []).map(({ port }) => port),
      ...(this.#links.incoming[0] ?? []).map(({ port }) => port),
      ...(this.#links.units ?? []).map(({ main }) => main),
    ]);
    this.#death = new Promise((resolve) => {
      this.#died = resolve;
    });
    if (this.#durable !== undefined) return;
    for (const { to, port } of this.#links.outgoing[0] ?? []) {
      if (to.stage !== 'sink') this.#senders.set(`${to.stage}:${to.partition}`, new LinkSender<PartitionFrame>(port));
    }
  }

  /**
   * Starts every thread, its partitions from `start` (a checkpoint's state, or none); resolves once
   * each has built the plan and placed its partitions.
   */
  async start(start: StartingPoint): Promise<void> {
    const { settings, plan } = this.#setup;
    const outline = planOutline(plan);
    this.#epoch = start.resumedFrom ?? 0;
    const durable = this.#durable;
    if (durable !== undefined) {
      for (const { to } of this.#links.outgoing[0] ?? []) {
        if (to.stage !== 'sink') this.#senders.set(`${to.stage}:${to.partition}`, durable.sender<PartitionFrame>(to, 0, this.#epoch));
      }
    }
    for (let thread = 1; thread <= settings.workers; thread++) this.#threads.push(this.#startThread(thread, outline, start));
    await Promise.all(this.#threads.map((thread) => thread.ready));
    if (this.#links.units !== undefined) {
      this.#spreader = new UnitSpreader(
        this.#links.units.map(({ main }) => new LinkSender<Unit>(main)),
        settings.batchSize,
      );
    }
  }

  /**
   * What a failure means: a link that closed under a sender is the mark of a thread that died, and
   * the thread's death (which its exit reports a moment later) is the better reason, so the run
   * waits a little for it. Any other error is its own reason.
   */
  async explain(error: unknown): Promise<unknown> {
    if (!(error instanceof Error) || error.name !== 'LinkClosedError' || this.#stopping) return error;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<unknown>((resolve) => {
      timer = setTimeout(resolve, DEATH_GRACE_MS, error);
    });
    try {
      return await Promise.race([this.#death, waited]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Where the source sends its records, when the head steps run on the threads. */
  get spreader(): UnitSpreader | undefined {
    return this.#spreader;
  }

  /** Refs, on this thread, to the partitions the threads run. */
  partition(stage: number, partition: number): StageRef {
    const plan = this.#setup.plan;
    const name = partitionName(plan, stage, partition);
    const owner = (this.#links.owners[stage] as number[])[partition] as number;
    const path = `/user/${this.#setup.settings.name}/${name}`;
    return remotePartition({
      path,
      name,
      link: this.#senders.get(`${stage}:${partition}`),
      producer: producerName(plan, stage),
      codec: codecOf(plan, { stage, partition }),
      failed: this.#hooks.failed,
      ask: (message, options) => this.#ask(owner, stage, partition, (message as { key: StateKey }).key, options?.timeoutMs),
      metrics: () => this.#threads[owner - 1]?.counters?.actors.find((actor) => actor.path === path) ?? emptyMailbox(this.#setup.settings.mailboxBatches),
    });
  }

  /** Takes what the threads send the sink. */
  attachSink(sink: StageRef): void {
    const durable = this.#durable;
    if (durable !== undefined) {
      const senders = [...new Set((this.#links.incoming[0] ?? []).map(({ from }) => from))];
      const deliver = (_from: number, frame: PartitionFrame): Promise<void> => {
        const { message, sender, seq } = openFrame(frame, undefined);
        return sender === undefined ? sink.send(message) : deliverFromElsewhere(sink, message, sender, seq);
      };
      this.#receivers.push(durable.inbox({ stage: 'sink' }, senders, this.#epoch, this.#setup.settings.mailboxBatches, deliver, this.#hooks.failed));
      return;
    }
    const merged = this.headOnThreads && this.#setup.plan.stages.length === 0;
    if (merged) this.#merger = new TurnMerger(this.#setup.settings.workers, (message) => sink.send(message));
    for (const { from, port } of this.#links.incoming[0] ?? []) {
      const deliver = merged
        ? (frame: HeadFrame<PartitionFrame>): Promise<void> => offerHeadFrame(this.#merger as TurnMerger<StageMessage<unknown>>, from - 1, frame, undefined)
        : (frame: PartitionFrame): Promise<void> => {
            const { message, sender, seq } = openFrame(frame, undefined);
            return sender === undefined ? sink.send(message) : deliverFromElsewhere(sink, message, sender, seq);
          };
      this.#receivers.push(
        new LinkReceiver<never>(port, {
          room: this.#setup.settings.mailboxBatches,
          deliver: deliver as (frame: never) => Promise<void>,
          failed: this.#hooks.failed,
        }),
      );
    }
  }

  /** The main thread's counters with the threads' last reported ones added, in a copy. */
  withCounters(main: JobCounters): JobCounters {
    const counters = new JobCounters(this.#setup.plan);
    Object.assign(counters.source, { recordsIn: main.source.recordsIn, recordsOut: main.source.recordsOut });
    Object.assign(counters.sink, { recordsIn: main.sink.recordsIn, recordsOut: main.sink.recordsOut });
    counters.restarts = main.restarts;
    if (this.headOnThreads) counters.source.recordsOut = this.headCounts.recordsOut;
    for (const thread of this.#threads) {
      const reported = thread.counters;
      if (reported === undefined) continue;
      reported.stages.forEach((stage, s) => {
        const mine = counters.stages[s];
        if (mine === undefined) return;
        mine.recordsIn += stage.recordsIn;
        mine.recordsOut += stage.recordsOut;
        for (const [p, watermark] of Object.entries(stage.watermarks)) if (mine.watermarks !== undefined) mine.watermarks[Number(p)] = watermark;
        for (const [p, taken] of Object.entries(stage.partitionRecordsIn))
          if (mine.partitionRecordsIn !== undefined) mine.partitionRecordsIn[Number(p)] = taken;
      });
      counters.restarts += reported.restarts;
    }
    return counters;
  }

  /** Records the head steps took and made on the threads. */
  get headCounts(): { readonly recordsIn: number; readonly recordsOut: number } {
    let recordsIn = 0;
    let recordsOut = 0;
    for (const thread of this.#threads) {
      recordsIn += thread.counters?.head.recordsIn ?? 0;
      recordsOut += thread.counters?.head.recordsOut ?? 0;
    }
    return { recordsIn, recordsOut };
  }

  /** The thread that runs each partition, by its actor's path. */
  placement(): Record<string, number> {
    const placement: Record<string, number> = {};
    this.#links.owners.forEach((owners, s) => {
      owners.forEach((owner, p) => (placement[`/user/${this.#setup.settings.name}/${partitionName(this.#setup.plan, s, p)}`] = owner));
    });
    return placement;
  }

  /** Who runs each partition (`thread 2`, or a cluster worker's id), by its actor's path. */
  owners(): Record<string, string> {
    const owners: Record<string, string> = {};
    for (const [path, thread] of Object.entries(this.placement())) owners[path] = this.#host.describe(thread);
    return owners;
  }

  /** The actors of every thread, as each last reported them. */
  actors(): ActorMetrics[] {
    return this.#threads.flatMap((thread) => thread.counters?.actors ?? []);
  }

  /**
   * Stops every thread and waits for it to exit: gracefully after a run that completed (each
   * stops its actors and reports its last counters first), at once after a failure.
   */
  async stop(failed: boolean): Promise<void> {
    this.#stopping = true;
    this.#merger?.abandon(new Error('the run is over'));
    for (const receiver of this.#receivers) receiver.close();
    for (const sender of this.#senders.values()) sender.close();
    const stop: ToThread = { type: 'stop' };
    await Promise.all(
      this.#threads.map(async (thread) => {
        if (!failed) {
          const stopped = new Promise<void>((resolve) => {
            thread.worker.on('message', (message: FromThread) => message.type === 'stopped' && resolve());
            thread.worker.once('exit', () => resolve());
          });
          thread.worker.postMessage(stop);
          await stopped;
        }
        await thread.worker.terminate();
        await thread.exited;
      }),
    );
    for (const ask of this.#asks.values()) ask.reject(new Error('the run is over'));
    this.#asks.clear();
    await this.#mainPorts.close();
  }

  #startThread(number: number, outline: readonly string[], start: StartingPoint): Thread {
    const { settings, plan } = this.#setup;
    const links = this.#links;
    const units = links.units?.[number - 1]?.worker;
    const data: ThreadSetup = {
      sluiceJobThread: true,
      url: this.#setup.url,
      job: this.#setup.job,
      args: this.#setup.args,
      thread: number,
      workers: settings.workers,
      outline,
      settings: {
        name: settings.name,
        batchSize: settings.batchSize,
        mailboxBatches: settings.mailboxBatches,
        retries: settings.retries,
        maxRestarts: settings.maxRestarts,
        chaos: settings.chaos,
        dispatcher: settings.dispatcher,
      },
      headOnThreads: this.headOnThreads,
      owners: links.owners,
      outgoing: links.outgoing[number] ?? [],
      incoming: links.incoming[number] ?? [],
      units,
      loader: this.#setup.loader,
      restored: {
        entries: start.entries?.map((stage, s) => stage.map((entries, p) => (links.owners[s]?.[p] === number ? entries : undefined))),
        progress: start.progress?.map((stage, s) => stage.map((progress, p) => (links.owners[s]?.[p] === number ? progress : undefined))),
        epoch: start.resumedFrom,
      },
      checkpoints: this.#setup.snapshot !== undefined,
    };
    const transfer: LinkPort[] = [...data.outgoing.map((l) => l.port), ...data.incoming.map((l) => l.port), ...(units === undefined ? [] : [units])];
    const worker = this.#host.start(number, data, transfer);
    const partitions = links.owners.flatMap((owners, s) =>
      owners.flatMap((owner, p) => (owner === number ? [`${(plan.stages[s] as PhysicalPlan['stages'][number]).step.name}[${p}]`] : [])),
    );
    const fail = (problem: string, cause?: unknown): void => {
      if (this.#stopping) return;
      const error = this.#host.lost(number, partitions, problem, cause);
      this.#died(error);
      this.#hooks.failed(error);
    };
    let markReady!: () => void;
    let refuse!: (error: unknown) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      refuse = reject;
    });
    ready.catch(() => undefined);
    const thread: Thread = {
      worker,
      number,
      partitions,
      ready,
      counters: undefined,
      exited: new Promise((resolve) => worker.once('exit', () => resolve())),
    };
    worker.on('message', (message: FromThread) => this.#onMessage(thread, message, markReady, refuse));
    worker.on('error', (error) => {
      refuse(this.#host.lost(number, partitions, threadFailure(error), error));
      fail(threadFailure(error), error);
    });
    worker.once('exit', (code) => {
      refuse(this.#host.lost(number, partitions, `exited with code ${code} before it was ready`));
      fail(`exited with code ${code} while the run was going`);
    });
    return thread;
  }

  #onMessage(thread: Thread, message: FromThread, ready: () => void, refuse: (error: unknown) => void): void {
    switch (message.type) {
      case 'ready':
        return ready();
      case 'failed': {
        const error = rebuildError(message.error);
        refuse(error);
        if (!this.#stopping) this.#hooks.failed(error);
        return;
      }
      case 'dead-letters':
        for (const letter of message.letters) {
          this.#hooks.deadLetter({ ...letter, error: letter.error === undefined ? undefined : rebuildError(letter.error as CrossedError) });
        }
        return;
      case 'late':
        for (const { record, timestamp } of message.records) this.#hooks.late(message.stage, record, timestamp);
        return;
      case 'event':
        return this.#hooks.event(message.event);
      case 'snapshot':
        this.#setup.snapshot?.(message.id, message.stage, message.partition, message.entries, message.progress);
        return;
      case 'counters':
      case 'stopped':
        thread.counters = message.counters;
        return;
      case 'answer': {
        const ask = this.#asks.get(message.id);
        this.#asks.delete(message.id);
        if (message.error !== undefined) ask?.reject(rebuildError(message.error));
        else ask?.resolve(message.value);
        return;
      }
    }
  }

  #ask(owner: number, stage: number, partition: number, key: StateKey, timeoutMs: number | undefined): Promise<unknown> {
    const thread = this.#threads[owner - 1];
    if (thread === undefined || this.#stopping) return Promise.reject(new Error('the run is over'));
    const id = this.#nextAsk++;
    return new Promise((resolve, reject) => {
      this.#asks.set(id, { resolve, reject });
      const query: ToThread = { type: 'query', id, stage, partition, key, timeoutMs };
      thread.worker.postMessage(query);
    });
  }
}

/**
 * What a thread's error says of it, with the way out when it reached its heap limit: the old
 * generation's limit is the runtime's default (see `workerResourceLimits`) unless the run set one.
 */
function threadFailure(error: unknown): string {
  const said = `failed: ${error instanceof Error ? error.message : String(error)}`;
  if ((error as { code?: unknown } | null)?.code !== 'ERR_WORKER_OUT_OF_MEMORY') return said;
  return `${said} (a thread that must hold more raises workerResourceLimits.maxOldGenerationSizeMb)`;
}
