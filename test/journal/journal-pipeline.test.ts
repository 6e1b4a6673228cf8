/** The journal as a pipeline's source: read to its end, or tailed while appends arrive. */
import { afterEach, describe, expect, it } from 'vitest';
import { openJournal, pipeline, toArray, toCallback, type Keyed } from '../../src/index.js';
import { tempFolders } from './helpers.js';

const folders = tempFolders();
afterEach(() => folders.cleanup());

interface Order {
  customer: string;
  amount: number;
}

describe('Journal.source in a pipeline', () => {
  it('feeds a keyed pipeline everything appended, with follow: false', async () => {
    const journal = await openJournal<Order>({ dir: await folders.make(), segmentBytes: 256, groupCommitMs: 0 });
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append([{ customer: `c${i % 3}`, amount: i }])));
    const totals = toArray<Keyed<string, number>>();
    await pipeline(journal.source({ follow: false }))
      .keyBy((order) => order.customer, { partitions: 2 })
      .reduce(
        (total: number, order) => total + order.amount,
        () => 0,
        { emit: 'final' },
      )
      .to(totals)
      .run().done;
    const byCustomer = Object.fromEntries(totals.records.map(({ key, value }) => [key, value]));
    expect(byCustomer).toEqual({ c0: 408, c1: 425, c2: 392 });
    await journal.close();
  });

  it('tails appends made while it runs, and stops when the shared signal aborts', async () => {
    const journal = await openJournal<Order>({ dir: await folders.make(), groupCommitMs: 0 });
    const stop = new AbortController();
    const seen: Order[] = [];
    let reached: () => void = () => undefined;
    const allSeen = new Promise<void>((resolve) => (reached = resolve));
    const handle = pipeline(journal.source({ signal: stop.signal }))
      .to(
        toCallback((order: Order) => {
          seen.push(order);
          if (seen.length === 20) reached();
        }),
      )
      .run({ signal: stop.signal, lingerMs: 0 });
    for (let i = 0; i < 20; i++) await journal.append([{ customer: 'c', amount: i }]);
    await allSeen;
    stop.abort();
    const result = await handle.done;
    expect(result.stopped).toBe(true);
    expect(seen.map((order) => order.amount)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await journal.close();
  });
});
