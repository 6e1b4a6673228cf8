/**
 * A step chain: the run of stateless steps one actor applies between two repartitions, fused into one
 * function. When it contains `withTimestamps`, the records it outputs take their event time from
 * there (the last such step wins) and the actor running it generates the watermarks downstream
 * sees; otherwise outputs keep their input's time (or have none, on a stream without timestamps).
 */
import type { ChainStep, StatelessStep, TimestampStep } from '../internal/logical-plan.js';
import { emptyArray } from '../../internal/empty-array.js';
import { InvalidEventTimeError, StepError, fuse, type FusedSteps } from './chain.js';

export interface StepChain {
  /** Whether records leaving the chain carry event times. */
  readonly timed: boolean;
  /** The chain's `withTimestamps` step: the actor running it generates watermarks. */
  readonly generator: TimestampStep | undefined;
  /** Whether the chain does nothing at all (records pass as they are). */
  readonly identity: boolean;
  /**
   * The outputs of one record, in an array the chain reuses: like `timestamps`, which on a timed
   * chain holds each output's event time, it is good until the next call. An extracted time that
   * is not a finite number fails the record.
   * @throws StepError naming the step that failed.
   */
  apply(record: unknown, timestamp: number | undefined): unknown[];
  readonly timestamps: number[];
}

export function planStepChain(steps: readonly ChainStep[], inputTimed: boolean): StepChain {
  let last = -1;
  steps.forEach((step, i) => {
    if (step.kind === 'timestamps') last = i;
  });
  const generator = last < 0 ? undefined : (steps[last] as TimestampStep);
  const timestamps: number[] = [];
  if (generator === undefined) {
    const chain = fuse(steps as StatelessStep[]);
    return {
      timed: inputTimed,
      generator,
      identity: steps.length === 0,
      timestamps,
      apply(record, timestamp) {
        const outputs = chain(record);
        if (inputTimed) {
          emptyArray(timestamps);
          for (let i = 0; i < outputs.length; i++) timestamps.push(timestamp as number);
        }
        return outputs;
      },
    };
  }
  // Earlier timestamp steps are overridden by the last one, so they never run.
  const before = fuse(steps.slice(0, last).filter((s): s is StatelessStep => s.kind !== 'timestamps'));
  const after: FusedSteps = fuse(steps.slice(last + 1) as StatelessStep[]);
  const outputs: unknown[] = [];
  return {
    timed: true,
    generator,
    identity: false,
    timestamps,
    apply(record) {
      emptyArray(timestamps);
      emptyArray(outputs);
      for (const middle of before(record)) {
        const time = eventTime(generator, middle);
        for (const out of after(middle)) {
          outputs.push(out);
          timestamps.push(time);
        }
      }
      return outputs;
    },
  };
}

function eventTime(step: TimestampStep, record: unknown): number {
  let time: unknown;
  try {
    time = step.timestampOf(record);
  } catch (error) {
    throw new StepError(step.name, error);
  }
  if (typeof time !== 'number' || !Number.isFinite(time)) throw new InvalidEventTimeError(step.name, time);
  return time;
}
