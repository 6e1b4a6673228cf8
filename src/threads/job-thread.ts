/**
 * A worker thread's part of a job: it builds the plan from the job module as the main thread did
 * (and refuses to run when the outline differs), starts an actor system of its own with the
 * partitions placed on it, supervised there as on one thread, and wires them up: links out to the
 * partitions of other threads and to the sink on the main thread, links in from them, and, with the
 * head steps on the threads, the units the main thread hands over. Dead letters, late records,
 * events, counters and failures go to the main thread, which owns the run; it says when to stop.
 */
import { parentPort } from 'node:worker_threads';
import type { ActorRef } from '../actors/actor-ref.js';
import { deliverFromElsewhere } from '../actors/internal/deliver-from-elsewhere.js';
import { createSystem } from '../actors/system.js';
import { JobMismatchError, PipelineFailedError } from '../errors.js';
import { JobCounters } from '../streams/job/job-counters.js';
import { partitionName, spawnJobActors } from '../streams/job/job-actors.js';
import type { RunSettings } from '../streams/job/run-settings.js';
import type { CheckpointCoordinator } from '../streams/checkpoint/coordinator.js';
import type { StartingPoint } from '../streams/checkpoint/run-checkpoints.js';
import type { Topology } from '../streams/job/topology.js';
import { outlineDifference, planOutline } from '../streams/plan/plan-outline.js';
import type { PhysicalPlan } from '../streams/plan/physical-plan.js';
import type { StageMessage } from '../streams/run/messages.js';
import type { OperatorCounters } from '../streams/run/operator-counters.js';
import { codecOf, producerName } from './thread-links.js';
import { HeadRunner, type HeadTarget, type Unit } from './head-runner.js';
import { LinkReceiver } from './link-receiver.js';
import { LinkSender } from './link-sender.js';
import { emptyMailbox, openFrame, remotePartition, type PartitionFrame } from './remote-partition.js';
import { crossError, type LinkEnd, type ThreadCounters, type ThreadSetup, type ToThread } from './thread-protocol.js';
import { ThreadOutbox } from './thread-outbox.js';
import { TURN_OVER, TurnMerger, type HeadFrame } from './turn-merger.js';
import { lastOfTurn, offerHeadFrame } from './head-frames.js';
import type { LinkPort } from './link-port.js';
import type { DurableLinks, FrameSender } from './durable-links.js';

type StageRef = ActorRef<StageMessage<unknown>>;

/**
 * Units of raw records a head thread may hold before it takes them: enough that a thread can run
 * a unit ahead of another's pace, and few, for a unit waiting here lives in the thread's heap
 * (it was copied in as it arrived) and is copied again by each young-generation collection until
 * it is promoted: with 8, most raw records of a cpu-heavy job ended in the old generation.
 */
const UNITS_AHEAD = 2;

/** How often a thread reports its counters while it runs. */
const COUNTERS_EVERY_MS = 250;

export function linkKey(end: LinkEnd): string {
  return end.stage === 'sink' ? 'sink' : `${end.stage}:${end.partition}`;
}

/**
 * Runs this thread's part of the job `plan`; resolves once it has stopped. `port` is its control
 * channel to the main thread: the worker's `parentPort` on a thread, a NATS port in a process.
 * With `durable`, every link of the thread is one of them, to its own partitions too, and the
 * setup's ports are not used.
 */
