/**
 * A write-ahead sink: it appends every record to a durable open area at once (so nothing written
 * is lost with the process), seals the area at each checkpoint, and shows a sealed area when its
 * checkpoint completes. On a resume the input after the last checkpoint is read again, so what
 * the open area holds must go. The buggy twin's `recover` forgets to truncate it: after a crash
 * the records written since the last checkpoint are shown twice.
 */
import type { Sink } from '../../../src/index.js';
import { showThrough, type DurableOutput } from '../durable-output.js';
import { defineSinkBug } from '../sink-bug.js';

/** The key of the open area in the store: written, durable, in no checkpoint yet. */
const OPEN = 'open';

function writeAheadSink<TRecord>(store: DurableOutput<TRecord>, buggy: boolean): Sink<TRecord> {
  const open = (): TRecord[] => {
    const area = store.staged.get(OPEN) ?? [];
    store.staged.set(OPEN, area);
    return area;
  };
  return {
    name: 'write-ahead',
    write(records) {
      open().push(...records);
    },
    preCommit(checkpoint) {
      store.staged.set(checkpoint, open());
      store.staged.delete(OPEN);
      return checkpoint;
    },
    commit(token) {
      showThrough(store, token as number);
    },
    recover(token) {
      const last = typeof token === 'number' ? token : 0;
      if (!buggy) store.staged.delete(OPEN);
      // Sealed after the last complete checkpoint: that checkpoint never completed.
      for (const id of [...store.staged.keys()]) if (typeof id === 'number' && id > last) store.staged.delete(id);
      showThrough(store, last);
    },
    close() {
      showThrough(store, Number.POSITIVE_INFINITY);
      store.records.push(...open());
      store.staged.delete(OPEN);
    },
  };
}

/** The planted bug `recover-keeps-uncommitted`, with its correct twin. */
export const recoverKeepsUncommitted = defineSinkBug({
  name: 'recover-keeps-uncommitted',
  defect: 'the write-ahead sink’s recover does not truncate what was written after the last checkpoint, so the replayed input is written twice',
  needs: 'crash',
  sink: writeAheadSink,
});
