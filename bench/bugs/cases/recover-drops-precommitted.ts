/**
 * A two-phase sink: it buffers records in memory, stages them durably at each checkpoint
 * (pre-commit), and shows them when the checkpoint completes (commit). A checkpoint is complete
 * once its manifest is durable, which is before the sink commits it: a process that dies between
 * the two leaves the last complete checkpoint's output staged, and `recover` must show it. The
 * buggy twin's `recover` treats everything staged as uncommitted and drops it: a kill between a
 * checkpoint and its commit loses that checkpoint's output.
 */
import type { Sink } from '../../../src/index.js';
import { showThrough, type DurableOutput } from '../durable-output.js';
import { defineSinkBug } from '../sink-bug.js';

function twoPhaseSink<TRecord>(store: DurableOutput<TRecord>, buggy: boolean): Sink<TRecord> {
  let buffered: TRecord[] = [];
  return {
    name: 'two-phase',
    write(records) {
      buffered.push(...records);
    },
    preCommit(checkpoint) {
      store.staged.set(checkpoint, buffered);
      buffered = [];
      return checkpoint;
    },
    commit(token) {
      showThrough(store, token as number);
    },
    recover(token) {
      buffered = [];
      const last = typeof token === 'number' ? token : 0;
      for (const id of [...store.staged.keys()]) if (buggy || typeof id !== 'number' || id > last) store.staged.delete(id);
      showThrough(store, last);
    },
    close() {
      store.records.push(...buffered);
      buffered = [];
    },
  };
}

/** The planted bug `recover-drops-precommitted`, with its correct twin. */
export const recoverDropsPrecommitted = defineSinkBug({
  name: 'recover-drops-precommitted',
  defect: 'the two-phase sink’s recover drops everything staged, also the last complete checkpoint’s output that a kill before the commit left uncommitted',
  needs: 'crash before commit',
  sink: twoPhaseSink,
});