export async function runJobThread(plan: PhysicalPlan, setup: ThreadSetup, port: LinkPort = parentPort as LinkPort, durable?: DurableLinks): Promise<void> {
  const outbox = new ThreadOutbox(port);
  const difference = outlineDifference(planOutline(plan), setup.outline);
  if (difference !== undefined) {
    outbox.post({ type: 'failed', error: crossError(new JobMismatchError(setup.url, `worker thread ${setup.thread}`, difference)) });
    return;
  }
  const { settings, thread, owners } = setup;
  const system = createSystem({ name: `${settings.name}-thread-${thread}`, ...(settings.dispatcher === undefined ? {} : { dispatcher: settings.dispatcher }) });
  const counters = new JobCounters(plan);
  const headCounters: OperatorCounters = { name: 'head', recordsIn: 0, recordsOut: 0 };
  let failed = false;
  const fail = (error: unknown): void => {
    if (failed) return;
    failed = true;
    outbox.flush();
    outbox.post({ type: 'failed', error: crossError(error) });
  };
  const jobPath = `/user/${settings.name}`;
  system.events.subscribe((event) => {
    if (event.type === 'actor-restarted') counters.restarts++;
    if (event.type === 'actor-escalated' && event.path === jobPath) fail(event.error);
    if (event.type === 'poison-message') fail(new PipelineFailedError(event.path, event.error));
    try {
      outbox.post({ type: 'event', event: { ...event, ...('error' in event ? { error: crossError(event.error) } : {}) } });
    } catch {
      // An event holding something that cannot be copied is not worth failing the run over.
    }
  });

  const epoch = setup.restored.epoch ?? 0;
  const senders = new Map<string, FrameSender<PartitionFrame>>();
  for (const { to, port: linkPort } of setup.outgoing) {
    senders.set(linkKey(to), durable === undefined ? new LinkSender<PartitionFrame>(linkPort) : durable.sender<PartitionFrame>(to, thread, epoch));
  }
  const producerOf = (stage: number): string => producerName(plan, stage);
  const remote = (to: LinkEnd, name: string, producer: string): StageRef =>
    remotePartition({
      path: `/user/${settings.name}/${name}`,
      name,
      link: senders.get(linkKey(to)),
      producer,
      codec: codecOf(plan, to),
      failed: fail,
      metrics: () => emptyMailbox(settings.mailboxBatches),
    });
  const last = plan.stages.length - 1;

  const topology: Topology = await spawnJobActors({
    plan,
    settings: workerRunSettings(setup),
    system,
    counters,
    outputs: outbox,
    start: {
      resumedFrom: setup.restored.epoch,
      skipped: [],
      completed: false,
      offset: undefined,
      maxTimestamp: Number.NEGATIVE_INFINITY,
      entries: setup.restored.entries as StartingPoint['entries'],
      progress: setup.restored.progress,
      sinkToken: undefined,
    },
    coordinator: setup.checkpoints ? (snapshotsToMain(outbox, fail) as CheckpointCoordinator) : undefined,
    sinkClosed: () => undefined,
    failed: fail,
    elsewhere: {
      sink: remote({ stage: 'sink' }, 'sink', producerOf(last + 1)),
      partition: (s, p) => ((owners[s] as number[])[p] === thread ? undefined : remote({ stage: s, partition: p }, partitionName(plan, s, p), producerOf(s))),
      // Durable: every partition is sent to through its link, its own thread's too, so a restart reads it all again.
      via: durable === undefined ? undefined : (s, p) => remote({ stage: s, partition: p }, partitionName(plan, s, p), producerOf(s)),
    },
  });

  const receivers: { close(): void }[] = [];
  const mergers = new Map<number, TurnMerger<StageMessage<unknown>>>();
  const mergerOf = (partition: number): TurnMerger<StageMessage<unknown>> => {
    let merger = mergers.get(partition);
    if (merger === undefined) {
      const ref = (topology.stages[0] as StageRef[])[partition] as StageRef;
      // Each thread's head may run a link's room of messages ahead of the others here, as a head on another thread may.
      merger = new TurnMerger(setup.workers, (message) => ref.send(message), settings.mailboxBatches);
      mergers.set(partition, merger);
    }
    return merger;
  };
  if (durable !== undefined) {
    // One inbox per partition of this thread, reading all its senders in the order they were stored.
    const inboxes = new Map<string, { readonly to: { readonly stage: number; readonly partition: number }; readonly senders: number[] }>();
    for (const { to, from } of setup.incoming) {
      if (to.stage === 'sink') continue;
      const inbox = inboxes.get(linkKey(to)) ?? { to, senders: [] as number[] };
      inbox.senders.push(from);
      inboxes.set(linkKey(to), inbox);
    }
    for (const { to, senders: from } of inboxes.values()) {
      const ref = (topology.stages[to.stage] as StageRef[])[to.partition] as StageRef;
      const deliver = (_from: number, frame: PartitionFrame): Promise<void> => {
        const { message, sender, seq } = openFrame(frame, codecOf(plan, to));
        return sender === undefined ? ref.send(message) : deliverFromElsewhere(ref, message, sender, seq);
      };
      receivers.push(durable.inbox(to, from, epoch, settings.mailboxBatches, deliver, fail));
    }
  }
  for (const { to, from, port: linkPort } of durable === undefined ? setup.incoming : []) {
    if (to.stage === 'sink') continue;
    const ref = (topology.stages[to.stage] as StageRef[])[to.partition] as StageRef;
    const merged = setup.headOnThreads && to.stage === 0;
    const deliver = merged
      ? (frame: HeadFrame<PartitionFrame>): Promise<void> => offerHeadFrame(mergerOf(to.partition), from - 1, frame, codecOf(plan, to))
      : (frame: PartitionFrame): Promise<void> => {
          const { message, sender, seq } = openFrame(frame, codecOf(plan, to));
          return sender === undefined ? ref.send(message) : deliverFromElsewhere(ref, message, sender, seq);
        };
    receivers.push(new LinkReceiver<never>(linkPort, { room: settings.mailboxBatches, deliver: deliver as (frame: never) => Promise<void>, failed: fail }));
  }

  if (setup.headOnThreads && setup.units !== undefined) {
    const firsts = plan.stages.length === 0 ? 1 : (plan.stages[0] as PhysicalPlan['stages'][number]).step.partitions;
    const targets: HeadTarget[] = Array.from({ length: firsts }, (_, p): HeadTarget => {
      const to: LinkEnd = plan.stages.length === 0 ? { stage: 'sink' } : { stage: 0, partition: p };
      if (to.stage !== 'sink' && (owners[0] as number[])[p] === thread) {
        const merger = mergerOf(p);
        return { send: (message, last) => merger.offer(thread - 1, message, last), turnOver: () => merger.offer(thread - 1, TURN_OVER) };
      }
      // Records go through the partition's ref, which checks them; turn markers straight on its link.
      const ref = to.stage === 'sink' ? topology.sink : ((topology.stages[0] as StageRef[])[p] as StageRef);
      const link = senders.get(linkKey(to)) as unknown as LinkSender<HeadFrame<PartitionFrame>>;
      return { send: (message, last) => ref.send(last ? lastOfTurn(message) : message), turnOver: () => link.send({ type: 'turn' }) };
    });
    const head = new HeadRunner({
      head: plan.head,
      next: plan.stages[0]?.assignment,
      targets,
      batchSize: settings.batchSize,
      retries: settings.retries,
      counters: headCounters,
      deadLetter: outbox.deadLetter,
    });
    receivers.push(new LinkReceiver<Unit>(setup.units, { room: UNITS_AHEAD, deliver: (unit) => head.take(unit), failed: fail }));
  }

  const report = (): ThreadCounters => threadCounters(thread, owners, counters, headCounters, system.metrics().actors);
  const timer = setInterval(() => outbox.post({ type: 'counters', counters: report() }), COUNTERS_EVERY_MS);
  timer.unref();

  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      // Counted while the actors are still there to be listed: the run is over, nothing changes now.
      const final = report();
      void system.shutdown().then(() => {
        for (const receiver of receivers) receiver.close();
        for (const sender of senders.values()) sender.close();
        for (const merger of mergers.values()) merger.abandon(new Error('the run is over'));
        outbox.flush();
        outbox.post({ type: 'stopped', counters: final });
        port.close();
        resolve();
      });
    };
    // The main thread (or the leading process) is gone: nothing of this run can go anywhere now.
    port.on('close', stop);
    port.on('message', (message: ToThread) => {
      if (message.type === 'query') {
        const ref = (topology.stages[message.stage] as StageRef[])[message.partition] as StageRef;
        ref.ask({ type: 'query', key: message.key }, { timeoutMs: message.timeoutMs }).then(
          (value) => outbox.post({ type: 'answer', id: message.id, value }),
          (error: unknown) => outbox.post({ type: 'answer', id: message.id, value: undefined, error: crossError(error) }),
        );
        return;
      }
      stop();
    });
    outbox.post({ type: 'ready' });
  });
}

