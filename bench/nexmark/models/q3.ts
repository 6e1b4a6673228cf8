/**
 * Query 3, local item suggestion: for every auction in category 10 whose seller lives in OR, ID
 * or CA, the seller's name, city and state and the auction's id. A streaming engine joins
 * incrementally (an auction may come before its seller, who may be created up to a few events
 * later), emitting each match once; since each person is created once, the result is the plain
 * join of all persons with all auctions, which is what this model computes. Unlike Beam's, the
 * join keeps its state for ever (no 10-minute expiry): the streams we test are shorter than that.
 */
import type { NexmarkEvent, Person } from '../events.js';
import { checksum, type FieldOrder } from './canonical.js';

/** Query 3's output. */
export interface Q3Row {
  readonly name: string;
  readonly city: string;
  readonly state: string;
  readonly auction: number;
}

/** The states query 3 selects sellers from. */
export const Q3_STATES: ReadonlySet<string> = new Set(['OR', 'ID', 'CA']);
/** The category query 3 selects auctions from. */
export const Q3_CATEGORY = 10;

/** Query 3 over `events`. */
export function q3(events: readonly NexmarkEvent[]): Q3Row[] {
  const sellers = new Map<number, Person>();
  for (const event of events) if (event.kind === 'person' && Q3_STATES.has(event.state)) sellers.set(event.id, event);
  const out: Q3Row[] = [];
  for (const event of events) {
    if (event.kind !== 'auction' || event.category !== Q3_CATEGORY) continue;
    const seller = sellers.get(event.seller);
    if (seller !== undefined) out.push({ name: seller.name, city: seller.city, state: seller.state, auction: event.id });
  }
  return out;
}

/** Canonical order: auction first (it is unique per row), then the rest. */
export const Q3_ORDER: FieldOrder<Q3Row> = ['auction', 'name', 'city', 'state'];

/** An order-independent checksum of query 3's rows. */
export function checksumQ3(rows: readonly Q3Row[]): number {
  return checksum(rows, Q3_ORDER);
}
