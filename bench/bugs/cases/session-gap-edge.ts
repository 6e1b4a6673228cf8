/**
 * Click sessions per user, by hand: a user's clicks less than `GAP` ms apart are one session, and
 * a session is emitted once the watermark shows no click can join it any more. The buggy twin
 * splits sessions only where clicks are more than the gap apart, so a click exactly the gap after
 * the last one joins its session — where the rule (docs/event-time.md, as for `session(gapMs)`)
 * is that it starts a new one.
 */
import fc from 'fast-check';
import { pipeline } from '../../../src/index.js';
import { definePipelineBug } from '../pipeline-bug.js';
import type { JobIO } from '../plain/run-job.js';

/** Clicks closer than this are one session, in ms. */
const GAP = 10;
/** How far behind the newest click the feed may deliver one, in ms. */
const BOUND = 5;

interface Click {
  readonly user: string;
  readonly ts: number;
}

interface Session {
  readonly user: string;
  readonly start: number;
  /** The last click's time plus the gap: the session's end, exclusive. */
  readonly end: number;
  readonly clicks: number;
}

const clicks = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob'), ts: fc.integer({ min: 0, max: 80 }) }), { maxLength: 30 });

/** Sorted click times cut into sessions: [first, last] of each. */
function sessionsOf(times: readonly number[], buggy: boolean): { first: number; last: number; clicks: number }[] {
  const sessions: { first: number; last: number; clicks: number }[] = [];
  for (const ts of times) {
    const open = sessions.at(-1);
    const apart = open === undefined || (buggy ? ts - open.last > GAP : ts - open.last >= GAP);
    if (apart) sessions.push({ first: ts, last: ts, clicks: 1 });
    else sessions[sessions.length - 1] = { first: open.first, last: ts, clicks: open.clicks + 1 };
  }
  return sessions;
}

function build(buggy: boolean) {
  return ({ source, sink }: JobIO<Click, Session>, partitions: number) =>
    pipeline(source)
      .withTimestamps((c) => c.ts, { maxOutOfOrdernessMs: BOUND })
      .keyBy((c) => c.user, { partitions })
      .process<readonly number[], Session>({
        initialState: () => [],
        onRecord(times, click, ctx) {
          // The session this click is in can close no earlier than a gap after it.
          ctx.registerEventTimer(click.ts + GAP - 1);
          return [...times, click.ts].sort((a, b) => a - b);
        },
        onTimer(times, _timer, ctx) {
          let left = times;
          for (const s of sessionsOf(times, buggy)) {
            // Complete: any click still to come is after the watermark, so at least a gap after its last.
            if (s.last + GAP - 1 > ctx.watermark) continue;
            ctx.emit({ user: ctx.key, start: s.first, end: s.last + GAP, clicks: s.clicks });
            left = left.filter((ts) => ts < s.first || ts > s.last);
          }
          if (left.length === 0) ctx.clearState();
          return left;
        },
      })
      .to(sink);
}

/** Each user's sessions: their clicks sorted by time, cut wherever two are at least the gap apart. */
function sessions(input: readonly Click[]): Session[] {
  const byUser = new Map<string, number[]>();
  for (const { user, ts } of input) byUser.set(user, [...(byUser.get(user) ?? []), ts]);
  const out: Session[] = [];
  for (const [user, times] of byUser) {
    const sorted = [...times].sort((a, b) => a - b);
    let start = sorted[0] as number;
    let last = start;
    let count = 0;
    for (const ts of sorted) {
      if (ts - last >= GAP) {
        out.push({ user, start, end: last + GAP, clicks: count });
        start = ts;
        count = 0;
      }
      last = ts;
      count++;
    }
    out.push({ user, start, end: last + GAP, clicks: count });
  }
  return out;
}

/** The planted bug `session-gap-edge`, with its correct twin. */
export const sessionGapEdge = definePipelineBug({
  name: 'session-gap-edge',
  defect: 'a click exactly the gap after a session’s last click joins the session (> where >= is meant) instead of starting a new one',
  needs: 'input only',
  build,
  input: clicks,
  model: sessions,
  compare: 'multiset',
  eventTime: { bound: BOUND, timestampOf: (c) => c.ts, withTimestamp: (c, ts) => ({ ...c, ts }) },
  example: {
    input: [
      { user: 'ada', ts: 1 },
      { user: 'ada', ts: 5 },
      { user: 'bob', ts: 6 },
      { user: 'bob', ts: 12 },
      { user: 'ada', ts: 30 },
    ],
    partitions: 2,
    expected: [
      { user: 'ada', start: 1, end: 15, clicks: 2 },
      { user: 'ada', start: 30, end: 40, clicks: 1 },
      { user: 'bob', start: 6, end: 22, clicks: 2 },
    ],
  },
});
