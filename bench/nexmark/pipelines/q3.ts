/**
 * Query 3 as a Sluice pipeline: an incremental join of persons and auctions on the seller, as one
 * keyed aggregation. Each seller id's accumulator holds what the join needs of that seller: the
 * auctions waiting for the person to appear, or the person once seen, and the rows the last event
 * produced, which `emit: 'every'` sends on after each event. Accumulators are immutable (keyed
 * state snapshots share them), so every step builds a new one.
 */
import { pipeline, type Keyed, type KeyedAggregate, type Pipeline, type Sink, type Source } from '../../../src/index.js';
import type { AuctionEvent, NexmarkEvent, PersonEvent } from '../events.js';
import { Q3_CATEGORY, Q3_STATES, type Q3Row } from '../models/q3.js';

/** What the join knows of one seller id. */
export type Q3Join =
  /** The person has not appeared yet: the ids of their category-10 auctions so far. */
  | { readonly status: 'waiting'; readonly auctions: readonly number[]; readonly fresh: readonly Q3Row[] }
  /** The person lives in OR, ID or CA: every auction of theirs is a match. */
  | { readonly status: 'local'; readonly seller: PersonEvent; readonly fresh: readonly Q3Row[] }
  /** The person lives elsewhere: nothing of theirs will ever match, so nothing is kept. */
  | { readonly status: 'elsewhere'; readonly fresh: readonly Q3Row[] };

type JoinInput = PersonEvent | AuctionEvent;

const NOTHING: readonly never[] = Object.freeze([]);
const WAITING: Q3Join = Object.freeze({ status: 'waiting', auctions: NOTHING, fresh: NOTHING });
const ELSEWHERE: Q3Join = Object.freeze({ status: 'elsewhere', fresh: NOTHING });

function row(seller: PersonEvent, auction: number): Q3Row {
  return { name: seller.name, city: seller.city, state: seller.state, auction };
}

/** The join as an aggregation over one seller id's persons and auctions. */
export const q3Join: KeyedAggregate<JoinInput, number, Q3Join, readonly Q3Row[]> = {
  create: () => WAITING,
  add(join, event) {
    if (event.kind === 'person') {
      // Person ids are unique: a second person for the id would be a generator bug, and is ignored.
      if (join.status !== 'waiting') return join.fresh.length === 0 ? join : { ...join, fresh: NOTHING };
      if (!Q3_STATES.has(event.state)) return ELSEWHERE;
      return { status: 'local', seller: event, fresh: join.auctions.map((auction) => row(event, auction)) };
    }
    switch (join.status) {
      case 'waiting':
        return { status: 'waiting', auctions: [...join.auctions, event.id], fresh: NOTHING };
      case 'local':
        return { status: 'local', seller: join.seller, fresh: [row(join.seller, event.id)] };
      case 'elsewhere':
        return ELSEWHERE;
    }
  },
  result: (join) => join.fresh,
};

/** Only what the join can use: every person (to learn where they live) and category-10 auctions. */
function joinInput(event: NexmarkEvent): event is JoinInput {
  return event.kind === 'person' || (event.kind === 'auction' && event.category === Q3_CATEGORY);
}

/**
 * Query 3: name, city and state of sellers in OR, ID or CA, with each of their category-10 auctions.
 * @example
 * ```ts
 * const out = toArray<Q3Row>();
 * await q3Pipeline(nexmarkSource({ events: 20_000 }), out, 4).run().done;
 * ```
 */
export function q3Pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<Q3Row>, partitions = 4): Pipeline {
  return pipeline(source)
    .filter(joinInput, 'persons-and-category-10')
    .keyBy((event) => (event.kind === 'person' ? event.id : event.seller), { partitions })
    .aggregate(q3Join, { emit: 'every', name: 'join-by-seller' })
    .flatMap((matches: Keyed<number, readonly Q3Row[]>) => matches.value, 'matches')
    .to(sink);
}
