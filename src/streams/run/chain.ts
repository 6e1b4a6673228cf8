/**
 * Fuses a run of stateless operators into one function: a record goes in, the records it turns
 * into come out, all inside the calling actor. A step that throws is reported with its name, and
 * nothing the record produced before the throw escapes, so a retry cannot duplicate output.
 */
import { emptyArray } from '../../internal/empty-array.js';
import type { StatelessStep } from '../internal/logical-plan.js';
import type { PipelineDeadLetter } from './messages.js';

/** A step failed on a record. */
export class StepError extends Error {
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StepError';
    this.step = step;
  }
}

/**
 * A step got a record it can never take, however often it is tried: its event time is not a
 * finite number. The record goes to dead letters at once, as `invalid-timestamp`.
 */
export class InvalidEventTimeError extends StepError {
  constructor(step: string, time: unknown) {
    super(step, new TypeError(`an event time must be a finite number of milliseconds, got ${describeTime(time)}`));
    this.name = 'InvalidEventTimeError';
  }
}

function describeTime(time: unknown): string {
  return typeof time === 'string' ? JSON.stringify(time) : String(time);
}

/**
 * Applies the fused steps to one record and returns its outputs (possibly none), in an array the
 * chain reuses: it holds them until the next call, so read it before calling again.
 */
export type FusedSteps = (record: unknown) => unknown[];

/**
 * Fuses `steps` into one chain. Until a `flatMap` multiplies it, a record travels the steps as a
 * single value, so a run of `map`, `filter` and `tap` allocates nothing per record; from a
 * `flatMap` on, the steps take the values one step at a time, all of them through one step before
 * the next, as they always have, so user functions see the same order of calls either way.
 */
export function fuse(steps: readonly StatelessStep[]): FusedSteps {
  const out: unknown[] = [];
  const count = steps.length;
  return (record) => {
    emptyArray(out);
    let value = record;
    for (let i = 0; i < count; i++) {
      const step = steps[i] as StatelessStep;
      if (step.kind === 'flatMap') {
        stepwise(steps, i + 1, spread(step, value), out);
        return out;
      }
      value = pass(step, value);
      if (value === DROPPED) return out;
    }
    out.push(value);
    return out;
  };
}

/** What `pass` returns for a value a filter dropped. */
const DROPPED: unique symbol = Symbol('dropped');

/** One value through a `map`, `filter` or `tap` step: its output, or DROPPED. */
function pass(step: Exclude<StatelessStep, { kind: 'flatMap' }>, value: unknown): unknown {
  try {
    switch (step.kind) {
      case 'map':
        return step.fn(value);
      case 'filter':
        return step.fn(value) ? value : DROPPED;
      case 'tap':
        step.fn(value);
        return value;
    }
  } catch (error) {
    throw new StepError(step.name, error);
  }
}

/** One value through a `flatMap` step: its outputs. */
function spread(step: Extract<StatelessStep, { kind: 'flatMap' }>, value: unknown): unknown[] {
  try {
    return Array.from(step.fn(value));
  } catch (error) {
    throw new StepError(step.name, error);
  }
}

/** Takes `values` through `steps` from `first` on, one step at a time, and appends the results to `out`. */
function stepwise(steps: readonly StatelessStep[], first: number, values: unknown[], out: unknown[]): void {
  let current = values;
  for (let i = first; i < steps.length; i++) {
    const step = steps[i] as StatelessStep;
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'flatMap') {
        for (const produced of spread(step, value)) next.push(produced);
      } else {
        const passed = pass(step, value);
        if (passed !== DROPPED) next.push(passed);
      }
    }
    current = next;
  }
  for (const value of current) out.push(value);
}

/** What `attempt` returns when every try threw; `lastFailure()` then gives the last error. */
export const FAILED: unique symbol = Symbol('failed');

let failure: unknown;

/**
 * The error of the latest `attempt` that returned `FAILED`; read it straight away, once: reading
 * lets go of it. Kept, the module would hold the error, and through its stack's frames the run it
 * was thrown in, past the run's end: a finished run whose last record failed outlived scavenges
 * (and was promoted) until another failure anywhere replaced it.
 */
export function lastFailure(): unknown {
  const error = failure;
  failure = undefined;
  return error;
}

/**
 * The dead letter of `record` after an `attempt` over fused steps returned `FAILED`: the step that
 * threw (or `stage` when the failure names none), and `invalid-timestamp` for an unusable event
 * time. Read straight after the attempt, once, like `lastFailure`.
 */
export function failedStepLetter(record: unknown, stage: string, timestamp?: number): PipelineDeadLetter {
  const error = lastFailure();
  return {
    reason: error instanceof InvalidEventTimeError ? 'invalid-timestamp' : 'operator-failed',
    stage: error instanceof StepError ? error.step : stage,
    record,
    error,
    ...(timestamp === undefined ? {} : { timestamp }),
  };
}

/** Whether a failure is worth another try: not for a record that can never be taken. */
function retryable(error: unknown): boolean {
  return !(error instanceof InvalidEventTimeError);
}

/** Records `error` as the latest failure (for {@link lastFailure}) and returns `FAILED`. */
export function failedWith(error: unknown): typeof FAILED {
  failure = error;
  return FAILED;
}

/**
 * Calls `fn(a, b, c)` up to `retries + 1` times and returns its value, or `FAILED` when every try
 * threw (or one threw for a record no try can mend: an invalid event time). Arguments are passed through, not closed over, and the outcome is not boxed: the common
 * case — the first try succeeds — allocates nothing on the per-record path.
 */
export function attempt<A, B, C, T>(retries: number, fn: (a: A, b: B, c: C) => T, a: A, b: B, c: C): T | typeof FAILED {
  for (let i = 0; ; i++) {
    try {
      return fn(a, b, c);
    } catch (error) {
      if (i >= retries || !retryable(error)) {
        failure = error;
        return FAILED;
      }
    }
  }
}

/** `attempt` for a function of four arguments. */
export function attempt4<A, B, C, D, T>(retries: number, fn: (a: A, b: B, c: C, d: D) => T, a: A, b: B, c: C, d: D): T | typeof FAILED {
  for (let i = 0; ; i++) {
    try {
      return fn(a, b, c, d);
    } catch (error) {
      if (i >= retries || !retryable(error)) {
        failure = error;
        return FAILED;
      }
    }
  }
}
