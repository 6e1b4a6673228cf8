/**
 * Clicks per page in tumbling windows of event time, by hand: the first click of a window sets a
 * timer at the window's last millisecond, and the timer emits the count. Each window's timer is
 * set once, so the pipeline remembers which windows have one. The buggy twin remembers it in a
 * Set of the run's, outside the partition's state: a partition restarted from its snapshot rolls
 * the timer back, processes the window's first click again, finds the window in the Set, and
 * never sets the timer again — the window's count is never emitted.
 */
import fc from 'fast-check';
import { pipeline } from '../../../src/index.js';
import { definePipelineBug } from '../pipeline-bug.js';
import type { JobIO } from '../plain/run-job.js';

/** Window size, in ms. */
const WINDOW = 10;
/** How far behind the newest click the feed may deliver one, in ms. */
const BOUND = 5;

interface Click {
  readonly page: string;
  readonly ts: number;
}

interface WindowCount {
  readonly page: string;
  readonly start: number;
  readonly count: number;
}

/** A page's open windows: start → clicks so far. */
type Counts = Readonly<Record<number, number>>;

const clicks = fc.array(fc.record({ page: fc.constantFrom('/', '/a'), ts: fc.integer({ min: 0, max: 60 }) }), { maxLength: 30 });

/** Which windows already have their timer: read from the key's state, or kept in a Set of the run's. */
interface TimerMemo {
  has(counts: Counts, page: string, start: number): boolean;
  add(page: string, start: number): void;
}

// A window has its timer exactly while it is open, that is while it has a count in the state.
const fromState: TimerMemo = { has: (counts, _page, start) => counts[start] !== undefined, add: () => undefined };

function inRunSet(): TimerMemo {
  const armed = new Set<string>();
  return { has: (_counts, page, start) => armed.has(`${page} ${start}`), add: (page, start) => void armed.add(`${page} ${start}`) };
}

function build(buggy: boolean) {
  return ({ source, sink }: JobIO<Click, WindowCount>, partitions: number) => {
    const memo = buggy ? inRunSet() : fromState;
    return pipeline(source)
      .withTimestamps((c) => c.ts, { maxOutOfOrdernessMs: BOUND })
      .keyBy((c) => c.page, { partitions })
      .process<Counts, WindowCount>({
        initialState: () => ({}),
        onRecord(counts, click, ctx) {
          const start = click.ts - (click.ts % WINDOW);
          if (!memo.has(counts, ctx.key, start)) {
            ctx.registerEventTimer(start + WINDOW - 1);
            memo.add(ctx.key, start);
          }
          return { ...counts, [start]: (counts[start] ?? 0) + 1 };
        },
        onTimer(counts, timer, ctx) {
          const start = timer.time - WINDOW + 1;
          ctx.emit({ page: ctx.key, start, count: counts[start] ?? 0 });
          const { [start]: _fired, ...open } = counts;
          if (Object.keys(open).length === 0) ctx.clearState();
          return open;
        },
      })
      .to(sink);
  };
}

/** Clicks per page and window. */
function windowCounts(input: readonly Click[]): WindowCount[] {
  const counts = new Map<string, WindowCount>();
  for (const { page, ts } of input) {
    const start = ts - (ts % WINDOW);
    const entry = counts.get(`${page} ${start}`) ?? { page, start, count: 0 };
    counts.set(`${page} ${start}`, { ...entry, count: entry.count + 1 });
  }
  return [...counts.values()];
}

/** The planted bug `timer-memo-outside-state`, with its correct twin. */
export const timerMemoOutsideState = definePipelineBug({
  name: 'timer-memo-outside-state',
  defect: 'which windows have their timer set is remembered in a Set outside the partition state, so a restart that rolls a timer back never sets it again',
  needs: 'throw',
  build,
  input: clicks,
  model: windowCounts,
  compare: 'multiset',
  eventTime: { bound: BOUND, timestampOf: (c) => c.ts, withTimestamp: (c, ts) => ({ ...c, ts }) },
  example: {
    input: [
      { page: '/', ts: 1 },
      { page: '/a', ts: 3 },
      { page: '/', ts: 8 },
      { page: '/', ts: 12 },
      { page: '/a', ts: 25 },
    ],
    partitions: 2,
    expected: [
      { page: '/', start: 0, count: 2 },
      { page: '/a', start: 0, count: 1 },
      { page: '/', start: 10, count: 1 },
      { page: '/a', start: 20, count: 1 },
    ],
  },
});
