/**
 * A sink takes a pipeline's output in batches, in order. Writing is awaited: a slow sink slows the
 * pipeline down instead of making it buffer without bound. Each batch says which partition of the
 * stage before the sink sent it: that partition's output is in order, whereas batches of different
 * partitions interleave as they arrive.
 */

/**
 * Where a batch comes from: one partition of the stage before the sink (the source, when no stage
 * partitions the stream). The same object for every batch of that partition in a run.
 */
export interface SinkBatchOrigin {
  /** The sending partition's index, from 0. */
  readonly partition: number;
  /** How many partitions that stage has: 1 when the source feeds the sink. */
  readonly partitions: number;
}

/** What a run hands its sink when it opens it. */
export interface SinkContext {
  /**
   * Sends `record` to the pipeline's dead letters (reason `'rejected'`, with `error`) instead of
   * writing it: for a record the sink's destination refused (a database constraint), so it is
   * neither lost silently nor allowed to stop the run.
   */
  deadLetter(record: unknown, error: unknown): void;
  /**
   * Asks the run to stop, as `handle.stop()` does: it stops reading the source, lets what was read
   * drain into the sink (with checkpoints on, takes a last checkpoint instead), and `done` resolves
   * with `stopped: true`. For a sink whose reader went away for good (the loop reading
   * `toAsyncIterable` broke off), so that the run ends instead of writing into nothing. Asking
   * again, or after the run ended, does nothing.
   */
  stop(): void;
}

/**
 * Where a pipeline's records end up.
 *
 * @example
 * ```ts
 * const sink: Sink<string> = { name: 'log', write: (lines) => { for (const line of lines) console.log(line); } };
 * ```
 */
export interface Sink<TRecord> {
  /** A name for metrics and errors. */
  readonly name: string;
  /**
   * The run starts: called once, awaited, before `recover` and the first `write`. A sink that
   * connects to something (a database) does so here, so a bad address fails the run at its start.
   */
  open?(context: SinkContext): Promise<void> | void;
  /**
   * Takes the next records, in order; the pipeline sends no more until this settles. A pipeline
   * always passes `origin`; a sink that numbers its output deterministically (for idempotent
   * writes) counts per origin, since each partition's output after a checkpoint is a function of
   * that checkpoint whereas their interleaving is not.
   */
  write(records: readonly TRecord[], origin?: SinkBatchOrigin): Promise<void> | void;
  /**
   * The input ended: flush and release what the sink holds. Called once, after the last write (with
   * checkpoints on, after the final checkpoint committed; never for a run that was stopped).
   */
  close?(): Promise<void> | void;
  /**
   * The run ended without closing the sink (it failed, or stopped with checkpoints on): let go of
   * what the sink holds (files, connections) without making anything more visible. Called once,
   * after the last write, when `close` was not called or failed; a later run's `recover` goes on
   * from the last completed checkpoint. A failure here fails a stopped run; a failed run keeps its
   * own error.
   * @param error - the error the run failed with (what `done` rejects with); undefined when it stopped.
   */
  release?(error?: unknown): Promise<void> | void;
  /**
   * Checkpoint `checkpoint` reached the sink: make everything written so far durable, but not yet
   * visible, and return a token (JSON) naming it. With `preCommit`, `commit` and `recover` a sink is
   * exactly-once across crashes; without them, what it took after the last checkpoint is written
   * again on a resume (at-least-once).
   */
  preCommit?(checkpoint: number): Promise<unknown> | unknown;
  /** The checkpoint whose `preCommit` returned `token` completed: make that output visible. */
  commit?(token: unknown): Promise<void> | void;
  /**
   * A checkpointed run starts: `token` is the last completed checkpoint's (undefined when there is
   * none). Discard what was written after it, and commit what it pre-committed if that never
   * happened; `completed` says the job had finished, so finish what `close` would have.
   */
  recover?(token: unknown, completed: boolean): Promise<void> | void;
}
