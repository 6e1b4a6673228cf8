/**
 * A plan's outline: one line per part that must be the same wherever the plan runs (the source,
 * each step before and after each repartition, each stage's partitioning and operator, the sink),
 * and a fingerprint of those lines. Threads and processes that run one job each build its plan from
 * its module and compare outlines: a job module that builds something else in another thread (a
 * plan that depends on `Math.random()`, the environment, or the time) is refused, and the first
 * line that differs says where.
 */
import { createHash } from 'node:crypto';
import type { ChainStep } from '../internal/logical-plan.js';
import type { PhysicalPlan } from './physical-plan.js';

/** The lines of `plan`'s outline, in pipeline order. */
export function planOutline(plan: PhysicalPlan): readonly string[] {
  const lines = [`source ${plan.source.name}`];
  const steps = (where: string, chain: readonly ChainStep[]): void => {
    for (const step of chain) lines.push(`${where} ${step.kind} ${step.name}`);
  };
  steps('head', plan.headSteps);
  plan.stages.forEach((stage, s) => {
    const { step } = stage;
    if (step.kind === 'rebalance') {
      lines.push(`stage ${s} rebalance ${step.name}: ${step.partitions} partitions`);
    } else {
      const split = step.boundaries === undefined ? `${step.maxParallelism} key groups` : `ranges up to ${step.boundaries.map(String).join(', ')}`;
      const state = `id ${stage.layout.id ?? step.name}, state version ${step.state.version}`;
      lines.push(`stage ${s} ${step.operator.kind} ${step.name} (${state}): ${step.partitions} partitions over ${split}`);
    }
    steps(`stage ${s} then`, stage.tailSteps);
  });
  lines.push(`sink ${plan.sink.name}`);
  return lines;
}

/** A short hash of `plan`'s outline: equal for equal plans. */
export function planFingerprint(plan: PhysicalPlan): string {
  return createHash('sha256').update(planOutline(plan).join('\n')).digest('hex').slice(0, 16);
}

/** The first line where two outlines differ, as "here: …; there: …", or undefined when they are the same. */
export function outlineDifference(here: readonly string[], there: readonly string[]): string | undefined {
  const length = Math.max(here.length, there.length);
  for (let i = 0; i < length; i++) {
    if (here[i] !== there[i]) return `here: ${here[i] ?? '(nothing)'}; there: ${there[i] ?? '(nothing)'}`;
  }
  return undefined;
}
