/**
 * Resuming a `fromPostgres` read from an offset: through a checkpointed pipeline that is stopped
 * and run again, and, as a property, from any row of any table whose first orderBy column repeats,
 * whatever the page size — every row exactly once, in order.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryCheckpointStorage, pipeline, toArray, type CheckpointStorage, type PipelineHandle, type Source } from '../../src/index.js';
import { fromPostgres, type PostgresOffset } from '../../src/postgres/index.js';
import { checkPostgres } from '../helpers/services.js';
import { pgFixtures, type PgFixtures } from './pg-fixtures.js';

const pg = await checkPostgres();
const url = pg.url as string;

interface Row {
  readonly id: number;
  readonly at: string;
}

describe.skipIf(pg.skipped !== undefined)('fromPostgres resumed', () => {
  let db: PgFixtures;
  let dir = '';
  beforeAll(async () => {
    db = pgFixtures(url);
    dir = await mkdtemp(join(tmpdir(), 'sluice-pg-source-'));
  });
  afterAll(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs `source` into `out` with checkpoints in `checkpoint`, stopping itself after `stopAfter` records. */
  function run<T>(
    source: Source<T, PostgresOffset>,
    out: T[],
    checkpoint: { dir: string } | { storage: CheckpointStorage },
    stopAfter = Infinity,
  ): PipelineHandle {
    let seen = 0;
    let handle: PipelineHandle | undefined;
    handle = pipeline(source)
      .tap(() => {
        if (++seen === stopAfter) void handle?.stop();
      })
      .to(toArray(out))
      .run({ checkpoint: { ...checkpoint, interval: Infinity }, batchSize: 16 });
    return handle;
  }

  it('reads every row exactly once across a stop and a resume, its offset kept in a checkpoint folder', async () => {
    // Seven rows to each microsecond: a Date (milliseconds) could not tell them apart, the offset can.
    const table = await db.table('stop', 'id int PRIMARY KEY, at timestamptz NOT NULL');
    await db.pool.query(
      `INSERT INTO ${table.sql} SELECT i, '2024-05-01 12:00:00+00'::timestamptz + (i / 7) * interval '1 microsecond' FROM generate_series(1, 1000) i`,
    );
    const source = fromPostgres<Row>({
      connectionString: url,
      table: table.name,
      orderBy: ['at', 'id'],
      batchSize: 64,
      map: (row) => ({ id: row['id'] as number, at: (row['at'] as Date).toISOString() }),
    });
    const checkpoints = { dir: join(dir, 'stop') };
    const before: Row[] = [];
    expect(await run(source, before, checkpoints, 333).done).toMatchObject({ stopped: true, recordsRead: 333, checkpoints: 1 });
    const after: Row[] = [];
    expect(await run(source, after, checkpoints).done).toMatchObject({ stopped: false, resumedFrom: 1, recordsRead: 667 });
    expect([...before, ...after].map((row) => row.id)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it('reads on from a resume as a run that never stopped: a stop after each of several pages', async () => {
    const table = await db.table('stops', 'grp int NOT NULL, id int NOT NULL, PRIMARY KEY (grp, id)');
    const rows = Array.from({ length: 300 }, (_, i) => [i % 4, i]);
    await db.insert(table, ['grp', 'id'], rows);
    const expected = [...rows].sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number)).map(([grp, id]) => ({ grp, id }));
    const source = fromPostgres({ connectionString: url, table: table.name, orderBy: ['grp', 'id'], batchSize: 7 });
    const storage = new MemoryCheckpointStorage();
    const out: unknown[] = [];
    for (const stopAfter of [1, 50, 7, 100]) await run(source, out, { storage }, stopAfter).done;
    const last = await run(source, out, { storage }).done;
    expect(last).toMatchObject({ stopped: false, recordsRead: 300 - 158 });
    expect(out).toEqual(expected);
  });

  it('gives every row once, in order, from any resume points, with repeated first orderBy values, at any page size', async () => {
    const rowsArb = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 40 }).map((groups) => groups.map((grp, id) => ({ grp, id, label: `r${id}` })));
    await fc.assert(
      fc.asyncProperty(
        rowsArb,
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer({ min: 0, max: 12 }), { maxLength: 6 }),
        fc.boolean(),
        async (rows, batchSize, stops, asQuery) => {
          const table = await db.table('prop', 'grp int NOT NULL, id int NOT NULL, label text NOT NULL');
          await db.insert(
            table,
            ['grp', 'id', 'label'],
            rows.map((row) => [row.grp, row.id, row.label]),
          );
          const source = fromPostgres({
            connectionString: url,
            ...(asQuery ? { query: `SELECT label, id, grp FROM ${table.sql} WHERE grp >= $1`, params: [0] } : { table: table.name }),
            orderBy: ['grp', 'id'],
            batchSize,
          });
          const read: unknown[] = [];
          let from = source.start;
          // Each segment reads `stop` rows, then the offset goes through JSON, as a checkpoint keeps it.
          for (const stop of [...stops, Infinity]) {
            let taken = 0;
            for await (const item of source.read(from)) {
              if (taken++ === stop) break;
              read.push(item.kind === 'record' ? item.value : item.raw);
              from = JSON.parse(JSON.stringify(item.next)) as PostgresOffset;
            }
          }
          const expected = [...rows].sort((a, b) => a.grp - b.grp || a.id - b.id);
          expect(read).toEqual(expected.map((row) => (asQuery ? { label: row.label, id: row.id, grp: row.grp } : row)));
          await db.pool.query(`DROP TABLE ${table.sql}`);
        },
      ),
      { numRuns: 40 },
    );
  });
});
