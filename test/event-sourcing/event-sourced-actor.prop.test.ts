/**
 * Exactly once, whatever fails: an event-sourced account takes a list of commands while its
 * handler throws, its appends fail (writing nothing, or writing the events and failing anyway: a
 * write in doubt) and its replies throw, at moments fast-check picks. Under `restart` every
 * command ends up persisted exactly once, in order; under `resume` a command whose failure came
 * before its events were written is skipped, one whose events were written counts. Either way the
 * journal holds exactly the model's events, the actor's state is their fold, each reply saw the
 * state the model says, and a fresh actor recovers the same state from snapshot and journal — also
 * when commands ask for snapshots of their own (`ctx.snapshot()`) just before their reply throws.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySnapshotStore, defineEventSourcedActor, type SnapshotStore } from '../../src/index.js';
import { createTestKit } from '../../src/testing/index.js';
import { applyEvent, eventsOf, FlakyJournal, type AccountCommand, type AccountEvent, type AppendFailure } from './helpers.js';

interface Numbered {
  readonly type: 'command';
  readonly id: number;
  readonly op: AccountCommand;
}

type Query = { readonly type: 'query' };

interface Case {
  readonly ops: readonly AccountCommand[];
  /** The failure of the n-th append (1-based), each once. */
  readonly appendFailures: ReadonlyMap<number, AppendFailure>;
  /** Commands whose handler throws, once, before deciding. */
  readonly commandThrows: ReadonlySet<number>;
  /** Commands whose `afterPersist` throws, once. */
  readonly replyThrows: ReadonlySet<number>;
  /** Commands whose `afterPersist` asks for a snapshot (before it may throw). */
  readonly snapshotAsks: ReadonlySet<number>;
  readonly directive: 'restart' | 'resume';
  /** Snapshot every this many events (0: no snapshot store; 100: only those commands ask for), deleting old events or not. */
  readonly snapshotEvery: number;
  readonly deleteEvents: boolean;
}

const opArb: fc.Arbitrary<AccountCommand> = fc.oneof(
  fc.record({ type: fc.constant('deposit' as const), amount: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ type: fc.constant('transfer' as const), amount: fc.integer({ min: 1, max: 9 }), fee: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ type: fc.constant('withdraw' as const), amount: fc.integer({ min: 1, max: 15 }) }),
);

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    ops: fc.array(opArb, { minLength: 1, maxLength: 20 }),
    appendFailures: fc.array(fc.tuple(fc.integer({ min: 1, max: 24 }), fc.constantFrom<AppendFailure>('lost', 'landed')), { maxLength: 4 }),
    commandThrows: fc.array(fc.nat({ max: 19 }), { maxLength: 3 }),
    replyThrows: fc.array(fc.nat({ max: 19 }), { maxLength: 3 }),
    snapshotAsks: fc.array(fc.nat({ max: 19 }), { maxLength: 4 }),
    directive: fc.constantFrom('restart' as const, 'resume' as const),
    snapshotEvery: fc.constantFrom(0, 1, 2, 3, 4, 100),
    deleteEvents: fc.boolean(),
  })
  .map((drawn) => ({
    ...drawn,
    appendFailures: new Map(drawn.appendFailures),
    commandThrows: new Set(drawn.commandThrows),
    replyThrows: new Set(drawn.replyThrows),
    snapshotAsks: new Set(drawn.snapshotAsks),
  }));

/**
 * What the model expects: the journal's events, and the state each command's reply saw (undefined:
 * none). Under `restart` a failed command is tried again until it passes; a retry decides on the
 * state the command first saw, and once its events are in the journal it only replies.
 */
