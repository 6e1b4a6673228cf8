/**
 * The physical plan of a pipeline: its logical steps cut at each repartition into stages. The
 * stateless steps before the first repartition are the source's head chain; those after one run in
 * the stage before them, fused into its tail chain. Each stage knows how records are assigned to
 * its partitions (one assignment, shared by everything that routes there), how it is laid out in a
 * checkpoint manifest, and how to make its operator in a partition. Pure: nothing runs here.
 */
import type { LogicalPlan, ChainStep, StageStep } from '../internal/logical-plan.js';
import type { StageLayout } from '../checkpoint/coordinator.js';
import { keyGroupRange } from '../partitioning/key-groups.js';
import type { Sink } from '../sinks/sink.js';
import type { Source } from '../sources/source.js';
import { assignmentFor, type Assignment } from '../run/assign.js';
import { aggregateOperator } from '../run/operators/aggregate-operator.js';
import type { OperatorSetup, PartitionOperator } from '../run/operators/partition-operator.js';
import { processOperator } from '../run/operators/process-operator.js';
import { relayOperator } from '../run/operators/relay-operator.js';
import { windowOperator } from '../run/operators/window-operator.js';
import { planStepChain, type StepChain } from '../run/step-chain.js';
import { migrateProcessEntry, type ProcessEntry } from '../run/operators/process-operator.js';
import { mapWindowAccumulators } from '../time/window-engine.js';
import type { EntryMigration } from '../checkpoint/migrate-state.js';
import { stageIds } from './stage-ids.js';

/** One keyed (or rebalanced) stage, as each of its partitions runs it. */
export interface PhysicalStage {
  readonly step: StageStep;
  /** Whether the records arriving at the stage carry event times. */
  readonly inputTimed: boolean;
  /** The stateless steps after the stage's operator, up to the next repartition. */
  readonly tail: StepChain;
  /** The steps `tail` runs, as the pipeline named them. */
  readonly tailSteps: readonly ChainStep[];
  /** How records are assigned to this stage's partitions, shared by everything that routes there. */
  readonly assignment: Assignment;
  /** How the stage is partitioned, as a checkpoint manifest records it (its id and state version included). */
  readonly layout: StageLayout;
  /**
   * Brings one entry of a partition's state, written at an older state version, to the stage's
   * version; undefined when the stage has no `migrate` (or no state).
   */
  readonly migrateEntry: EntryMigration | undefined;
  /** Makes the stage's operator over a partition's state, at each start of each partition. */
  operator(setup: OperatorSetup, now: () => number): PartitionOperator;
}

export interface PhysicalPlan {
  readonly source: Source<unknown, unknown>;
  readonly sink: Sink<unknown>;
  /** The stateless steps before the first repartition, which the source driver applies. */
  readonly head: StepChain;
  /** The steps `head` runs, as the pipeline named them. */
  readonly headSteps: readonly ChainStep[];
  readonly stages: readonly PhysicalStage[];
  /**
   * Whether the source sends each record with the watermark of the records before it: when its
   * head assigns event times and the first stage judges records by the watermark (a window or a
   * process function); a `reduce` or `aggregate`, which no watermark changes, needs none.
   */
  readonly carriesWatermarks: boolean;
}

/** Cuts `plan` into stages. A stream is timed from its first `withTimestamps` on. */
export function planPhysical(plan: LogicalPlan): PhysicalPlan {
  const chains: ChainStep[][] = [[]];
  const repartitions: StageStep[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'keyed' || step.kind === 'rebalance') {
      repartitions.push(step);
      chains.push([]);
    } else {
      (chains[chains.length - 1] as ChainStep[]).push(step);
    }
  }
  const head = planStepChain(chains[0] as ChainStep[], false);
  let timed = head.timed;
  const ids = stageIds(repartitions.map((step) => ({ name: step.name, id: step.kind === 'keyed' ? step.state.id : undefined })));
  const stages = repartitions.map((step, i): PhysicalStage => {
    const tail = planStepChain(chains[i + 1] as ChainStep[], timed);
    const tailSteps = chains[i + 1] as ChainStep[];
    const stage: PhysicalStage = {
      step,
      inputTimed: timed,
      tail,
      tailSteps,
      assignment: assignmentFor(step),
      layout: layoutOf(step, ids[i] as string),
      migrateEntry: entryMigration(step),
      operator: operatorOf(step),
    };
    timed = tail.timed;
    return stage;
  });
  return {
    source: plan.source,
    sink: plan.sink,
    head,
    headSteps: chains[0] as ChainStep[],
    stages,
    carriesWatermarks: head.generator !== undefined && judgesEventTime(stages[0]),
  };
}

/** How a stage is partitioned, as a checkpoint manifest records it, under `id`. */
function layoutOf(step: StageStep, id: string): StageLayout {
  if (step.kind === 'rebalance') return { name: step.name, id, stateful: false, partitions: step.partitions, maxParallelism: step.partitions };
  const { name, partitions, maxParallelism } = step;
  const stage = { name, id, stateVersion: step.state.version, stateful: true, partitions, maxParallelism };
  if (step.boundaries !== undefined) return { ...stage, boundaries: step.boundaries.map((b) => (typeof b === 'bigint' ? Number(b) : b)) };
  return { ...stage, keyGroups: Array.from({ length: partitions }, (_, p) => keyGroupRange(p, maxParallelism, partitions)) };
}

/** How an entry of the stage's state is migrated, per the kind of its operator. */
function entryMigration(step: StageStep): EntryMigration | undefined {
  if (step.kind === 'rebalance' || step.state.migrate === undefined) return undefined;
  const { migrate } = step.state;
  switch (step.operator.kind) {
    case 'aggregate':
      return migrate;
    case 'window':
      return (slots, fromVersion, key) => mapWindowAccumulators(slots, (accumulator) => migrate(accumulator, fromVersion, key));
    case 'process':
      return (entry, fromVersion, key) => migrateProcessEntry(entry as ProcessEntry, (state) => migrate(state, fromVersion, key));
  }
}

/** The operator of a stage, made afresh at each start of each of its partitions. */
function operatorOf(step: StageStep): PhysicalStage['operator'] {
  if (step.kind === 'rebalance') return () => relayOperator();
  const { operator } = step;
  switch (operator.kind) {
    case 'aggregate':
      return (setup) => aggregateOperator(operator, setup);
    case 'window':
      return (setup) => windowOperator(operator, setup);
    case 'process':
      return (setup, now) => processOperator(operator, setup, now);
  }
}

/** Whether a stage judges records by the watermark: windows (lateness, firing) and process functions (event-time timers). */
function judgesEventTime(stage: PhysicalStage | undefined): boolean {
  return stage?.step.kind === 'keyed' && (stage.step.operator.kind === 'window' || stage.step.operator.kind === 'process');
}
