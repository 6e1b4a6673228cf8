/**
 * Fuses a run of stateless operators into one function: a record goes in, the records it turns
 * into come out, all inside the calling actor. A step that throws is reported with its name, and
 * nothing the record produced before the throw escapes, so a retry cannot duplicate output.
 */
import type { StatelessStep } from '../internal/logical-plan.js';

/** A step failed on a record. */
export class StepError extends Error {
  readonly step: string;
  constructor(step: string, cause: unknown) {
    super(`${step} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StepError';
    this.step = step;
  }
}

/** Applies the fused steps to one record and returns its outputs (possibly none). */
export type Chain = (record: unknown) => unknown[];

export function fuse(steps: readonly StatelessStep[]): Chain {
  if (steps.length === 0) return (record) => [record];
  return (record) => {
    let current: unknown[] = [record];
    for (const step of steps) {
      const next: unknown[] = [];
      for (const value of current) {
        try {
          switch (step.kind) {
            case 'map':
              next.push(step.fn(value));
              break;
            case 'filter':
              if (step.fn(value)) next.push(value);
              break;
            case 'flatMap':
              for (const out of step.fn(value)) next.push(out);
              break;
            case 'tap':
              step.fn(value);
              next.push(value);
              break;
          }
        } catch (error) {
          throw new StepError(step.name, error);
        }
      }
      current = next;
    }
    return current;
  };
}

/** What `attempt` returns when every try threw; `lastFailure()` then gives the last error. */
export const FAILED: unique symbol = Symbol('failed');

let failure: unknown;

/** The error of the latest `attempt` that returned `FAILED`; read it straight away. */
export function lastFailure(): unknown {
  return failure;
}

/**
 * Calls `fn(a, b, c)` up to `retries + 1` times and returns its value, or `FAILED` when every try
 * threw. Arguments are passed through, not closed over, and the outcome is not boxed: the common
 * case — the first try succeeds — allocates nothing on the per-record path.
 */
export function attempt<A, B, C, T>(retries: number, fn: (a: A, b: B, c: C) => T, a: A, b: B, c: C): T | typeof FAILED {
  for (let i = 0; ; i++) {
    try {
      return fn(a, b, c);
    } catch (error) {
      if (i >= retries) {
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
      if (i >= retries) {
        failure = error;
        return FAILED;
      }
    }
  }
}
