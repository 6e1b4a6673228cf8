/**
 * ingest: what a service's ingest path does with a log of events. 1,000,000 JSON lines of about 200
 * bytes (200,000 with `--quick`), each an event of one of 10,000 users drawn Zipf-like, parsed,
 * keyed by the `user` field and summed per user (time spent). The floor is a plain loop; the peers
 * are Node object-mode streams (a parsing Transform into an aggregating Writable) and RxJS (`map` to
 * parse, `groupBy` partition, `reduce` into a Map per partition); Sluice parses in a `map` and sums
 * in 4 keyed partitions.
 */
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline as streamPipeline } from 'node:stream/promises';
import { from as rxFrom, groupBy, lastValueFrom, map as rxMap, mergeMap, reduce as rxReduce, toArray as rxToArray } from 'rxjs';
import { fromArray, pipeline, toCallback } from '../../src/index.js';
import { defineCase, type Scale } from '../harness/bench-case.js';
import { zipfKeySequence } from './key-sequence.js';
import { hash, PARTITIONS } from './wordcount.js';

/** One event as the log has it. */
export interface PageEvent {
  readonly ts: number;
  readonly user: string;
  readonly event: 'view' | 'click' | 'scroll';
  readonly page: string;
  readonly durationMs: number;
  readonly agent: string;
}

const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15'];
const EVENTS = ['view', 'click', 'scroll'] as const;

/** The lines of one run, each a JSON object of about 200 bytes. */
export function ingestInput(scale: Scale): readonly string[] {
  const users = zipfKeySequence(10_000, scale === 'quick' ? 200_000 : 1_000_000);
  const started = Date.UTC(2026, 0, 1);
  return Array.from(users, (user, i) => {
    const event: PageEvent = {
      ts: started + i * 7,
      user: `user-${user}`,
      event: EVENTS[i % EVENTS.length] as PageEvent['event'],
      page: `/catalog/section-${i % 40}/item-${(i * 31) % 5_000}`,
      durationMs: (i * 13) % 2_000,
      agent: AGENTS[i % AGENTS.length] as string,
    };
    return JSON.stringify(event);
  });
}

/** A checksum of the per-user totals that does not depend on the order they arrive in. */
export function ingestChecksum(totals: Iterable<readonly [string, number]>): number {
  let sum = 0;
  for (const [user, total] of totals) sum = (sum + total * (Number(user.slice(5)) + 1)) % 2_147_483_647;
  return sum;
}

function parse(line: string): PageEvent {
  return JSON.parse(line) as PageEvent;
}

function addEvent(totals: Map<string, number>, event: PageEvent): Map<string, number> {
  totals.set(event.user, (totals.get(event.user) ?? 0) + event.durationMs);
  return totals;
}

/** The ingest case. */
export const ingestCase = defineCase({
  name: 'ingest',
  // Its rows are compared with each other: their children take turns, so the host's slow spells fall on all alike.
  interleaved: true,
  unit: 'lines',
  input: ingestInput,
  operations: (lines) => lines.length,
  implementations: [
    {
      impl: 'plain loop',
      role: 'floor',
      create: (lines) => ({
        run() {
          const totals = new Map<string, number>();
          for (const line of lines) addEvent(totals, parse(line));
          return ingestChecksum(totals);
        },
      }),
    },
    {
      impl: 'node object-mode streams',
      role: 'peer',
      create: (lines) => ({
        async run() {
          const totals = new Map<string, number>();
          await streamPipeline(
            Readable.from(lines),
            new Transform({
              objectMode: true,
              transform(line: string, _encoding, callback) {
                callback(null, parse(line));
              },
            }),
            new Writable({
              objectMode: true,
              write(event: PageEvent, _encoding, callback) {
                addEvent(totals, event);
                callback();
              },
            }),
          );
          return ingestChecksum(totals);
        },
      }),
    },
    {
      impl: `rxjs map + groupBy partition (${PARTITIONS}) + reduce`,
      role: 'peer',
      create: (lines) => ({
        async run() {
          const maps = await lastValueFrom(
            rxFrom(lines).pipe(
              rxMap(parse),
              groupBy((event) => hash(event.user) % PARTITIONS),
              mergeMap((group) => group.pipe(rxReduce(addEvent, new Map<string, number>()))),
              rxToArray(),
            ),
          );
          return ingestChecksum(maps.flatMap((totals) => [...totals]));
        },
      }),
    },
    {
      impl: `sluice pipeline, ${PARTITIONS} partitions`,
      role: 'sluice',
      create: (lines) => ({
        async run() {
          const totals: [string, number][] = [];
          await pipeline(fromArray(lines))
            .map(parse)
            .keyBy((event) => event.user, { partitions: PARTITIONS })
            .reduce(
              (total: number, event) => total + event.durationMs,
              () => 0,
              { emit: 'final' },
            )
            .to(toCallback(({ key, value }) => void totals.push([key, value])))
            .run({ name: 'bench' }).done;
          return ingestChecksum(totals);
        },
      }),
    },
  ],
});
