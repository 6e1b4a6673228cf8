/**
 * One planted bug of the hunt's corpus: a small pipeline with one subtle defect behind a `buggy`
 * flag, and three ways to look for it — an ordinary example-based test (which the buggy twin
 * passes: the defect is subtle), a check with `sluice/testing` written as docs/testing.md tells a
 * user to, and a plain fast-check property over the public API only. The correct twin (`buggy`
 * false) passes all three.
 *
 * Fairness rules the corpus keeps, so that the hunt measures the kit and not the corpus:
 * - The kit check turns on the faults that fit the kind of pipeline ({@link kitFaults}), never the
 *   ones the bug needs.
 * - The plain property is what a competent fast-check user writes knowing nothing of the kit: it
 *   runs the pipeline on `fromArray`/`toArray` (or a sink of its own), compares with a model, and
 *   injects the faults that user would think of for that kind of pipeline (see `plain/`): partition
 *   counts and batch sizes, the documented `chaos` crashes, a stop with a checkpoint resumed with
 *   another partition count, records delivered out of order within the bound, a sink made to fail
 *   at a write or a commit. For restarts it uses `chaos` rather than a user function made to throw
 *   once: the runtime retries a throwing user function in place (docs/pipelines.md), which
 *   replays nothing, while `chaos` restarts the partition from its snapshot and replays its batch,
 *   and docs/pipelines.md offers it for exactly that ("to show supervision at work").
 * - Both draw their input from the same arbitrary, first: on one seed the two see the same inputs
 *   (and the same partition counts), so a bug the input alone exposes is found by both at once.
 *
 * No bug of the corpus needs `poison`. A poison fault makes a partition throw at every record from
 * some point on; the kit passes such a case exactly when the run fails with `PipelineFailedError`.
 * That failure is decided by the runtime alone (a batch that fails its partition 100 times in a row
 * fails the run, whatever the user's code or options: `retries`, `maxRestarts` and the sink play no
 * part in it), and once it happens the kit compares nothing else. So no user-level defect can be
 * exposed by poison and by nothing else: a planted "poison bug" would have to be a bug of the
 * runtime, not of a user's pipeline.
 */
import type fc from 'fast-check';
import type { PipelineCheck } from '../../src/testing/index.js';

/**
 * What exposes a bug: the input alone, or a fault of the kit's (a partition that throws once, a
 * kill and resume from the last checkpoint, a kill between a checkpoint's manifest and the sink's
 * commit, records out of order within the bound, a poisoned partition), an interleaving or
 * partition count (`schedule`), a resume with another partition count (`rescale`), or a run on
 * worker threads (`workers`: records crossing threads, state carried to and from them).
 */
export type Exposure = 'input only' | 'throw' | 'crash' | 'crash before commit' | 'disorder' | 'schedule' | 'rescale' | 'workers' | 'poison';

/**
 * A planted bug: its buggy twin and its correct twin (`buggy` false), each as a kit check, a plain
 * property and an ordinary example.
 */
export interface PlantedBug<TRecord = unknown, TParams = unknown, TPlainCase = unknown> {
  /** A short id, e.g. `dedupe-outside-state`. */
  readonly name: string;
  /** One sentence: what is wrong in the buggy twin. */
  readonly defect: string;
  /** What exposes it. */
  readonly needs: Exposure;
  /** The check a user of `sluice/testing` writes for this pipeline. */
  kit(buggy: boolean): PipelineCheck<TRecord, TParams>;
  /** The property a fast-check user writes for it over the public API, one generated case per run. */
  plain(buggy: boolean): fc.IAsyncProperty<[TPlainCase]>;
  /**
   * An ordinary example-based test: a fixed input, one run, the expected output. Resolves when the
   * output is right; rejects with what differs. Both twins pass it.
   */
  example(buggy: boolean): Promise<void>;
}

/**
 * A planted bug, with its types inferred: `definePlantedBug({ name, defect, needs, kit, plain,
 * example })`.
 */
export function definePlantedBug<TRecord, TParams, TPlainCase>(bug: PlantedBug<TRecord, TParams, TPlainCase>): PlantedBug<TRecord, TParams, TPlainCase> {
  return Object.freeze(bug);
}
