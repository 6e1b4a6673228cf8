/**
 * The records of the cpu-heavy case, shared by its floor and its job module: a web server's access
 * log as JSON lines of about 200 bytes, the user step that turns an event into a visit (a browser
 * family, a device kind and a path template by regular expression, a SHA-256 pseudonym for the
 * device: about 1.6 µs a record in a loop of its own on a 2-core AMD EPYC), and per-user totals.
 * Everything here is deterministic, so every implementation reaches the same checksum.
 */
import { createHash } from 'node:crypto';
import type { KeyedAggregate } from '../../src/index.js';
import type { Scale } from '../harness/bench-case.js';
import { zipfKeySequence } from './key-sequence.js';

/** One line of the access log, parsed. */
export interface AccessEvent {
  readonly ts: number;
  readonly user: string;
  readonly ip: string;
  readonly url: string;
  readonly status: number;
  readonly bytes: number;
  readonly ua: string;
}

/** What the user step keeps of an event: no address, no query string, no user agent. */
export interface Visit {
  readonly user: string;
  /** A pseudonym of the address and browser: the first 16 hex digits of a salted SHA-256. */
  readonly device: string;
  /** The URL's path with its numeric segments replaced by `:id`. */
  readonly path: string;
  readonly bytes: number;
}

/** One user's totals, as the aggregate emits them. */
export interface UserTotals {
  readonly visits: number;
  readonly bytes: number;
  readonly devices: number;
  readonly paths: number;
}

/** A user's accumulator: the sets stay in the partition that owns the user, only their sizes leave it. */
export interface UserAccumulator {
  visits: number;
  bytes: number;
  readonly devices: Set<string>;
  readonly paths: Set<string>;
}

/** Users the events are drawn from, Zipf-like. */
export const USERS = 10_000;

const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Version/17.5 Mobile Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) Chrome/126.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Version/17.5 Safari/605.1.15',
  'curl/8.5.0',
];
const SECTIONS = ['books', 'garden', 'kitchen', 'toys', 'music', 'tools', 'sports', 'office'];
const REFERRERS = ['mail', 'ads', 'home', 'social'];
const WORDS = ['lamp', 'kettle', 'drill', 'chess', 'guitar', 'tent', 'desk', 'novel'];

/** The URL of event `i`: mostly catalogue pages, then searches, baskets and orders. */
function urlOf(i: number): string {
  switch (i % 10) {
    case 6:
    case 7:
      return `/search?q=${WORDS[i % WORDS.length]}&page=${1 + (i % 5)}`;
    case 8:
      return `/basket/${(i * 17) % 90_000}/checkout`;
    case 9:
      return `/account/orders/${(i * 13) % 70_000}`;
    default:
      return `/catalog/${SECTIONS[i % SECTIONS.length]}/item/${(i * 31) % 5_000}?ref=${REFERRERS[i % REFERRERS.length]}`;
  }
}

/**
 * The lines of one run: 1,000,000 (100,000 with `--quick`) JSON lines of about 200 bytes, events
 * of 10,000 users drawn Zipf-like, each user on one of three addresses.
 */
export function accessLogInput(scale: Scale): readonly string[] {
  const users = zipfKeySequence(USERS, scale === 'quick' ? 100_000 : 1_000_000);
  const started = Date.UTC(2026, 0, 1);
  return Array.from(users, (user, i) => {
    const event: AccessEvent = {
      ts: started + i * 7,
      user: `u${user}`,
      ip: `203.0.${user % 256}.${(user >> 8) + 40 * (i % 3) + 1}`,
      url: urlOf(i),
      status: i % 40 === 0 ? 404 : i % 7 === 0 ? 304 : 200,
      bytes: 200 + ((i * 977) % 60_000),
      ua: AGENTS[i % AGENTS.length] as string,
    };
    return JSON.stringify(event);
  });
}

/** Parses one line of the log. */
export function parseAccess(line: string): AccessEvent {
  return JSON.parse(line) as AccessEvent;
}

const BROWSER = /\b(Firefox|Chrome|Version)\/(\d+)/;
const MOBILE = /\b(Mobile|Android|iPhone|iPad)\b/;
const NUMERIC_SEGMENT = /\/\d+(?=\/|$)/g;
/** Salts the pseudonyms, so a digest cannot be matched against the digests of known addresses. */
const SALT = 'sluice-bench-2026';

/** The user step: an event as a visit, its address replaced by a pseudonym of address, browser and device kind. */
export function toVisit(event: AccessEvent): Visit {
  const match = BROWSER.exec(event.ua);
  // Safari says its version as `Version/17.5`; Chrome's user agent also names Safari, after Chrome.
  const browser = match === null ? 'other' : `${match[1] === 'Version' ? 'Safari' : match[1]}/${match[2]}`;
  const kind = MOBILE.test(event.ua) ? 'mobile' : 'desktop';
  const query = event.url.indexOf('?');
  const path = (query === -1 ? event.url : event.url.slice(0, query)).replace(NUMERIC_SEGMENT, '/:id');
  const device = createHash('sha256').update(SALT).update(event.ip).update(`${browser} ${kind}`).digest('hex').slice(0, 16);
  return { user: event.user, device, path, bytes: event.bytes };
}

/** Per user: visits, bytes, and how many distinct devices and path templates. */
export const userTotals: KeyedAggregate<Visit, string, UserAccumulator, UserTotals> = {
  create: () => ({ visits: 0, bytes: 0, devices: new Set(), paths: new Set() }),
  add(accumulator, visit) {
    accumulator.visits++;
    accumulator.bytes += visit.bytes;
    accumulator.devices.add(visit.device);
    accumulator.paths.add(visit.path);
    return accumulator;
  },
  result: ({ visits, bytes, devices, paths }) => ({ visits, bytes, devices: devices.size, paths: paths.size }),
};

/** A checksum of the per-user totals that does not depend on the order they arrive in. */
export function totalsChecksum(totals: Iterable<readonly [string, UserTotals]>): number {
  let sum = 0;
  for (const [user, { visits, bytes, devices, paths }] of totals) {
    const weight = Number(user.slice(1)) + 1;
    sum = (sum + weight * ((visits * 31 + devices * 17 + paths * 7 + bytes) % 1_000_003)) % 2_147_483_647;
  }
  return sum;
}
