import { MessageChannel, Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { LinkReceiver } from '../../src/threads/link-receiver.js';
import { LinkSender } from '../../src/threads/link-sender.js';

interface Batch {
  readonly type: 'batch';
  readonly from: number;
  readonly entries: readonly { readonly word: string; readonly n: number }[];
}

describe('a link to a worker thread and back', () => {
  it('carries 2,000 batches there and back in order, within the room, and the thread ends on its own once both links close', async () => {
    const out = new MessageChannel();
    const back = new MessageChannel();
    const room = 3;
    // Worker threads run outside the test runner's transform: a small loader starts the TypeScript module.
    const worker = new Worker(new URL('./fixtures/run-typescript.mjs', import.meta.url), {
      argv: [new URL('./fixtures/echo-worker.ts', import.meta.url).href],
      workerData: { inbound: out.port2, outbound: back.port1, room },
      transferList: [out.port2, back.port1],
    });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const batches: Batch[] = Array.from({ length: 2_000 }, (_, b) => ({
      type: 'batch',
      from: b % 4,
      entries: Array.from({ length: 50 }, (_, i) => ({ word: `w${(b * 50 + i) % 997}`, n: b * 50 + i })),
    }));
    const received: Batch[] = [];
    let sent = 0;
    let mostAhead = 0;
    const closed = new Promise<void>((resolve) => {
      new LinkReceiver<Batch>(back.port2, {
        room,
        deliver: (batch) => {
          received.push(batch);
          mostAhead = Math.max(mostAhead, sent - received.length);
        },
        failed: (error) => {
          throw error;
        },
        closed: resolve,
      });
    });
    const sender = new LinkSender<Batch>(out.port1);
    for (const batch of batches) {
      await sender.send(batch);
      sent++;
    }
    sender.close();
    await closed;
    expect(received).toEqual(batches);
    // In flight at once: at most the room of each link and what the worker holds between them.
    expect(mostAhead).toBeLessThanOrEqual(2 * room + 1);
    // Nothing of the links keeps the worker alive once they are closed.
    expect(await exited).toBe(0);
  });
});
