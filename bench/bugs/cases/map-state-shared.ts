/**
 * Page visits per user, counted in a Map per user. The buggy twin updates the Map in place and
 * returns it: the partition's snapshot holds that very Map, so a partition restarted from its
 * snapshot processes its batch again on counts that already include it, and counts it twice.
 */
import fc from 'fast-check';
import { pipeline } from '../../../src/index.js';
import { definePipelineBug } from '../pipeline-bug.js';
import type { JobIO } from '../plain/run-job.js';

interface Visit {
  readonly user: string;
  readonly page: string;
}

interface PageVisits {
  readonly user: string;
  readonly page: string;
  readonly visits: number;
}

const visits = fc.array(fc.record({ user: fc.constantFrom('ada', 'bob', 'cy'), page: fc.constantFrom('/', '/a', '/b') }), { maxLength: 30 });

function build(buggy: boolean) {
  return ({ source, sink }: JobIO<Visit, PageVisits>, partitions: number) =>
    pipeline(source)
      .keyBy((v) => v.user, { partitions })
      .process<Map<string, number>, PageVisits>({
        initialState: () => new Map(),
        onRecord(counts, visit, ctx) {
          const next = buggy ? counts : new Map(counts);
          const seen = (next.get(visit.page) ?? 0) + 1;
          next.set(visit.page, seen);
          ctx.emit({ user: ctx.key, page: visit.page, visits: seen });
          return next;
        },
      })
      .to(sink);
}

/** After each visit, how many times its user has visited its page. */
function visitCounts(input: readonly Visit[]): PageVisits[] {
  const counts = new Map<string, number>();
  return input.map(({ user, page }) => {
    const visits = (counts.get(`${user} ${page}`) ?? 0) + 1;
    counts.set(`${user} ${page}`, visits);
    return { user, page, visits };
  });
}

/** The planted bug `map-state-shared`, with its correct twin. */
export const mapStateShared = definePipelineBug({
  name: 'map-state-shared',
  defect: 'the per-user Map of page counts is updated in place, so the snapshot a restarted partition rolls back to already holds the batch it processes again',
  needs: 'throw',
  build,
  input: visits,
  model: visitCounts,
  compare: 'per-key-order',
  keyOf: (out) => out.user,
  example: {
    input: [
      { user: 'ada', page: '/' },
      { user: 'bob', page: '/' },
      { user: 'ada', page: '/' },
      { user: 'ada', page: '/a' },
    ],
    partitions: 2,
    expected: [
      { user: 'ada', page: '/', visits: 1 },
      { user: 'bob', page: '/', visits: 1 },
      { user: 'ada', page: '/', visits: 2 },
      { user: 'ada', page: '/a', visits: 1 },
    ],
  },
});
