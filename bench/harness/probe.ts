/**
 * A probe: a measurement that is not a throughput (a pause, a latency), printed under the table.
 * Like an implementation it runs in a child process of its own: in a run of every case, when one of
 * the cases it belongs to is selected, or when `--case` names the probe itself (a probe that
 * belongs to no case, like `http-fairness`, runs only in those two ways).
 */
import type { Scale } from './bench-case.js';

/** What a probe found: one line for people, and the numbers behind it. */
export interface ProbeFinding {
  readonly summary: string;
  readonly values: Readonly<Record<string, number>>;
}

/** A named probe, run alongside the cases it belongs to. */
export interface Probe {
  readonly name: string;
  /** The cases whose selection runs this probe; empty for a probe that stands alone. */
  readonly cases: readonly string[];
  run(scale: Scale): Promise<ProbeFinding> | ProbeFinding;
}
