/** Hand-made Nexmark events for model tests: only the fields a test cares about need be given. */
import type { AuctionEvent, BidEvent, PersonEvent } from '../../bench/nexmark/events.js';

export const T0 = 1_704_067_200_000;

export function person(fields: Partial<Omit<PersonEvent, 'kind'>> & Pick<PersonEvent, 'id'>): PersonEvent {
  return {
    kind: 'person',
    name: `person ${fields.id}`,
    emailAddress: 'a@b.com',
    creditCard: '0000 0000 0000 0000',
    city: 'Boise',
    state: 'ID',
    dateTime: T0,
    extra: '',
    ...fields,
  };
}

export function auction(fields: Partial<Omit<AuctionEvent, 'kind'>> & Pick<AuctionEvent, 'id' | 'seller'>): AuctionEvent {
  return {
    kind: 'auction',
    itemName: 'item',
    description: 'thing',
    initialBid: 100,
    reserve: 200,
    dateTime: T0,
    expires: T0 + 1000,
    category: 10,
    extra: '',
    ...fields,
  };
}

export function bid(fields: Partial<Omit<BidEvent, 'kind'>> & Pick<BidEvent, 'auction'>): BidEvent {
  return {
    kind: 'bid',
    bidder: 1000,
    price: 100,
    channel: 'app',
    url: 'https://auctions.example/app/item?query=1',
    dateTime: T0,
    extra: '',
    ...fields,
  };
}
