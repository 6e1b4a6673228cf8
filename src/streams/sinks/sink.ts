/**
 * A sink takes a pipeline's output in batches, in order. Writing is awaited: a slow sink slows the
 * pipeline down instead of making it buffer without bound.
 */

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
  /** Takes the next records, in order; the pipeline sends no more until this settles. */
  write(records: readonly TRecord[]): Promise<void> | void;
  /** The input ended: flush and release what the sink holds. Called once, after the last write. */
  close?(): Promise<void> | void;
}
