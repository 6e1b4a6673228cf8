/**
 * A tailing `fromPostgres` in a running pipeline: rows added after it started come through, event
 * time moves on (windows fire, the source counts as idle) while it waits for more, and a server
 * that goes away — its sessions ended, or unreachable for a while — is waited for, the read going
 * on from the row after the last one it handed out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { pipeline, toArray, toCallback, tumbling, type SourceItem, type WindowResult } from '../../src/index.js';
import { fromPostgres, type PostgresOffset } from '../../src/postgres/index.js';
import type { StageMessage } from '../../src/streams/run/messages.js';
import { Router } from '../../src/streams/run/router.js';
import { driveSource } from '../../src/streams/run/source-driver.js';
import { planStepChain } from '../../src/streams/run/step-chain.js';
import { checkPostgres } from '../helpers/services.js';
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { pgFixtures, uniqueApplicationName, type PgFixtures } from './pg-fixtures.js';

const pg = await checkPostgres();
const url = pg.url as string;

interface Click {
  readonly user: string;
  readonly ts: number;
}

/** A promise to resolve from outside. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe.skipIf(pg.skipped !== undefined)('fromPostgres tailing', () => {
  let db: PgFixtures;
  let proxies: TcpProxy[] = [];
  beforeAll(() => {
    db = pgFixtures(url);
  });
  afterEach(async () => {
    await Promise.all(proxies.map((proxy) => proxy.close()));
    proxies = [];
  });
  afterAll(async () => {
    await db.close();
  });

  /** A proxy to the test server, and the connection string through it. */
  async function proxied(): Promise<{ proxy: TcpProxy; through: string }> {
    const { hostname, port, pathname, username } = new URL(url);
    const proxy = await tcpProxy(hostname.replace(/^\[|\]$/g, ''), port === '' ? 5432 : Number(port));
    proxies.push(proxy);
    return { proxy, through: `postgresql://${username}@127.0.0.1:${proxy.port}${pathname}` };
  }

  it('takes rows added after it started, and fires an event-time window while it waits for more', async () => {
    const table = await db.table('clicks', 'id int PRIMARY KEY, "user" text NOT NULL, ts bigint NOT NULL');
    await db.insert(table, ['id', 'user', 'ts'], [[1, 'a', 1]]);
    const applicationName = uniqueApplicationName('window');
    const firstRead = signal();
    const fired = signal<WindowResult<string, number>>();
    const handle = pipeline(
      fromPostgres<Click>({
        connectionString: url,
        applicationName,
        table: table.name,
        orderBy: 'id',
        mode: 'tail',
        pollIntervalMs: 10,
        map: (row) => ({ user: row['user'] as string, ts: Number(row['ts']) }),
      }),
    )
      .tap(() => firstRead.resolve())
      .withTimestamps((click) => click.ts, { idleTimeoutMs: 100 })
      .keyBy((click) => click.user, { partitions: 2 })
      .window(tumbling(10))
      .reduce(
        (n: number) => n + 1,
        () => 0,
      )
      .to(toCallback((result: WindowResult<string, number>) => fired.resolve(result)))
      .run({ lingerMs: 5 });
    await firstRead.promise;
    // Added once the source has read what there was: it finds them at its next poll.
    await db.insert(
      table,
      ['id', 'user', 'ts'],
      [
        [2, 'a', 2],
        [3, 'b', 30],
      ],
    );
    // The watermark after ts 30 completes [0, 10): it fires with no more rows coming.
    expect(await fired.promise).toEqual({ key: 'a', window: { start: 0, end: 10 }, value: 2, late: false });
    expect(handle.status).toBe('running');
    expect(await handle.stop()).toMatchObject({ stopped: true, recordsRead: 3 });
    await db.untilNoSessions(applicationName);
  });

  it('lets the pipeline count it idle while it polls: it hands over no empty batches', async () => {
    const table = await db.table('idle', 'id int PRIMARY KEY, ts bigint NOT NULL');
    await db.insert(
      table,
      ['id', 'ts'],
      [
        [1, 100],
        [2, 200],
      ],
    );
    const watermarks: { watermark: number; idle: boolean }[] = [];
    const idle = signal();
    const router = new Router({
      next: undefined,
      batchSize: 4,
      retries: 0,
      send: async (_index, message: StageMessage<unknown>) => {
        if (message.type !== 'watermark') return;
        watermarks.push({ watermark: message.watermark, idle: message.idle });
        if (message.idle) idle.resolve();
      },
      deadLetter: () => undefined,
      from: 0,
      timed: true,
      carriesWatermarks: true,
    });
    const source = fromPostgres({ connectionString: url, table: table.name, orderBy: 'id', mode: 'tail', pollIntervalMs: 5 });
    let stopping = false;
    const stop = signal();
    const head = planStepChain(
      [{ kind: 'timestamps', name: 'ts', timestampOf: (row) => Number((row as { ts: string }).ts), maxOutOfOrdernessMs: 0, idleTimeoutMs: 50 }],
      false,
    );
    const driving = driveSource({
      source: source as never,
      head,
      router,
      retries: 0,
      batchSize: 4,
      lingerMs: 5,
      clock: systemClock,
      counters: { name: 'source', recordsIn: 0, recordsOut: 0 },
      deadLetter: () => undefined,
      stopping: () => stopping,
      failed: (error) => {
        throw error;
      },
      from: source.start,
      wake: () => stop.promise,
    });
    // Ten polls or so come back empty meanwhile; had each been a batch, the idle timer would start over each time.
    await idle.promise;
    expect(watermarks.at(-1)).toEqual({ watermark: 199, idle: true });
    stopping = true;
    stop.resolve();
    expect(await driving).toMatchObject({ offset: { after: ['2'] }, maxTimestamp: 200 });
  });

  it('carries on from the last row read when its sessions are ended mid-run (as a restarting server ends them)', async () => {
    const table = await db.table('terminated', 'id int PRIMARY KEY');
    await db.pool.query(`INSERT INTO ${table.sql} SELECT i FROM generate_series(1, 600) i`);
    const applicationName = uniqueApplicationName('terminated');
    const terminated: Promise<unknown>[] = [];
    let seen = 0;
    const out = toArray<number>();
    await pipeline(fromPostgres({ connectionString: url, applicationName, table: table.name, orderBy: 'id', batchSize: 50, map: (row) => row['id'] as number }))
      .tap(() => {
        if (++seen % 150 === 0) {
          terminated.push(db.pool.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]));
        }
      })
      .to(out)
      .run({ batchSize: 16 }).done;
    expect((await Promise.all(terminated)).length).toBe(4);
    expect(out.records).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    await db.untilNoSessions(applicationName);
  });

  it('waits for a server that is away, with a growing pause, and reads on from the same row: nothing lost or doubled', async () => {
    const { proxy, through } = await proxied();
    const table = await db.table('away', 'id int PRIMARY KEY');
    await db.pool.query(`INSERT INTO ${table.sql} SELECT i FROM generate_series(1, 600) i`);
    let seen = 0;
    const out = toArray<number>();
    const run = pipeline(fromPostgres({ connectionString: through, table: table.name, orderBy: 'id', batchSize: 50, map: (row) => row['id'] as number }))
      .tap(() => {
        if (++seen === 120) {
          proxy.cut();
          // Back once the source has been turned away three times.
          void proxy.refusals(3).then(() => proxy.restore());
        }
      })
      .to(out)
      .run({ batchSize: 16 }).done;
    await run;
    expect(proxy.refused).toBeGreaterThanOrEqual(3);
    expect(out.records).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
  });

  it('tails across a server that went away, taking the rows added meanwhile', async () => {
    const { proxy, through } = await proxied();
    const table = await db.table('away_tail', 'id int PRIMARY KEY');
    await db.insert(table, ['id'], [[1]]);
    const iterator = fromPostgres({ connectionString: through, table: table.name, orderBy: 'id', mode: 'tail', pollIntervalMs: 10 })
      .readBatches?.()
      [Symbol.asyncIterator]() as AsyncIterator<SourceItem<unknown, PostgresOffset>[]>;
    expect((await iterator.next()).value).toEqual([{ kind: 'record', value: { id: 1 }, next: { after: ['1'] } }]);
    proxy.cut();
    const waiting = iterator.next();
    await db.insert(table, ['id'], [[2], [3]]);
    await proxy.refusals(2);
    proxy.restore();
    expect((await waiting).value).toEqual([
      { kind: 'record', value: { id: 2 }, next: { after: ['2'] } },
      { kind: 'record', value: { id: 3 }, next: { after: ['3'] } },
    ]);
    await iterator.return?.();
  });

  it('stops at once when returned while it waits for a server that is away, leaving no timer behind', async () => {
    const { proxy, through } = await proxied();
    const table = await db.table('away_stop', 'id int PRIMARY KEY');
    await db.insert(table, ['id'], [[1]]);
    const baseline = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const iterator = fromPostgres({ connectionString: through, table: table.name, orderBy: 'id', mode: 'tail', pollIntervalMs: 10 })
      .readBatches?.()
      [Symbol.asyncIterator]() as AsyncIterator<unknown>;
    expect((await iterator.next()).done).toBe(false);
    proxy.cut();
    const waiting = iterator.next();
    await proxy.refusals(2);
    await iterator.return?.();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length).toBeLessThanOrEqual(baseline);
  });

  it('fails with PostgresUnreachableError once the server stays away longer than maxReconnectWaitMs, ending its pool', async () => {
    const { proxy, through } = await proxied();
    const table = await db.table('gone', 'id int PRIMARY KEY');
    await db.insert(
      table,
      ['id'],
      Array.from({ length: 10 }, (_, i) => [i]),
    );
    const applicationName = uniqueApplicationName('gone');
    const iterator = fromPostgres({ connectionString: through, applicationName, table: table.name, orderBy: 'id', batchSize: 5, maxReconnectWaitMs: 300 })
      .readBatches?.()
      [Symbol.asyncIterator]() as AsyncIterator<unknown>;
    expect((await iterator.next()).done).toBe(false);
    proxy.cut();
    await expect(iterator.next()).rejects.toMatchObject({ code: 'POSTGRES_UNREACHABLE', where: expect.stringContaining(`127.0.0.1:${proxy.port}/`) });
    await db.untilNoSessions(applicationName);
  });
});
