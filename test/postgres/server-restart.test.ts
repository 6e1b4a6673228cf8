/**
 * The PostgreSQL server restarted under a running pipeline: its sessions are cut (an immediate
 * stop, as a crash or a failover would), it refuses connections for a moment, then comes back.
 * The sink reconnects and carries on, and the table holds every record exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromGenerator, MemoryCheckpointStorage, pipeline, type Sink } from '../../src/index.js';
import { connectPostgres, fromPostgres, toPostgres, type PostgresPool } from '../../src/postgres/index.js';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';

const unavailable = privatePostgresUnavailable();

describe.skipIf(unavailable !== undefined)('a PostgreSQL restart mid-run', () => {
  let server: PrivatePostgres;
  let pool: PostgresPool;
  beforeAll(async () => {
    server = await startPrivatePostgres();
    ({ pool } = await connectPostgres({ connectionString: server.url }));
    // The pool above is the test's: a restart cuts it too, and it reconnects on its next query.
  }, 30_000);
  afterAll(async () => {
    await pool?.end();
    await server?.remove();
  });

  /** `sink`, with the server restarted (not awaited) as its `nth` write begins and as its `mth` commit begins. */
  function restartingAt<T>(sink: Sink<T>, nth: number, mth: number, restarts: Promise<void>[]): Sink<T> {
    let writes = 0;
    let commits = 0;
    return {
      name: sink.name,
      open: (context) => sink.open?.(context),
      recover: (token, completed) => sink.recover?.(token, completed),
      write(records, origin) {
        if (++writes === nth) restarts.push(server.restart());
        return sink.write(records, origin);
      },
      preCommit: (checkpoint) => sink.preCommit?.(checkpoint),
      commit(token) {
        if (++commits === mth) restarts.push(server.restart());
        return sink.commit?.(token);
      },
      close: () => sink.close?.(),
      release: () => sink.release?.(),
    };
  }

  it.each([
    // label, checkpointed, records, batch size, checkpoint interval (ms), the write and the commit the restarts come at, table
    ['with checkpoints (exactly-once)', true, 4_000, 40, 5, 5, 3, 'eo'],
    // 10,000 rows make a staged chunk, sent as the 10th write ends: the restart comes with the 11th, as the chunk is on its way.
    ['with checkpoints, chunks staged on the way (exactly-once)', true, 30_000, 1_000, 60_000, 11, 1, 'eo_chunks'],
    ['without checkpoints (at-least-once, idempotent upsert)', false, 4_000, 40, 5, 5, 3, 'alo'],
  ] as const)(
    'the sink reconnects and writes every record once, %s',
    async (_label, checkpointed, total, batchSize, interval, nth, mth, name) => {
      const table = `restart_${name}`;
      await pool.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, v text)`).catch(async () => {
        await pool.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, v text)`);
      });
      const restarts: Promise<void>[] = [];
      const sink = toPostgres<number>({
        connectionString: server.url,
        table,
        columns: ['id', 'v'],
        key: 'id',
        mode: checkpointed ? 'insert' : 'upsert',
        row: (id) => [id, `v${id}`],
      });
      const result = await pipeline(
        fromGenerator(function* (from) {
          for (let id = from; id < total; id++) yield id;
        }),
      )
        .to(restartingAt(sink, nth, mth, restarts))
        .run({ batchSize, ...(checkpointed ? { checkpoint: { storage: new MemoryCheckpointStorage(), interval } } : {}) }).done;
      await Promise.all(restarts);
      expect(restarts.length).toBeGreaterThanOrEqual(checkpointed ? 2 : 1);
      expect(result.recordsRead).toBe(total);
      const { rows } = await pool.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, min(id) AS lo, max(id) AS hi FROM ${table}`);
      expect(rows[0]).toEqual({ n: total, d: total, lo: 0, hi: total - 1 });
    },
    60_000,
  );

  it('a pipeline from one table to another reads on and writes every row once through a restart, with checkpoints', async () => {
    await pool.query('CREATE TABLE restart_from (id integer PRIMARY KEY, v text NOT NULL)');
    await pool.query('CREATE TABLE restart_to (id integer PRIMARY KEY, v text NOT NULL)');
    const total = 5_000;
    await pool.query(`INSERT INTO restart_from SELECT g, 'v' || g FROM generate_series(0, ${total - 1}) AS g`);
    const restarts: Promise<void>[] = [];
    const source = fromPostgres<{ id: number; v: string }>({ connectionString: server.url, table: 'restart_from', orderBy: 'id', batchSize: 100 });
    const sink = toPostgres<{ id: number; v: string }>({ connectionString: server.url, table: 'restart_to', columns: ['id', 'v'], mode: 'insert' });
    const result = await pipeline(source)
      .to(restartingAt(sink, 10, 4, restarts))
      .run({ batchSize: 100, checkpoint: { storage: new MemoryCheckpointStorage(), interval: 5 } }).done;
    await Promise.all(restarts);
    expect(result.recordsRead).toBe(total);
    const { rows } = await pool.query(
      'SELECT count(*)::int AS n, count(*) FILTER (WHERE t.v = f.v)::int AS same FROM restart_to AS t JOIN restart_from AS f USING (id)',
    );
    expect(rows[0]).toEqual({ n: total, same: total });
    const { rows: all } = await pool.query('SELECT count(*)::int AS n FROM restart_to');
    expect(all[0]).toEqual({ n: total });
  }, 60_000);
});