function model(testCase: Case): { events: AccountEvent[]; replies: (number | undefined)[] } {
  const events: AccountEvent[] = [];
  const replies: (number | undefined)[] = [];
  const thrown = new Set<string>();
  const once = (what: string): boolean => !thrown.has(what) && thrown.add(what) !== undefined;
  const retries = testCase.directive === 'restart';
  let balance = 0;
  let appends = 0;
  for (const [id, op] of testCase.ops.entries()) {
    replies.push(undefined);
    let written = false;
    for (;;) {
      if (!written && testCase.commandThrows.has(id) && once(`command ${id}`)) {
        if (retries) continue;
        break;
      }
      if (!written) {
        const decided = eventsOf(balance, op);
        if (decided.length > 0) {
          const failure = testCase.appendFailures.get(++appends);
          if (failure === 'lost') {
            if (retries) continue;
            break;
          }
          for (const event of decided) balance = applyEvent(balance, event);
          events.push(...decided);
          written = true;
          if (failure === 'landed') {
            if (retries) continue;
            break;
          }
        }
      }
      if (testCase.replyThrows.has(id) && once(`reply ${id}`)) {
        if (retries) continue;
        break;
      }
      replies[id] = balance;
      break;
    }
  }
  return { events, replies };
}

function definition(journal: FlakyJournal<AccountEvent>, snapshots: SnapshotStore | undefined, testCase: Case, replies: (number | undefined)[]) {
  const thrown = new Set<string>();
  const once = (what: string): boolean => !thrown.has(what) && thrown.add(what) !== undefined;
  return defineEventSourcedActor<number, Numbered | Query, AccountEvent>({
    persistenceId: 'account',
    journal,
    ...(snapshots === undefined ? {} : { snapshots, snapshotEvery: testCase.snapshotEvery, deleteEvents: testCase.deleteEvents }),
    initialState: () => 0,
    command(balance, command, ctx) {
      if (command.type === 'query') return void ctx.reply(balance);
      const { id, op } = command;
      if (testCase.commandThrows.has(id) && once(`command ${id}`)) throw new Error(`command ${id} throws`);
      return ctx.persist(eventsOf(balance, op), (next) => {
        if (testCase.snapshotAsks.has(id)) ctx.snapshot().catch(() => undefined);
        if (testCase.replyThrows.has(id) && once(`reply ${id}`)) throw new Error(`reply ${id} throws`);
        expect(replies[id], `command ${id} replied twice`).toBeUndefined();
        replies[id] = next;
      });
    },
    apply: applyEvent,
  });
}

/** Runs the case and returns the journal's events, the replies, the final state and the state a fresh actor recovers. */
async function run(testCase: Case) {
  const journal = new FlakyJournal<AccountEvent>();
  for (const [at, failure] of testCase.appendFailures) journal.failures[at - 1] = failure;
  const snapshots = testCase.snapshotEvery === 0 ? undefined : new MemorySnapshotStore();
  const replies: (number | undefined)[] = testCase.ops.map(() => undefined);
  const kit = createTestKit({ supervisor: { maxRestarts: 1000, withinMs: 1 } });
  const ref = kit.system.spawn(definition(journal, snapshots, testCase, replies), {
    supervision: { decide: () => testCase.directive, maxRetries: 100 },
  });
  for (const [id, op] of testCase.ops.entries()) ref.tell({ type: 'command', id, op });
  const final = ref.ask({ type: 'query' });
  await kit.settle();
  const state = await final;
  await kit.shutdown();

  const again = createTestKit();
  const recovered = again.system.spawn(definition(journal, snapshots, testCase, []), {}).ask({ type: 'query' });
  await again.settle();
  const recoveredState = await recovered;
  await again.shutdown();
  return { kept: journal.inner.eventsOf('account'), replies, state, recoveredState };
}

describe('defineEventSourcedActor', () => {
  it('persists every command exactly once, in order, whatever fails and whenever', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (testCase) => {
        const { kept, replies, state, recoveredState } = await run(testCase);
        const expected = model(testCase);
        // What deletion kept is the model's last events, under their own numbers.
        const first = expected.events.length - kept.length + 1;
        expect(kept).toEqual(expected.events.slice(first - 1).map((event, i) => ({ sequence: first + i, event })));
        if (!testCase.deleteEvents || testCase.snapshotEvery === 0) expect(first).toBe(1);
        const fold = expected.events.reduce(applyEvent, 0);
        expect(state).toBe(fold);
        expect(recoveredState).toBe(fold);
        expect(replies).toEqual(expected.replies);
      }),
      { numRuns: 300 },
    );
  });
});
