/**
 * Query 8, monitor new users: every person who opened auctions in the same tumbling 10 s window
 * in which they were created, one row per such auction (Beam's output, with the window and the
 * auction id added so that rows are distinct; nexmark-flink emits one row per person and window
 * instead). Complete-input semantics, as for query 5.
 */
import type { Auction, NexmarkEvent, Person } from '../events.js';
import { checksum, type FieldOrder } from './canonical.js';
import { tumblingStart } from './event-windows.js';

/** Query 8's output: a new person and one auction they opened in the window. */
export interface Q8Row {
  readonly windowStart: number;
  readonly windowEnd: number;
  /** The person's id. */
  readonly id: number;
  readonly name: string;
  /** The auction's id. */
  readonly auction: number;
  readonly reserve: number;
}

/** Query 8 over `events`, with windows of `size` ms (default 10 s). */
export function q8(events: readonly NexmarkEvent[], size = 10_000): Q8Row[] {
  // Keyed by window and person: a window start is a multiple of size, so `${start}/${id}` is unique.
  const persons = new Map<string, Person>();
  const auctions: Auction[] = [];
  for (const event of events) {
    if (event.kind === 'person') persons.set(`${tumblingStart(event.dateTime, size)}/${event.id}`, event);
    else if (event.kind === 'auction') auctions.push(event);
  }
  const out: Q8Row[] = [];
  for (const auction of auctions) {
    const windowStart = tumblingStart(auction.dateTime, size);
    const person = persons.get(`${windowStart}/${auction.seller}`);
    if (person === undefined) continue;
    out.push({ windowStart, windowEnd: windowStart + size, id: person.id, name: person.name, auction: auction.id, reserve: auction.reserve });
  }
  return out;
}

/** Canonical order: by window, person, then auction. */
export const Q8_ORDER: FieldOrder<Q8Row> = ['windowStart', 'windowEnd', 'id', 'auction', 'name', 'reserve'];

/** An order-independent checksum of query 8's rows. */
export function checksumQ8(rows: readonly Q8Row[]): number {
  return checksum(rows, Q8_ORDER);
}
