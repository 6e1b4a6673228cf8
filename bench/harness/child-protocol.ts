/**
 * What the parent tells a child to do (as JSON in its one argument) and what the child reports
 * back (as one message on the IPC channel). Every failure, whether thrown in the child or seen by
 * the parent (a crash, a timeout), ends up as an `error` report, so the parent has one shape to
 * turn into a FAILURE row.
 */
import type { Observations, Scale } from './bench-case.js';
import type { ProbeFinding } from './probe.js';

/** One unit of work for a child process. */
export type ChildTask =
  | {
      readonly kind: 'case';
      readonly case: string;
      readonly impl: string;
      readonly scale: Scale;
      /** Take turns with the case's other children: ask for each run with a {@link TurnRequest} and start it on a {@link TurnGrant}. */
      readonly turns?: boolean | undefined;
    }
  | { readonly kind: 'probe'; readonly probe: string; readonly scale: Scale }
  /** Loads the bench and does nothing: the peak RSS every child starts from. */
  | { readonly kind: 'idle' };

/** What a child found, with its peak RSS over its whole life (warm-ups included). */
export type ChildReport =
  | {
      readonly kind: 'case';
      /** Operations in one run. */
      readonly operations: number;
      /** Operations per second of each timed run, in order. */
      readonly rates: readonly number[];
      /** The checksum of each timed run, in order. */
      readonly checksums: readonly number[];
      /** Operations per second of the first run in this fresh process (a warm-up, or the first timed run). */
      readonly coldRate: number;
      readonly coldChecksum: number;
      readonly peakRssMb: number;
      /** What the runner observed besides its rates, when it observes anything. */
      readonly observations?: Observations | undefined;
    }
  | { readonly kind: 'probe'; readonly finding: ProbeFinding; readonly peakRssMb: number }
  | { readonly kind: 'idle'; readonly peakRssMb: number }
  | { readonly kind: 'error'; readonly message: string };

/** A child taking turns is ready for its next run (or warm-up), and waits for a {@link TurnGrant}. */
export interface TurnRequest {
  readonly kind: 'turn';
}

/** The parent's go-ahead for a child's next run: no other child of the case runs until this one asks again or reports. */
export interface TurnGrant {
  readonly kind: 'go';
}

/**
 * This process's peak resident set size in MB. `maxRSS` is in KiB.
 *
 * @example
 * ```ts
 * peakRssMb(); // 87.4
 * ```
 */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
