/**
 * The actors of one job, made from its plan: the sink actor, and a partition actor per partition of
 * each stage, each started from where the checkpoint resumed left it, sharing the job's counters,
 * side outputs and checkpoint coordinator; then placed by `spawnTopology`.
 */
import type { ActorRef } from '../../actors/actor-ref.js';
import type { ActorSystem } from '../../actors/actor-system.js';
import type { CheckpointCoordinator } from '../checkpoint/coordinator.js';
import type { StartingPoint } from '../checkpoint/run-checkpoints.js';
import type { PhysicalPlan, PhysicalStage } from '../plan/physical-plan.js';
import { crasher } from '../run/chaos.js';
import type { OperatorCounters } from '../run/operator-counters.js';
import { partitionActor } from '../run/partition-actor.js';
import type { StageMessage } from '../run/messages.js';
import { sinkActor } from '../run/sink-actor.js';
import type { JobCounters } from './job-counters.js';
import type { JobOutputs } from './job-outputs.js';
import type { RunSettings } from './run-settings.js';
import { spawnTopology, type Topology } from './topology.js';

export interface JobActorsSetup {
  readonly plan: PhysicalPlan;
  readonly settings: RunSettings;
  readonly system: ActorSystem;
  readonly counters: JobCounters;
  readonly outputs: Pick<JobOutputs, 'forStage'>;
  readonly start: StartingPoint;
  /** Where snapshots go when barriers align; undefined when checkpoints are off. */
  readonly coordinator: CheckpointCoordinator | undefined;
  /** The input has ended and the sink is closed: the job completed. */
  readonly sinkClosed: () => void;
  /** The sink failed: the run fails with this. */
  readonly failed: (error: unknown) => void;
  /**
   * Where partitions (and the sink) run on other threads: refs to them there. Without it, every
   * partition and the sink run here.
   */
  readonly elsewhere?:
    | {
        readonly sink: StageRef | undefined;
        partition(stage: number, partition: number): StageRef | undefined;
        /** Where partitions send to partition `partition` of stage `stage`, when not straight to it (a durable link, which a restart reads again). */
        readonly via?: ((stage: number, partition: number) => StageRef) | undefined;
      }
    | undefined;
}

type StageRef = ActorRef<StageMessage<unknown>>;

/** The name of partition `partition` of stage `stage`'s actor, the same on every thread. */
export function partitionName(plan: PhysicalPlan, stage: number, partition: number): string {
  return `${(plan.stages[stage] as PhysicalStage).step.name}-${stage}-partition-${partition}`;
}

export function spawnJobActors(setup: JobActorsSetup): Promise<Topology> {
  const { plan, settings, counters, outputs, start, coordinator } = setup;
  const now = (): number => setup.system.clock.now();
  return spawnTopology({
    system: setup.system,
    name: settings.name,
    partitions: plan.stages.map((stage) => stage.step.partitions),
    mailboxBatches: settings.mailboxBatches,
    maxRestarts: settings.maxRestarts,
    elsewhere: setup.elsewhere === undefined ? undefined : (s, p) => setup.elsewhere?.partition(s, p),
    via: setup.elsewhere?.via,
    sink:
      setup.elsewhere?.sink !== undefined
        ? { ref: setup.elsewhere.sink }
        : {
            definition: sinkActor({
              sink: plan.sink,
              upstreams: plan.stages.at(-1)?.step.partitions ?? 1,
              counters: counters.sink,
              completed: setup.sinkClosed,
              failed: setup.failed,
              preCommitted: coordinator === undefined ? undefined : (id, token) => coordinator.preCommitted(id, token),
            }),
          },
    partition: (s, p, downstream) => {
      const stage = plan.stages[s] as PhysicalStage;
      const name = partitionName(plan, s, p);
      const definition = partitionActor({
        stage: {
          name: stage.step.name,
          index: s,
          inputTimed: stage.inputTimed,
          tail: stage.tail,
          operator: (operatorSetup) => stage.operator(operatorSetup, now),
          counters: counters.stages[s] as OperatorCounters,
          outputs: outputs.forStage(s, stage.step.name),
          next: plan.stages[s + 1]?.assignment,
          downstream,
          upstreams: s === 0 ? 1 : (plan.stages[s - 1] as PhysicalStage).step.partitions,
          batchSize: settings.batchSize,
          retries: settings.retries,
        },
        index: p,
        crash: crasher(settings.chaos, settings.crashAt, {
          actor: name,
          operator: stage.step.name,
          stage: s,
          stages: plan.stages.length,
          partition: p,
          partitions: stage.step.partitions,
        }),
        restored: { entries: start.entries?.[s]?.[p], progress: start.progress?.[s]?.[p], epoch: start.resumedFrom },
        checkpoints: coordinator,
      });
      return { name, definition };
    },
  });
}
