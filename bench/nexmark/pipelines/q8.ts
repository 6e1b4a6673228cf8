/**
 * Query 8 (monitor new users) as a Sluice pipeline: a windowed join of persons with the auctions
 * they open, keyed by person id (a person's `id`, an auction's `seller`), in a process function.
 * Per key and tumbling window it buffers what it has seen (the person, if created in the window,
 * and the ids and reserves of the auctions opened in it), since either may come first.
 *
 * When is a window's join complete? The process function registers an event-time timer at the
 * window's last millisecond when the key's first event of that window arrives. The timer fires
 * once the watermark reaches it, and the watermark says no event at or before it will come: every
 * person and auction of that key and window is in the buffer. It emits one row per auction if the
 * person is there, and drops the window's buffer either way.
 */
import { assignWindows, pipeline, tumbling, type Pipeline, type ProcessFunction, type Sink, type Source } from '../../../src/index.js';
import type { AuctionEvent, NexmarkEvent, PersonEvent } from '../events.js';
import type { Q8Row } from '../models/q8.js';
import { byEventTime, resolveWindowed, type WindowedQueryOptions } from './event-time.js';

/** Options of {@link q8Pipeline}. */
export interface Q8PipelineOptions extends WindowedQueryOptions {
  /** Window size (ms). @defaultValue 10_000 */
  size?: number | undefined;
}

/** What one person id's join holds of one window: only the fields the rows need. */
export interface WindowBuffer {
  readonly start: number;
  /** The person's name, once the person was created in this window. */
  readonly name: string | undefined;
  /** Auctions the person opened in this window, in arrival order. */
  readonly auctions: readonly { readonly id: number; readonly reserve: number }[];
}

/** One person id's open windows, oldest first (an id rarely has more than one). */
export type NewUserJoin = readonly WindowBuffer[];

/** What the join takes: persons and auctions. */
export type JoinInput = PersonEvent | AuctionEvent;

const NO_WINDOWS: NewUserJoin = Object.freeze([]);

/** `join` with `event` added to the buffer of the window starting at `start`; `join` is never changed. */
export function withEvent(join: NewUserJoin, start: number, event: JoinInput): NewUserJoin {
  const at = join.findIndex((buffer) => buffer.start === start);
  const buffer: WindowBuffer = at < 0 ? { start, name: undefined, auctions: [] } : (join[at] as WindowBuffer);
  // Person ids are unique, so a window sees its person at most once.
  const next: WindowBuffer =
    event.kind === 'person' ? { ...buffer, name: event.name } : { ...buffer, auctions: [...buffer.auctions, { id: event.id, reserve: event.reserve }] };
  if (at < 0) return [...join, next].sort((a, b) => a.start - b.start);
  return join.map((old, i) => (i === at ? next : old));
}

/**
 * The join, keyed by person id: buffers each window's person and auctions, and emits the window's
 * rows when the watermark passes its end. A key's state goes once its last open window has fired.
 */
export function newUserJoin(size: number): ProcessFunction<JoinInput, number, NewUserJoin, Q8Row> {
  const windows = tumbling(size);
  return {
    initialState: () => NO_WINDOWS,
    onRecord(join, event, ctx) {
      const { start, end } = assignWindows(windows, event.dateTime)[0] as { start: number; end: number };
      if (!join.some((buffer) => buffer.start === start)) ctx.registerEventTimer(end - 1);
      return withEvent(join, start, event);
    },
    onTimer(join, timer, ctx) {
      const start = timer.time + 1 - size;
      const buffer = join.find((candidate) => candidate.start === start);
      if (buffer?.name !== undefined) {
        for (const auction of buffer.auctions) {
          ctx.emit({ windowStart: start, windowEnd: start + size, id: ctx.key, name: buffer.name, auction: auction.id, reserve: auction.reserve });
        }
      }
      const rest = join.filter((candidate) => candidate.start !== start);
      if (rest.length === 0) ctx.clearState();
      return rest;
    },
  };
}

function isJoinInput(event: NexmarkEvent): event is JoinInput {
  return event.kind !== 'bid';
}

/**
 * Query 8: persons with each auction they opened in the window they were created in.
 * @example
 * ```ts
 * const out = toArray<Q8Row>();
 * await q8Pipeline(nexmarkSource({ events: 50_000 }), out).run().done;
 * ```
 */
export function q8Pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<Q8Row>, options: Q8PipelineOptions = {}): Pipeline {
  const resolved = resolveWindowed(options);
  return byEventTime(pipeline(source).filter(isJoinInput, 'persons-and-auctions'), resolved)
    .keyBy((event) => (event.kind === 'person' ? event.id : event.seller), { partitions: resolved.partitions })
    .process(newUserJoin(options.size ?? 10_000), { name: 'join-by-person' })
    .to(sink);
}
