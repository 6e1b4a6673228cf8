/**
 * `handle.query(stage, key)`: the partition that owns `key` in the named reduce, aggregate or
 * process stage answers from its live state, between two batches.
 */
import { InvalidOptionError } from '../../errors.js';
import { isObject, positiveNumberOrInfinity, withDefault } from '../../internal/validate.js';
import type { StageStep } from '../internal/logical-plan.js';
import type { PartitionKey } from '../partitioning/canonical-key.js';
import type { PhysicalPlan } from '../plan/physical-plan.js';
import type { QueryOptions } from '../run-options.js';
import type { ProcessEntry } from '../run/operators/process-operator.js';
import type { RecordRouter } from '../run/router.js';
import { stateKeyOf } from '../run/state-key.js';
import type { Topology } from './topology.js';

/** What a query needs of its job, read when it runs. */
export interface QueryTarget {
  readonly plan: PhysicalPlan;
  /** Resolves once the actors are up, or the run is over. */
  readonly started: Promise<void>;
  /** Whether the run's end has begun. */
  ended(): boolean;
  topology(): Topology | undefined;
  /** The source driver's router: what waits in its batches was read before the query. */
  sourceRouter(): RecordRouter | undefined;
}

export async function queryStage<TValue>(
  target: QueryTarget,
  stageName: string,
  key: PartitionKey,
  options: QueryOptions | undefined,
): Promise<TValue | undefined> {
  const index = queryableStage(target.plan, stageName);
  if (options !== undefined) isObject('options', options);
  const timeoutMs = withDefault(options?.timeoutMs, 5000, (v) => positiveNumberOrInfinity('timeoutMs', v));
  const stage = target.plan.stages[index] as PhysicalPlan['stages'][number];
  const partition = stage.assignment.partitionOfKey(key);
  const stateKey = stateKeyOf(key);
  await target.started;
  if (target.ended()) throw new InvalidOptionError('query', 'a running pipeline', 'a finished one');
  // Records the driver holds in a partly filled batch were read before this call: send them
  // first, so the answer covers them (the ask then queues behind them in the partition's mailbox).
  if (index === 0) await target.sourceRouter()?.flush();
  const ref = (target.topology() as Topology).stages[index]?.[partition] as Topology['sink'];
  const reply = await ref.ask<{ value: unknown } | undefined>({ type: 'query', key: stateKey }, { timeoutMs });
  if (reply === undefined) return undefined;
  const operator = (stage.step as Extract<StageStep, { kind: 'keyed' }>).operator;
  if (operator.kind === 'aggregate') return operator.result(reply.value, key) as TValue;
  const entry = reply.value as ProcessEntry;
  return entry.hasState ? (entry.state as TValue) : undefined;
}

/** The index of the reduce, aggregate or process stage with id `name`, or else named `name`. */
function queryableStage(plan: PhysicalPlan, name: string): number {
  const queryable = (step: StageStep): boolean => step.kind === 'keyed' && step.operator.kind !== 'window';
  const byId = plan.stages.findIndex((stage) => queryable(stage.step) && stage.layout.id === name);
  const index = byId >= 0 ? byId : plan.stages.findIndex((stage) => queryable(stage.step) && stage.step.name === name);
  if (index < 0) {
    const names = plan.stages.filter((stage) => queryable(stage.step)).map((stage) => stage.step.name);
    throw new InvalidOptionError('stage', `the name of a reduce, aggregate or process stage (${names.join(', ') || 'none'})`, name);
  }
  return index;
}
