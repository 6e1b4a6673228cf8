import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActorFailedError, EventJournalConflictError, EventPersistError, InvalidOptionError, createSystem } from '../../src/index.js';
import { PostgresEventJournal, PostgresSnapshotStore, type PostgresEventJournalOptions } from '../../src/postgres/index.js';
import { account, type AccountEvent } from '../event-sourcing/helpers.js';
import { describeEventJournalContract, readAll } from '../event-sourcing/event-journal.spec.js';
import { checkPostgres } from '../helpers/services.js';
import { TestDatabase } from './pg-fixtures.js';

const pg = await checkPostgres();

describe.skipIf(pg.skipped !== undefined)('PostgresEventJournal', () => {
  const url = pg.url as string;
  let db: TestDatabase;
  beforeAll(() => {
    db = new TestDatabase(url);
  });
  afterAll(async () => {
    await db.end();
  });

  function newJournal<TEvent>(options: Partial<PostgresEventJournalOptions<TEvent>> = {}): PostgresEventJournal<TEvent> {
    return new PostgresEventJournal<TEvent>({ connectionString: url, table: db.table('events'), ...options } as PostgresEventJournalOptions<TEvent>);
  }

  describe('the EventJournal contract', () => {
    describeEventJournalContract(
      async () => {
        const journal = newJournal<unknown>({ readBatch: 3 });
        return { journal, dispose: () => journal.close() };
      },
      { secondWriter: 'conflict' },
    );
  });

  describe('constructor', () => {
    it.each([
      ['readBatch', { readBatch: 0 }],
      ['codec.decode', { codec: { encode: () => new Uint8Array() } }],
      ['table', { table: '' }],
    ])('throws InvalidOptionError naming `%s`', (option, overrides) => {
      const create = (): unknown => new PostgresEventJournal({ connectionString: url, ...overrides } as PostgresEventJournalOptions<unknown>);
      expect(create).toThrow(InvalidOptionError);
      expect(create).toThrow(`\`${option}\``);
    });
  });

  it('keeps an event-sourced actor whole across systems, with its snapshots in PostgreSQL too', async () => {
    const table = db.table('events');
    const snapshots = new PostgresSnapshotStore({ connectionString: url, table: db.table('snapshots') });
    for (let round = 1; round <= 3; round++) {
      const journal = new PostgresEventJournal<AccountEvent>({ connectionString: url, table });
      const system = createSystem();
      const ref = system.spawn(account(journal, { snapshots, snapshotEvery: 4, deleteEvents: true }));
      for (let i = 0; i < 5; i++) await ref.ask({ type: 'deposit', amount: round });
      expect(await ref.ask({ type: 'balance' })).toBe(5 * ((round * (round + 1)) / 2));
      await system.shutdown();
      await journal.close();
    }
    const journal = new PostgresEventJournal<AccountEvent>({ connectionString: url, table });
    const log = await journal.open('account');
    expect(log.lastSequence).toBe(15);
    expect(log.firstSequence).toBeGreaterThan(1); // deleted up to the snapshot before the newest
    expect((await readAll(log)).at(-1)).toEqual({ sequence: 15, event: { type: 'deposited', amount: 3 } });
    await journal.close();
    await snapshots.close();
  });

  it('fails the second of two actors writing one persistence id, rather than interleave their events', async () => {
    const table = db.table('events');
    const first = new PostgresEventJournal<AccountEvent>({ connectionString: url, table });
    const second = new PostgresEventJournal<AccountEvent>({ connectionString: url, table });
    const systems = [createSystem(), createSystem()];
    const [a, b] = [systems[0]!.spawn(account(first)), systems[1]!.spawn(account(second), { supervision: { decide: () => 'resume' } })];
    await a.ask({ type: 'balance' });
    await b.ask({ type: 'balance' }); // both recovered: both believe the log is empty
    expect(await a.ask({ type: 'deposit', amount: 1 })).toBe(1);
    const error = await b.ask({ type: 'deposit', amount: 2 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActorFailedError);
    const cause = (error as ActorFailedError).cause;
    expect(cause).toBeInstanceOf(EventPersistError);
    expect((cause as EventPersistError).cause).toBeInstanceOf(EventJournalConflictError);
    // Recovering before its next command, it sees the other writer's event.
    expect(await b.ask({ type: 'balance' })).toBe(1);
    for (const system of systems) await system.shutdown();
    await first.close();
    await second.close();
  });
});
