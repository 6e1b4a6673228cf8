/**
 * Where the corpus's own exactly-once sinks keep their output: a store that outlives a crashed run,
 * as a database or a folder would. It has the shape of the kit's `OutputStore` — `records` is what
 * readers see, `staged` what a sink made durable but not yet visible, by checkpoint id — so the
 * same sink serves the kit check (over the kit's store) and the plain property (over its own).
 */

/** A sink's durable output. */
export interface DurableOutput<TRecord> {
  /** Visible output, in the order it became visible. */
  readonly records: TRecord[];
  /** Durable, not yet visible output, by whatever the sink keys it with. */
  readonly staged: Map<unknown, TRecord[]>;
}

/** An empty store. */
export function createDurableOutput<TRecord>(): DurableOutput<TRecord> {
  return { records: [], staged: new Map() };
}

/** Makes visible, in checkpoint order, what was staged for checkpoints up to `checkpoint`. */
export function showThrough<TRecord>(store: DurableOutput<TRecord>, checkpoint: number): void {
  const due = [...store.staged.keys()].filter((id): id is number => typeof id === 'number' && id <= checkpoint).sort((a, b) => a - b);
  for (const id of due) {
    store.records.push(...(store.staged.get(id) as TRecord[]));
    store.staged.delete(id);
  }
}
