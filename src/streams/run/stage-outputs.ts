/**
 * Where a stage's partitions post what is not their output: dead letters and late records. The
 * job provides it (its side outputs); a partition needs nothing else of the job.
 */
import type { PipelineDeadLetter } from './messages.js';

export interface StageOutputs {
  readonly deadLetter: (letter: PipelineDeadLetter) => void;
  /** A record too late for every window, at event time `timestamp`. */
  readonly late: (record: unknown, timestamp: number) => void;
  /** Resolves when the late output has room again, or undefined when it has room now. */
  readonly lateBacklog: () => Promise<void> | undefined;
}
