/**
 * The actors of a run: a job actor, which supervises the rest; the sink actor; a partition actor
 * per partition of each stage. Where a partition runs is behind one seam, `PartitionPlacement`:
 * here every partition is an actor of this process, a child of the job actor; worker threads and
 * cluster processes can place them elsewhere, and nothing that sends to a partition knows which.
 */
import type { ActorRef } from '../../actors/actor-ref.js';
import type { ActorSystem } from '../../actors/actor-system.js';
import { defineActor, type ActorDefinition } from '../../actors/behavior.js';
import type { ActorContext } from '../../actors/context.js';
import type { MailboxOptions } from '../../mailbox/mailbox.js';
import type { StageMessage } from '../run/messages.js';
import type { PartitionState } from '../run/operators/partition-operator.js';
import { InjectedCrash } from '../run/chaos.js';

type StageRef = ActorRef<StageMessage<unknown>>;

/** Starts partitions somewhere and says where to send them messages. */
export interface PartitionPlacement {
  /** Starts partition `partition` of stage `stage`, named `name`, running `definition`. */
  place(stage: number, partition: number, name: string, definition: ActorDefinition<PartitionState, StageMessage<unknown>>): StageRef;
}

/** Every partition an actor of this process, a child of the job actor. */
export class LocalPlacement implements PartitionPlacement {
  readonly #ctx: ActorContext<unknown>;
  readonly #mailbox: MailboxOptions;

  constructor(ctx: ActorContext<unknown>, mailbox: MailboxOptions) {
    this.#ctx = ctx;
    this.#mailbox = mailbox;
  }

  place(_stage: number, _partition: number, name: string, definition: ActorDefinition<PartitionState, StageMessage<unknown>>): StageRef {
    return this.#ctx.spawn(definition, {
      name,
      mailbox: this.#mailbox,
      // Restarts replay from the snapshot; only a batch that fails this often in a row is a bug.
      supervision: { maxRetries: 100 },
      // A snapshot per batch (an O(1) view of the keyed state): a restart replays one batch, not a
      // long log whose replay could itself keep failing.
      snapshot: { everyMessages: 1 },
    });
  }
}

/** Where a run's messages go: the sink, and each stage's partitions. */
export interface Topology {
  readonly sink: StageRef;
  /** `stages[s][p]`: partition p of stage s. */
  readonly stages: readonly (readonly StageRef[])[];
}

/** Where the output of stage `stage` goes: the next stage's partitions, or the sink. */
export function downstreamOf(topology: Topology, stage: number): readonly StageRef[] {
  return topology.stages[stage + 1] ?? [topology.sink];
}

/** Where the source sends: the first stage's partitions, or the sink. */
export function firstOf(topology: Topology): readonly StageRef[] {
  return topology.stages[0] ?? [topology.sink];
}

export interface TopologySetup {
  readonly system: ActorSystem;
  /** The job actor's name: `/user/<name>`. */
  readonly name: string;
  /** Partitions per stage. */
  readonly partitions: readonly number[];
  /** Batches each partition's (and the sink's) mailbox holds before senders wait. */
  readonly mailboxBatches: number;
  /** Restarts of partitions tolerated within 10 s before the job gives up. */
  readonly maxRestarts: number;
  /** The sink actor to start here, or a ref to it where it runs elsewhere (on the main thread, seen from a worker). */
  readonly sink: { readonly definition: ActorDefinition<number, StageMessage<unknown>> } | { readonly ref: StageRef };
  /**
   * A ref to partition `partition` of stage `stage` where it runs on another thread; undefined for
   * the partitions that run here. Without it, every partition runs here.
   */
  readonly elsewhere?: ((stage: number, partition: number) => StageRef | undefined) | undefined;
  /**
   * Where partitions send to partition `partition` of stage `stage` instead of straight to it,
   * wherever it runs (a durable link); without it, to the partition's own ref.
   */
  readonly via?: ((stage: number, partition: number) => StageRef) | undefined;
  /** Partition `partition` of stage `stage`; `downstream()` gives where its output goes, once all are placed. */
  partition(
    stage: number,
    partition: number,
    downstream: () => readonly StageRef[],
  ): { readonly name: string; readonly definition: ActorDefinition<PartitionState, StageMessage<unknown>> };
}

/** Spawns the job actor and, under it, the sink and every partition (last stage first). */
export async function spawnTopology(setup: TopologySetup): Promise<Topology> {
  const stages: StageRef[][] = setup.partitions.map(() => []);
  const mailbox: MailboxOptions = { capacity: setup.mailboxBatches, overflow: 'backpressure' };
  const job = setup.system.spawn(
    defineActor<null, { type: 'setup' }>({
      initialState: () => null,
      receive(state, _message, ctx) {
        const sink = 'ref' in setup.sink ? setup.sink.ref : ctx.spawn(setup.sink.definition, { name: 'sink', mailbox });
        const topology: Topology = { sink, stages };
        const placement = new LocalPlacement(ctx as ActorContext<unknown>, mailbox);
        for (let s = stages.length - 1; s >= 0; s--) {
          // Placed last stage first: what stage s sends to is all there now, and never changes.
          const via = setup.via;
          const downstream = via === undefined || s === stages.length - 1 ? downstreamOf(topology, s) : downstreamOf(topology, s).map((_, q) => via(s + 1, q));
          for (let p = 0; p < (setup.partitions[s] as number); p++) {
            const remote = setup.elsewhere?.(s, p);
            if (remote !== undefined) {
              (stages[s] as StageRef[])[p] = remote;
              continue;
            }
            const { name, definition } = setup.partition(s, p, () => downstream);
            (stages[s] as StageRef[])[p] = placement.place(s, p, name, definition);
          }
        }
        ctx.reply(topology);
        return state;
      },
    }),
    {
      name: setup.name,
      // Injected crashes are as many as the test asked for: they must not use up a limit meant for real failures.
      supervisor: { maxRestarts: setup.maxRestarts, withinMs: 10_000, exempt: (cause) => cause instanceof InjectedCrash },
      supervision: { decide: () => 'escalate' },
    },
  );
  return job.ask<Topology>({ type: 'setup' }, { timeoutMs: Infinity });
}
