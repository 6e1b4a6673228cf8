/**
 * The links of a threaded job, laid out before any thread starts: one MessageChannel for each
 * thread that sends to a partition on another thread (and to the sink, on the main thread), and,
 * with the head steps on the threads, one from the main thread to each worker for the units of raw
 * records. Partitions are placed on threads by contiguous ranges of partitions, which are contiguous
 * ranges of key groups.
 */
import { MessageChannel } from 'node:worker_threads';
import type { ChannelMaker, LinkPort } from './link-port.js';
import type { RecordCodec } from '../streams/internal/logical-plan.js';
import type { PhysicalPlan } from '../streams/plan/physical-plan.js';
import type { LinkEnd } from './thread-protocol.js';

/** The thread (1 to `workers`) that runs partition `partition` of a stage of `partitions`. */
export function ownerOf(partition: number, partitions: number, workers: number): number {
  return 1 + Math.floor((partition * workers) / partitions);
}

export interface ThreadLinks {
  /** `owners[s][p]`: the thread that runs partition p of stage s. */
  readonly owners: readonly (readonly number[])[];
  /** Per thread (0 the main thread): the links it sends on. */
  readonly outgoing: readonly { to: LinkEnd; port: LinkPort }[][];
  /** Per thread: the links it receives on, and from which thread. */
  readonly incoming: readonly { to: LinkEnd; from: number; port: LinkPort }[][];
  /** Per worker (index 1 up): the main thread's end and the worker's end of its units link. */
  readonly units: readonly { readonly main: LinkPort; readonly worker: LinkPort }[] | undefined;
}

/** Two ends of a MessageChannel: the channels between threads of one process. */
export const threadChannel: ChannelMaker = () => new MessageChannel();

/**
 * Lays out the links of `plan` run on `workers` threads, each a channel `channel` makes; with
 * `everyLink`, also between partitions of one thread (durable links carry everything).
 */
export function layOutLinks(
  plan: PhysicalPlan,
  workers: number,
  headOnThreads: boolean,
  channel: ChannelMaker = threadChannel,
  everyLink = false,
): ThreadLinks {
  const owners = plan.stages.map((stage) => Array.from({ length: stage.step.partitions }, (_, p) => ownerOf(p, stage.step.partitions, workers)));
  const outgoing = Array.from({ length: workers + 1 }, (): { to: LinkEnd; port: LinkPort }[] => []);
  const incoming = Array.from({ length: workers + 1 }, (): { to: LinkEnd; from: number; port: LinkPort }[] => []);
  const all = Array.from({ length: workers }, (_, i) => i + 1);
  const link = (from: number, to: LinkEnd, owner: number): void => {
    if (from === owner && !everyLink) return;
    const { port1, port2 } = channel();
    (outgoing[from] as { to: LinkEnd; port: LinkPort }[]).push({ to, port: port1 });
    (incoming[owner] as { to: LinkEnd; from: number; port: LinkPort }[]).push({ to, from, port: port2 });
  };
  plan.stages.forEach((_, s) => {
    const senders = s === 0 ? (headOnThreads ? all : [0]) : [...new Set(owners[s - 1])];
    (owners[s] as number[]).forEach((owner, p) => {
      for (const from of senders) link(from, { stage: s, partition: p }, owner);
    });
  });
  const sinkSenders = plan.stages.length > 0 ? [...new Set(owners.at(-1))] : headOnThreads ? all : [];
  for (const from of sinkSenders) link(from, { stage: 'sink' }, 0);
  const units = headOnThreads
    ? all.map(() => {
        const { port1, port2 } = channel();
        return { main: port1, worker: port2 };
      })
    : undefined;
  return { owners, outgoing, incoming, units };
}

/** Whether the head steps run on the worker threads: when there are some, and none assigns event times. */
export function headRunsOnThreads(plan: PhysicalPlan): boolean {
  return !plan.head.identity && plan.head.generator === undefined;
}

/** The step whose records go into stage `stage` (the sink past the last): the last step before it. */
export function producerName(plan: PhysicalPlan, stage: number): string {
  if (stage === 0) return plan.headSteps.at(-1)?.name ?? 'source';
  const before = plan.stages[stage - 1] as PhysicalPlan['stages'][number];
  return before.tailSteps.at(-1)?.name ?? before.step.name;
}

/** The codec of the stage a link delivers to, when it has one (the sink has none). */
export function codecOf(plan: PhysicalPlan, to: LinkEnd): RecordCodec | undefined {
  return to.stage === 'sink' ? undefined : plan.stages[to.stage]?.step.codec;
}
