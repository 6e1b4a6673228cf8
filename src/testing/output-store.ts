/**
 * The output of a pipeline under test, kept the way a durable store would keep it across a crash:
 * `records` is what readers see, `staged` what a sink made durable but not yet visible. A killed
 * run loses only what its sink held in memory; the next run finds the store as the last one left it.
 */
import type { Sink } from '../streams/sinks/sink.js';

/** A test's durable output. */
export interface OutputStore<TRecord> {
  /** The visible output, in the order it was made visible. */
  readonly records: TRecord[];
  /** Output made durable but not yet visible, by whatever a sink keys it with (a checkpoint id). */
  readonly staged: Map<unknown, TRecord[]>;
}

/** An empty store. */
export function createOutputStore<TRecord>(): OutputStore<TRecord> {
  return { records: [], staged: new Map() };
}

/**
 * A sink that is exactly-once over `store`: it buffers what it takes, stages it at each checkpoint
 * (pre-commit), makes it visible when the checkpoint completes (commit), and on a resumed run
 * drops what came after the last completed checkpoint and makes visible what that one staged if
 * the crash came before it could. Without checkpoints, everything becomes visible at the end.
 *
 * @example
 * ```ts
 * const store = createOutputStore<number>();
 * await pipeline(fromArray([1, 2])).to(exactlyOnceSink(store)).run().done;
 * store.records; // [1, 2]
 * ```
 */
export function exactlyOnceSink<TRecord>(store: OutputStore<TRecord>): Sink<TRecord> {
  let buffered: TRecord[] = [];
  const commitThrough = (checkpoint: number): void => {
    const due = [...store.staged.keys()].filter((id): id is number => typeof id === 'number' && id <= checkpoint).sort((a, b) => a - b);
    for (const id of due) {
      store.records.push(...(store.staged.get(id) as TRecord[]));
      store.staged.delete(id);
    }
  };
  return {
    name: 'exactly-once',
    write(records) {
      for (const record of records) buffered.push(record);
    },
    preCommit(checkpoint) {
      store.staged.set(checkpoint, buffered);
      buffered = [];
      return checkpoint;
    },
    commit(token) {
      commitThrough(token as number);
    },
    recover(token) {
      buffered = [];
      const last = typeof token === 'number' ? token : 0;
      // Staged after the last complete checkpoint: that checkpoint never completed, its input comes again.
      for (const id of [...store.staged.keys()]) if (typeof id !== 'number' || id > last) store.staged.delete(id);
      commitThrough(last);
    },
    close() {
      store.records.push(...buffered);
      buffered = [];
    },
  };
}
