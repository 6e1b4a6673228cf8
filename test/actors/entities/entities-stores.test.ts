/**
 * Entities over the stores that outlive a process: an entity passivated when idle is saved to the
 * file store or to PostgreSQL, and a new system (a restarted process) activates it from there.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSystem, FileSnapshotStore, spawnEntities, type SnapshotStore } from '../../../src/index.js';
import { PostgresSnapshotStore } from '../../../src/postgres/index.js';
import { VirtualClock } from '../../../src/testing/index.js';
import { checkPostgres } from '../../helpers/services.js';
import { TestDatabase } from '../../postgres/pg-fixtures.js';
import { add, tally, TOTAL } from './helpers.js';

/** Runs the scenario on `store`: two systems, one after the other, as two runs of a process. */
async function survivesARestart(store: SnapshotStore): Promise<void> {
  const clock = new VirtualClock();
  const first = createSystem({ name: 'first', clock });
  const orders = spawnEntities(first, tally, { name: 'orders', idleMs: 1000, snapshot: { store } });
  orders.tell('order 7', add(4));
  expect(await orders.ask('order 7', TOTAL)).toBe(4);
  await clock.advance(1000);
  expect(orders.metrics()).toMatchObject({ active: 0, passivating: 1 });
  // Sent while the entity saves its state: it goes to the next actor, restored from that state.
  orders.tell('order 7', add(3));
  expect(await orders.ask('order 7', TOTAL)).toBe(7);
  expect(orders.metrics()).toEqual({ active: 1, passivating: 0, passivated: 1, activations: 2 });
  await first.shutdown();

  const second = createSystem({ name: 'second', clock: new VirtualClock() });
  const again = spawnEntities(second, tally, { name: 'orders', idleMs: 1000, snapshot: { store } });
  expect(await again.ask('order 7', TOTAL)).toBe(7);
  expect(second.deadLetters.recent()).toEqual([]);
  await second.shutdown();
}

describe('Entities over a FileSnapshotStore', () => {
  it('saves an idle entity to files and activates it from them, in this system and the next', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-entities-'));
    try {
      await survivesARestart(new FileSnapshotStore({ dir }));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const pg = await checkPostgres();

describe.skipIf(pg.skipped !== undefined)('Entities over a PostgresSnapshotStore', () => {
  let db: TestDatabase;
  beforeAll(() => {
    db = new TestDatabase(pg.url as string);
  });
  afterAll(async () => {
    await db.end();
  });

  it('saves an idle entity to PostgreSQL and activates it from there, in this system and the next', async () => {
    const store = new PostgresSnapshotStore({ connectionString: pg.url as string, table: db.table('entities') });
    try {
      await survivesARestart(store);
    } finally {
      await store.close();
    }
  });
});
