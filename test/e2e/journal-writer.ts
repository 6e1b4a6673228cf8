/**
 * The child of the journal crash test: opens the journal in argv[2] (taking over the lock of a
 * killed predecessor), then appends numbered batches from several concurrent loops forever,
 * printing `ack <batch> <offset>` once each append resolves — that is, once it is durable. The
 * batch numbers start at argv[3]; batch b holds (b % 5) + 1 records `{ batch: b, i }`.
 */
import { openJournal } from '../../src/index.js';

const [dir, firstBatch = '0'] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: journal-writer.ts DIR [FIRST_BATCH]');

const journal = await openJournal<{ batch: number; i: number }>({ dir, segmentBytes: 16 * 1024, groupCommitMs: 1 });
process.stdout.write(`open ${journal.end}\n`);
let next = Number(firstBatch);
const loop = async (): Promise<never> => {
  for (;;) {
    const batch = next++;
    const records = Array.from({ length: (batch % 5) + 1 }, (_, i) => ({ batch, i }));
    const offset = await journal.append(records);
    // stdout is a pipe: writes to it are synchronous on Linux, so a printed ack was acknowledged.
    process.stdout.write(`ack ${batch} ${offset}\n`);
  }
};
await Promise.all(Array.from({ length: 8 }, loop));
