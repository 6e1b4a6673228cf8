/**
 * Auction winners: a first stage, keyed by bidder, passes on a bid only when it raises the
 * bidder's own last bid on that auction; a second, keyed by auction, keeps the highest bid, and of
 * equal bids the earliest placed. The buggy twin takes "earliest placed" to be "arrived first":
 * bids reach the second stage from every partition of the first, interleaved as scheduling has
 * it, so with more than one partition a tie may go to a later bid.
 */
import fc from 'fast-check';
import { pipeline } from '../../../src/index.js';
import { definePipelineBug } from '../pipeline-bug.js';
import type { JobIO } from '../plain/run-job.js';

interface Bid {
  /** When the bid was placed: its position in the feed. */
  readonly seq: number;
  readonly auction: string;
  readonly bidder: string;
  readonly amount: number;
}

interface Winner {
  readonly auction: string;
  readonly bidder: string;
  readonly amount: number;
}

const bids = fc
  .array(fc.record({ auction: fc.constantFrom('a1', 'a2'), bidder: fc.constantFrom('ada', 'bob', 'cy', 'dan'), amount: fc.integer({ min: 1, max: 5 }) }), {
    maxLength: 30,
  })
  .map((list) => list.map((bid, seq) => ({ seq, ...bid })));

/** Whether `bid` takes the lead from `best`. */
function leads(bid: Bid, best: Bid | null, buggy: boolean): boolean {
  if (best === null || bid.amount > best.amount) return true;
  return buggy ? false : bid.amount === best.amount && bid.seq < best.seq;
}

function build(buggy: boolean) {
  return ({ source, sink }: JobIO<Bid, Winner>, partitions: number) =>
    pipeline(source)
      .keyBy((b) => b.bidder, { partitions })
      .process<Readonly<Record<string, number>>, Bid>({
        initialState: () => ({}),
        onRecord(last, bid, ctx) {
          if (bid.amount <= (last[bid.auction] ?? 0)) return last;
          ctx.emit(bid);
          return { ...last, [bid.auction]: bid.amount };
        },
      })
      .keyBy((b) => b.auction, { partitions })
      .reduce(
        (best: Bid | null, bid) => (leads(bid, best, buggy) ? bid : best),
        () => null,
        { emit: 'final' },
      )
      .map(({ key, value }): Winner => ({ auction: key, bidder: value?.bidder ?? '', amount: value?.amount ?? 0 }))
      .to(sink);
}

/** Per auction, the highest of the bids that raised their bidder's own, the earliest of equals. */
function winners(input: readonly Bid[]): Winner[] {
  const last = new Map<string, number>();
  const best = new Map<string, Bid>();
  for (const bid of input) {
    if (bid.amount <= (last.get(`${bid.bidder} ${bid.auction}`) ?? 0)) continue;
    last.set(`${bid.bidder} ${bid.auction}`, bid.amount);
    const lead = best.get(bid.auction);
    if (lead === undefined || bid.amount > lead.amount) best.set(bid.auction, bid);
  }
  return [...best.values()].map(({ auction, bidder, amount }) => ({ auction, bidder, amount }));
}

/** The planted bug `tie-by-arrival`, with its correct twin. */
export const tieByArrival = definePipelineBug({
  name: 'tie-by-arrival',
  defect: 'of equal bids the one that reaches the auction’s partition first wins, which is the earliest placed only when one partition feeds it',
  needs: 'schedule',
  build,
  input: bids,
  model: winners,
  compare: 'multiset',
  example: {
    input: [
      { seq: 0, auction: 'a1', bidder: 'ada', amount: 2 },
      { seq: 1, auction: 'a1', bidder: 'bob', amount: 3 },
      { seq: 2, auction: 'a2', bidder: 'cy', amount: 1 },
      { seq: 3, auction: 'a1', bidder: 'ada', amount: 4 },
      { seq: 4, auction: 'a2', bidder: 'dan', amount: 2 },
    ],
    partitions: 2,
    expected: [
      { auction: 'a1', bidder: 'ada', amount: 4 },
      { auction: 'a2', bidder: 'dan', amount: 2 },
    ],
  },
});