/**
 * Where this thread's partitions hand their snapshots at a barrier: to the main thread, whose
 * coordinator writes them. The entries are copied out of the snapshot view at once (the view is
 * then released); state that cannot be copied fails the run, naming the partition.
 */
function snapshotsToMain(outbox: ThreadOutbox, fail: (error: unknown) => void): Pick<CheckpointCoordinator, 'snapshot'> {
  return {
    snapshot(id, stage, partition, entries, release, progress) {
      const copied = [...entries];
      release();
      try {
        outbox.post({ type: 'snapshot', id, stage, partition, entries: copied, progress });
      } catch (error) {
        fail(
          new Error(
            `The state of partition ${partition} of stage ${stage} cannot be copied to the main thread for checkpoint ${id}: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
      }
    },
  };
}

/** The settings the thread's actors run with: the main thread's, as far as they are data. */
function workerRunSettings(setup: ThreadSetup): RunSettings {
  const { settings } = setup;
  return {
    name: settings.name,
    signal: undefined,
    batchSize: settings.batchSize,
    lingerMs: 0,
    mailboxBatches: settings.mailboxBatches,
    retries: settings.retries,
    maxRestarts: settings.maxRestarts,
    deadLetters: undefined,
    chaos: settings.chaos,
    crashAt: undefined,
    checkpoint: undefined,
    allowDroppedState: false,
    finishUpgraded: false,
    workers: setup.workers,
    dispatcher: settings.dispatcher,
    makeSystem: () => {
      throw new Error('a worker thread makes its own system');
    },
  };
}

function threadCounters(
  thread: number,
  owners: readonly (readonly number[])[],
  counters: JobCounters,
  head: OperatorCounters,
  actors: ThreadCounters['actors'],
): ThreadCounters {
  return {
    head: { recordsIn: head.recordsIn, recordsOut: head.recordsOut },
    stages: counters.stages.map(({ recordsIn, recordsOut, watermarks, partitionRecordsIn }, s) => {
      const mine: Record<number, number> = {};
      const taken: Record<number, number> = {};
      (owners[s] as number[]).forEach((owner, p) => {
        if (owner !== thread) return;
        if (watermarks !== undefined) mine[p] = watermarks[p] as number;
        taken[p] = partitionRecordsIn?.[p] ?? 0;
      });
      return { recordsIn, recordsOut, watermarks: mine, partitionRecordsIn: taken };
    }),
    restarts: counters.restarts,
    actors,
  };
}
