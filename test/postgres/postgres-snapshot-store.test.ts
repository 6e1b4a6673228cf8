import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, MemorySnapshotStore, PostgresUnreachableError, createSystem, type SnapshotEntry } from '../../src/index.js';
import { PostgresSnapshotStore, type PostgresSnapshotStoreOptions } from '../../src/postgres/index.js';
import { quoteIdentifier } from '../../src/postgres/sql-names.js';
import { nextEvent } from '../actors/helpers.js';
import { checkPostgres } from '../helpers/services.js';
import { unusedPort } from '../helpers/ports.js';
import { describeSnapshotStoreContract, rejectionOf } from '../state/snapshot-store.spec.js';
import { worker, type SnapshotReply } from '../supervision/helpers.js';
import { TestDatabase, flippedByte, thrownBy, uniqueName } from './pg-fixtures.js';

const pg = await checkPostgres();

describe.skipIf(pg.skipped !== undefined)('PostgresSnapshotStore', () => {
  const url = pg.url as string;
  let db: TestDatabase;
  beforeAll(() => {
    db = new TestDatabase(url);
  });
  afterAll(async () => {
    await db.end();
  });

  /** A store on a table of its own; `close()` it when done. */
  function newStore(options: Partial<PostgresSnapshotStoreOptions> = {}): PostgresSnapshotStore {
    return new PostgresSnapshotStore({ connectionString: url, table: db.table('snapshots'), ...options } as PostgresSnapshotStoreOptions);
  }

  /** The sequences the table holds for `key`, newest first, and how many rows each has. */
  async function held(store: PostgresSnapshotStore, key: string): Promise<{ sequence: number; rows: number }[]> {
    const rows = await db.query(
      `SELECT sequence, count(*)::integer AS rows FROM ${store.table} WHERE convert_from(key, 'UTF8') = $1 GROUP BY sequence ORDER BY sequence DESC`,
      [key],
    );
    return rows.map((row) => ({ sequence: Number(row['sequence']), rows: row['rows'] as number }));
  }

  /** About 4.5 MB of msgpack: five rows of 1 MiB. */
  function largeState(tag: string): SnapshotEntry[] {
    return Array.from({ length: 100_000 }, (_, i) => [`${tag}-${i}`, { n: i, text: `value ${i} of ${tag}`.padEnd(30, '.') }] as const);
  }

  describe('the SnapshotStore contract', () => {
    describeSnapshotStoreContract(async (options) => {
      const store = newStore(options);
      return { store, dispose: () => store.close() };
    });
  });

  it('keeps a large state in several rows and reads it back whole', async () => {
    const store = newStore({ chunkSize: 5_000 });
    try {
      const entries = largeState('big');
      await store.save('big', { sequence: 1, meta: { size: entries.length }, entries });
      expect((await held(store, 'big'))[0]?.rows).toBeGreaterThanOrEqual(4);
      const { snapshot, skipped } = await store.load('big');
      expect(skipped).toEqual([]);
      expect(snapshot?.meta).toEqual({ size: entries.length });
      expect(snapshot?.entries).toEqual(entries);
    } finally {
      await store.close();
    }
  });

  it('keeps the state uncompressed, out of line', async () => {
    const store = newStore();
    try {
      await store.save('k', { sequence: 1, meta: null });
      const [row] = await db.query(`SELECT attstorage FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = 'data'`, [store.table]);
      expect(row?.['attstorage']).toBe('e');
    } finally {
      await store.close();
    }
  });

  describe('damage', () => {
    let store: PostgresSnapshotStore;
    const older = largeState('older');
    const newer = largeState('newer');
    beforeAll(() => {
      store = newStore();
    });
    afterAll(async () => {
      await store.close();
    });

    /** Saves snapshots 1 and 2 of a key of its own, each in several rows; returns the key. */
    async function twoSnapshots(): Promise<string> {
      const key = uniqueName('damaged');
      await store.save(key, { sequence: 1, meta: 'older', entries: older });
      await store.save(key, { sequence: 2, meta: 'newer', entries: newer });
      return key;
    }

    /** The row `chunk` of snapshot 2 of `key`, as a condition and its values. */
    const where = (key: string, chunk: number) => [`convert_from(key, 'UTF8') = $1 AND sequence = 2 AND chunk = $2`, [key, chunk]] as const;

    for (const [damage, harm, reason] of [
      ['a flipped byte in a row', `data = ${flippedByte('data', 1000)}`, 'chunk 1: checksum mismatch'],
      ['a wrong row checksum', `sha256 = sha256('x'::bytea)`, 'chunk 1: checksum mismatch'],
      ['a row altered along with its checksum', `data = ${flippedByte('data', 1000)}, sha256 = sha256(${flippedByte('data', 1000)})`, 'checksum mismatch'],
      ['a truncated row, checksum and all', `data = substring(data FROM 1 FOR 100), sha256 = sha256(substring(data FROM 1 FOR 100))`, /^truncated: /],
    ] as const) {
      it(`passes over a snapshot with ${damage} for the one before, and says why`, async () => {
        const key = await twoSnapshots();
        const [condition, values] = where(key, 1);
        await db.query(`UPDATE ${store.table} SET ${harm} WHERE ${condition}`, [...values]);
        const { snapshot, skipped } = await store.load(key);
        expect(snapshot).toEqual({ sequence: 1, meta: 'older', entries: older });
        expect(skipped).toEqual([
          { sequence: 2, reason: typeof reason === 'string' ? reason : expect.stringMatching(reason), location: expect.stringContaining(store.table) },
        ]);
      });
    }

    it('passes over a snapshot with a missing row, or without its first row', async () => {
      const key = await twoSnapshots();
      const rows = (await held(store, key))[0]?.rows as number;
      expect(rows).toBeGreaterThanOrEqual(4);
      const [condition, values] = where(key, 2);
      await db.query(`DELETE FROM ${store.table} WHERE ${condition}`, [...values]);
      expect((await store.load(key)).skipped).toEqual([expect.objectContaining({ sequence: 2, reason: `${rows - 1} rows where chunk 0 declares ${rows}` })]);
      const [first, same] = where(key, 0);
      await db.query(`DELETE FROM ${store.table} WHERE ${first}`, [...same]);
      expect(await store.load(key)).toMatchObject({ snapshot: { sequence: 1 }, skipped: [{ sequence: 2, reason: 'chunk 0 missing' }] });
    });

    it('takes a row moved to another place for a missing one', async () => {
      const key = await twoSnapshots();
      const [condition, values] = where(key, 3);
      await db.query(`UPDATE ${store.table} SET chunk = 70 WHERE ${condition}`, [...values]);
      expect((await store.load(key)).skipped).toEqual([expect.objectContaining({ sequence: 2, reason: 'chunk 3 missing' })]);
    });

    it('finds nothing when every snapshot is damaged, and says so for each', async () => {
      const key = await twoSnapshots();
      await db.query(`UPDATE ${store.table} SET sha256 = sha256('x'::bytea) WHERE convert_from(key, 'UTF8') = $1 AND chunk = 0`, [key]);
      expect(await store.load(key)).toEqual({
        snapshot: undefined,
        skipped: [expect.objectContaining({ sequence: 2, reason: 'chunk 0: checksum mismatch' }), expect.objectContaining({ sequence: 1 })],
      });
    });

    it('lets a save replace a damaged newest snapshot, even with the same sequence, and removes the damaged ones', async () => {
      const key = await twoSnapshots();
      const [condition, values] = where(key, 1);
      await db.query(`UPDATE ${store.table} SET data = ${flippedByte('data', 10)} WHERE ${condition}`, [...values]);
      await store.save(key, { sequence: 2, meta: 'again' });
      expect(await store.load(key)).toEqual({ snapshot: { sequence: 2, meta: 'again', entries: [] }, skipped: [] });
      expect((await held(store, key)).map((s) => s.sequence)).toEqual([2, 1]);
    });

    it('keeps `keep` intact snapshots: a damaged older one does not count', async () => {
      const key = await twoSnapshots();
      const [condition, values] = where(key, 2);
      await db.query(`UPDATE ${store.table} SET sha256 = sha256('x'::bytea) WHERE ${condition}`, [...values]);
      await store.save(key, { sequence: 3, meta: 'third' });
      // 2 was damaged: 1 is kept beside 3, so a damaged 3 would still leave one.
      expect((await held(store, key)).map((s) => s.sequence)).toEqual([3, 1]);
    });
  });

  it('keeps `keep` snapshots of each key', async () => {
    const store = newStore({ keep: 3 });
    try {
      for (let sequence = 1; sequence <= 5; sequence++) await store.save('k', { sequence, meta: sequence });
      expect((await held(store, 'k')).map((s) => s.sequence)).toEqual([5, 4, 3]);
    } finally {
      await store.close();
    }
  });

  it('refuses a sequence not above the newest, whichever store saved it', async () => {
    const table = db.table('shared');
    const [one, other] = [newStore({ table }), newStore({ table })];
    try {
      await one.save('k', { sequence: 5, meta: 'five' });
      const error = await rejectionOf(() => other.save('k', { sequence: 4, meta: 'four' }));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('sequence');
      await other.save('k', { sequence: 6, meta: 'six' });
      expect((await one.load('k')).snapshot?.meta).toBe('six');
    } finally {
      await Promise.all([one.close(), other.close()]);
    }
  });

  it('leaves no row of a save whose entries failed after several rows were written', async () => {
    const store = newStore({ chunkSize: 1_000 });
    try {
      await store.save('k', { sequence: 1, meta: 'kept' });
      const failure = new Error('state is gone');
      function* entries(): Generator<SnapshotEntry> {
        yield* largeState('partial');
        throw failure;
      }
      expect(await rejectionOf(() => store.save('k', { sequence: 2, meta: 'lost', entries: entries() }))).toBe(failure);
      expect(await held(store, 'k')).toEqual([{ sequence: 1, rows: 1 }]);
      expect((await store.load('k')).snapshot?.meta).toBe('kept');
    } finally {
      await store.close();
    }
  });

  it('agrees with the memory store on any run of saves, loads and deletes', async () => {
    const store = newStore();
    try {
      const key = fc.constantFrom('a', 'b');
      const op = fc.oneof(
        fc.record({
          op: fc.constant('save' as const),
          key,
          sequence: fc.nat({ max: 6 }),
          entries: fc.array(fc.tuple(fc.string(), fc.integer()), { maxLength: 5 }),
        }),
        fc.record({ op: fc.constant('delete' as const), key }),
        fc.record({ op: fc.constant('load' as const), key }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
          const model = new MemorySnapshotStore();
          await store.delete('a');
          await store.delete('b');
          for (const step of ops) {
            if (step.op === 'save') {
              const snapshot = { sequence: step.sequence, meta: step, entries: step.entries };
              const outcome = async (save: Promise<void>) =>
                save.then(
                  () => 'saved',
                  (error: unknown) => (error as InvalidOptionError).option,
                );
              expect(await outcome(store.save(step.key, snapshot))).toBe(await outcome(model.save(step.key, snapshot)));
            } else if (step.op === 'delete') {
              await Promise.all([store.delete(step.key), model.delete(step.key)]);
            } else {
              expect(await store.load(step.key)).toEqual(await model.load(step.key));
            }
          }
        }),
        { numRuns: 25 },
      );
    } finally {
      await store.close();
    }
  });

  it('starts an actor in another system, with another store on the same table, from the snapshot its predecessor saved', async () => {
    const table = db.table('actors');
    const [first, second] = [newStore({ table }), newStore({ table })];
    const systems = [createSystem(), createSystem()] as const;
    try {
      const a = systems[0].spawn(worker, { name: 'acct', snapshot: { store: first, everyMessages: 1_000 } });
      for (const by of [1, 2, 3]) a.tell({ type: 'inc', by });
      await (
        await a.ask<SnapshotReply>({ type: 'snapshot' })
      ).taken;

      const restored = nextEvent(systems[1], 'snapshot-restored');
      const b = systems[1].spawn(worker, { name: 'acct', snapshot: { store: second, everyMessages: 1_000 } });
      await expect(restored).resolves.toMatchObject({ path: '/user/acct', sequence: 1, skipped: [] });
      await expect(b.ask({ type: 'get' })).resolves.toBe(6);
    } finally {
      // Shut down first: a shutdown saves a last snapshot.
      await Promise.all(systems.map((system) => system.shutdown()));
      await Promise.all([first.close(), second.close()]);
    }
  });

  describe('tables', () => {
    it('takes a hostile table name as one name, and creates exactly that table', async () => {
      const victim = db.table('victim');
      await db.query(`CREATE TABLE ${quoteIdentifier(victim)} (x integer)`);
      const hostile = db.track(`x"; DROP TABLE ${victim}; --`);
      const store = newStore({ table: hostile });
      try {
        await store.save('k', { sequence: 1, meta: 'safe' });
        expect((await store.load('k')).snapshot?.meta).toBe('safe');
        const tables = await db.query('SELECT relname FROM pg_class WHERE relname = ANY($1) AND relkind = $2', [[victim, hostile], 'r']);
        expect(tables.map((row) => row['relname']).sort()).toEqual([victim, hostile].sort());
      } finally {
        await store.close();
      }
    });

    it('takes a table in a schema', async () => {
      const schema = uniqueName('schema');
      await db.query(`CREATE SCHEMA ${quoteIdentifier(schema)}`);
      const store = newStore({ table: { schema, name: 'Snapshots Here' } });
      try {
        await store.save('k', { sequence: 1, meta: 'in a schema' });
        expect(store.table).toBe(`${quoteIdentifier(schema)}."Snapshots Here"`);
        expect(await db.query(`SELECT count(*)::integer AS n FROM ${store.table}`)).toEqual([{ n: 1 }]);
      } finally {
        await store.close();
        await db.query(`DROP SCHEMA ${quoteIdentifier(schema)} CASCADE`);
      }
    });

    it('creates the table once when many stores start at the same moment', async () => {
      const table = db.table('raced');
      const stores = Array.from({ length: 6 }, () => newStore({ table }));
      try {
        await Promise.all(stores.map((store, i) => store.save(`key ${i}`, { sequence: 1, meta: i })));
        for (const [i, store] of stores.entries()) expect((await store.load(`key ${i}`)).snapshot?.meta).toBe(i);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });
  });

  describe('options and connections', () => {
    it.each([
      ['table', { table: '' }],
      ['table', { table: 'x'.repeat(64) }],
      ['table.schema', { table: { schema: '', name: 'x' } }],
      ['keep', { keep: 0 }],
      ['chunkSize', { chunkSize: 1.5 }],
      ['port', { port: -1 }],
      ['pool', { pool: {} }],
    ])('names `%s` when it is wrong', (option, wrong) => {
      const error = thrownBy(() => new PostgresSnapshotStore({ connectionString: url, ...wrong } as PostgresSnapshotStoreOptions));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
    });

    it('connects on first use and, closed, leaves no connection open', async () => {
      const applicationName = uniqueName('sluice-snapshots');
      const store = newStore({ applicationName });
      expect(await db.connections(applicationName)).toBe(0);
      await store.save('k', { sequence: 1, meta: 1 });
      expect(await db.connections(applicationName)).toBeGreaterThan(0);
      await store.close();
      await store.close();
      expect(await db.connectionsLeft(applicationName)).toBe(0);
      await expect(store.load('k')).rejects.toThrow(/closed/);
    });

    it('uses a pool it is given, and leaves it open', async () => {
      const table = db.table('borrowed');
      const store = new PostgresSnapshotStore({ pool: db.pool, table });
      await store.save('k', { sequence: 1, meta: 'borrowed' });
      await store.close();
      expect(await db.query(`SELECT count(*)::integer AS n FROM ${quoteIdentifier(table)}`)).toEqual([{ n: 1 }]);
    });

    it('fails with the server named, never the password, when nobody answers; and tries again on the next use', async () => {
      const port = await unusedPort();
      const store = new PostgresSnapshotStore({ connectionString: `postgresql://someone:hunter2@127.0.0.1:${port}/db` });
      try {
        for (let attempt = 0; attempt < 2; attempt++) {
          const error = await rejectionOf(() => store.load('k'));
          expect(error).toBeInstanceOf(PostgresUnreachableError);
          expect((error as Error).message).toContain(`someone@127.0.0.1:${port}/db`);
          expect((error as Error).message).not.toContain('hunter2');
        }
      } finally {
        await store.close();
      }
    });
  });
});
