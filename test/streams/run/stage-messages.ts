/** Stage messages for the run-layer tests. */
import type { StageMessage } from '../../../src/streams/run/messages.js';

/** A batch from sender `from`; `keyed` gives each record itself as its state key, as a stage keyed by the record has it. */
export function batchOf(from: number, entries: readonly unknown[], keyed = false): StageMessage<unknown> {
  return { type: 'batch', from, entries, keys: keyed ? (entries as readonly string[]) : undefined, timestamps: undefined, watermarks: undefined };
}
