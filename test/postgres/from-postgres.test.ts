import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidOptionError, pipeline, toArray, type SourceItem } from '../../src/index.js';
import { fromPostgres, type PostgresOffset } from '../../src/postgres/index.js';
import { keysetStatements } from '../../src/postgres/internal/keyset-statements.js';
import { quoteTable } from '../../src/postgres/sql-names.js';
import { checkPostgres } from '../helpers/services.js';
import { pgFixtures, uniqueApplicationName, type PgFixtures } from './pg-fixtures.js';

const pg = await checkPostgres();
const url = pg.url as string;

/** Every item of a read, as `[offset values, record or raw text]`. */
async function readAll<T>(items: AsyncIterable<SourceItem<T, PostgresOffset>>): Promise<[readonly string[], unknown][]> {
  const read: [readonly string[], unknown][] = [];
  for await (const item of items) read.push([item.next.after, item.kind === 'record' ? item.value : item.raw]);
  return read;
}

/** `values` as an object by `columns`, each an own property (`__proto__` included). */
function rowOf(columns: readonly string[], values: readonly unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  columns.forEach((column, i) => Object.defineProperty(row, column, { value: values[i], enumerable: true, writable: true, configurable: true }));
  return row;
}

const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('fromPostgres options', () => {
  it.each([
    [{ orderBy: 'id' }, 'table'],
    [{ table: 't', query: 'SELECT 1', orderBy: 'id' }, 'query'],
    [{ table: '', orderBy: 'id' }, 'table'],
    [{ table: { schema: 's' }, orderBy: 'id' }, 'table.name'],
    [{ table: 'x'.repeat(64), orderBy: 'id' }, 'table'],
    [{ table: 't', columns: [], orderBy: 'id' }, 'columns'],
    [{ table: 't', columns: ['a', 5], orderBy: 'id' }, 'columns[1]'],
    [{ table: 't', params: [1], orderBy: 'id' }, 'params'],
    [{ query: 'SELECT 1 AS id', columns: ['id'], orderBy: 'id' }, 'columns'],
    [{ query: '  ', orderBy: 'id' }, 'query'],
    [{ query: 'SELECT $1 AS id', params: 'x', orderBy: 'id' }, 'params'],
    [{ table: 't' }, 'orderBy'],
    [{ table: 't', orderBy: [] }, 'orderBy'],
    [{ table: 't', orderBy: ['a', 'a'] }, 'orderBy'],
    [{ table: 't', orderBy: ['a', ''] }, 'orderBy[1]'],
    [{ table: 't', orderBy: 'a\0b' }, 'orderBy'],
    [{ table: 't', orderBy: 'id', batchSize: 0 }, 'batchSize'],
    [{ table: 't', orderBy: 'id', batchSize: 1.5 }, 'batchSize'],
    [{ table: 't', orderBy: 'id', mode: 'follow' }, 'mode'],
    [{ table: 't', orderBy: 'id', pollIntervalMs: 0 }, 'pollIntervalMs'],
    [{ table: 't', orderBy: 'id', maxReconnectWaitMs: -1 }, 'maxReconnectWaitMs'],
    [{ table: 't', orderBy: 'id', map: 'json' }, 'map'],
    [{ table: 't', orderBy: 'id', port: 'x' }, 'port'],
    [{ table: 't', orderBy: 'id', pool: {} }, 'pool'],
  ])('refuses %j at construction, naming `%s`', (options, option) => {
    const make = (): unknown => fromPostgres(options as never);
    expect(make).toThrow(InvalidOptionError);
    expect(make).toThrow(`\`${option}\``);
  });

  it('refuses an offset that is not one of its own', () => {
    const source = fromPostgres({ table: 't', orderBy: ['a', 'b'] });
    for (const from of [5, null, { after: ['1'] }, { after: [1, 2] }, { after: '1' }]) {
      expect(() => source.readBatches?.(from as never)).toThrow(/`from`/);
    }
  });

  it('is replayable, starts before every row, and is named after what it reads', () => {
    expect(fromPostgres({ table: 'orders', orderBy: 'id' })).toMatchObject({ replayable: true, start: { after: [] }, name: 'postgres:orders' });
    expect(fromPostgres({ table: { schema: 'sales', name: 'orders' }, orderBy: 'id' }).name).toBe('postgres:sales.orders');
    expect(fromPostgres({ query: 'SELECT 1 AS id', orderBy: 'id' }).name).toBe('postgres:query');
  });
});

describe('keyset statements', () => {
  it('quote every name, and number the offset, bound and page size after the caller’s parameters', () => {
    const statements = keysetStatements({
      from: { table: quoteTable('table', { schema: 'a"b', name: 'x"; DROP TABLE y; --' }) },
      columns: ['c"1'],
      orderBy: ['k', 'K 2'],
      paramCount: 0,
    });
    expect(statements.keyColumns).toBe(2);
    expect(statements.page(true, true)).toBe(
      'SELECT sluice_source."c""1", (sluice_source."k")::text, (sluice_source."K 2")::text FROM "a""b"."x""; DROP TABLE y; --" AS sluice_source ' +
        'WHERE sluice_source."k" IS NOT NULL AND sluice_source."K 2" IS NOT NULL ' +
        'AND (sluice_source."k", sluice_source."K 2") > ($1, $2) AND (sluice_source."k", sluice_source."K 2") <= ($3, $4) ' +
        'ORDER BY sluice_source."k", sluice_source."K 2" LIMIT $5',
    );
    const query = keysetStatements({ from: { query: 'SELECT * FROM t WHERE a = $1 -- note' }, columns: undefined, orderBy: ['k'], paramCount: 1 });
    expect(query.page(false, false)).toBe(
      'SELECT sluice_source.*, (sluice_source."k")::text FROM (\nSELECT * FROM t WHERE a = $1 -- note\n) AS sluice_source WHERE sluice_source."k" IS NOT NULL ORDER BY sluice_source."k" LIMIT $2',
    );
    expect(query.last).toBe(
      'SELECT (sluice_source."k")::text FROM (\nSELECT * FROM t WHERE a = $1 -- note\n) AS sluice_source WHERE sluice_source."k" IS NOT NULL ORDER BY sluice_source."k" DESC LIMIT 1',
    );
  });
});

describe.skipIf(pg.skipped !== undefined)('fromPostgres', () => {
  let db: PgFixtures;
  beforeAll(() => {
    db = pgFixtures(url);
  });
  afterAll(async () => {
    await db.close();
  });

  it('reads a table in orderBy order, a page per batch, through a pipeline', async () => {
    const table = await db.table('order', 'id int PRIMARY KEY, word text NOT NULL');
    const ids = Array.from({ length: 2_500 }, (_, i) => i + 1);
    // Inserted out of order: the order read is the column's, not the insertion's.
    const shuffled = [...ids].sort((a, b) => ((a * 7919) % 2_503) - ((b * 7919) % 2_503));
    await db.insert(
      table,
      ['id', 'word'],
      shuffled.map((id) => [id, `w${id}`]),
    );
    const source = fromPostgres<{ id: number; word: string }>({ connectionString: url, table: table.name, orderBy: 'id', batchSize: 300 });
    const out = toArray<{ id: number; word: string }>();
    const result = await pipeline(source).to(out).run().done;
    expect(result.recordsRead).toBe(2_500);
    expect(out.records).toEqual(ids.map((id) => ({ id, word: `w${id}` })));

    const sizes: number[] = [];
    for await (const batch of source.readBatches?.() ?? []) sizes.push(batch.length);
    expect(sizes).toEqual([...Array<number>(8).fill(300), 100]);
  });

  it('records the orderBy values as PostgreSQL writes them, exactly, and resumes after them', async () => {
    const table = await db.table('exact', 'at timestamptz NOT NULL, big bigint NOT NULL, amount numeric NOT NULL, label text');
    await db.pool.query(
      `INSERT INTO ${table.sql} VALUES
        ('2024-03-01 10:00:00.000001+00', 9007199254740993, 0.100000000000000000001, 'a'),
        ('2024-03-01 10:00:00.000002+00', 9007199254740993, 0.100000000000000000001, 'b'),
        ('2024-03-01 10:00:00.000002+00', 9007199254740993, 0.100000000000000000002, 'c'),
        ('2024-03-01 10:00:00.000002+00', 9007199254740994, 0, 'd')`,
    );
    const source = fromPostgres({ connectionString: url, table: table.name, columns: ['label'], orderBy: ['at', 'big', 'amount'], batchSize: 2 });
    const all = await readAll(source.read());
    expect(all).toEqual([
      [['2024-03-01 10:00:00.000001+00', '9007199254740993', '0.100000000000000000001'], { label: 'a' }],
      [['2024-03-01 10:00:00.000002+00', '9007199254740993', '0.100000000000000000001'], { label: 'b' }],
      [['2024-03-01 10:00:00.000002+00', '9007199254740993', '0.100000000000000000002'], { label: 'c' }],
      [['2024-03-01 10:00:00.000002+00', '9007199254740994', '0'], { label: 'd' }],
    ]);
    // Through JSON, as a checkpoint keeps it: every resume point gives exactly the rows after it.
    for (let i = 0; i < all.length; i++) {
      const offset = JSON.parse(JSON.stringify({ after: all[i]?.[0] })) as PostgresOffset;
      expect(await readAll(source.read(offset))).toEqual(all.slice(i + 1));
    }
  });

  it('ends a bounded read at the last row there was when it began', async () => {
    const table = await db.table('bounded', 'id int PRIMARY KEY');
    await db.insert(table, ['id'], [[1], [2], [3]]);
    const read: unknown[] = [];
    for await (const item of fromPostgres({ connectionString: url, table: table.name, orderBy: 'id', batchSize: 1 }).read()) {
      read.push(item.kind === 'record' ? item.value : item.raw);
      // Added while the read is under way: after its end.
      if (read.length === 1) await db.insert(table, ['id'], [[4]]);
    }
    expect(read).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const empty = await db.table('empty', 'id int');
    expect(await readAll(fromPostgres({ connectionString: url, table: empty.name, orderBy: 'id' }).read())).toEqual([]);
  });

  it('never reads a row with NULL in an orderBy column, from the start or from an offset', async () => {
    const table = await db.table('nulls', 'a int, b int');
    await db.insert(
      table,
      ['a', 'b'],
      [
        [1, 1],
        [1, null],
        [null, 1],
        [2, 2],
        [null, null],
      ],
    );
    const source = fromPostgres({ connectionString: url, table: table.name, orderBy: ['a', 'b'] });
    expect((await readAll(source.read())).map(([, row]) => row)).toEqual([
      { a: 1, b: 1 },
      { a: 2, b: 2 },
    ]);
    expect((await readAll(source.read({ after: ['1', '1'] }))).map(([, row]) => row)).toEqual([{ a: 2, b: 2 }]);
  });

  it('reads the rows of a query, its parameters passed as parameters, ours after them', async () => {
    const orders = await db.table('orders', 'id int PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL');
    const customers = await db.table('customers', 'name text PRIMARY KEY, country text NOT NULL');
    await db.insert(
      customers,
      ['name', 'country'],
      [
        ['ada', 'uk'],
        ['bo', 'se'],
      ],
    );
    await db.insert(
      orders,
      ['id', 'customer', 'total'],
      Array.from({ length: 9 }, (_, i) => [i + 1, i % 2 === 0 ? 'ada' : 'bo', (i + 1) * 10]),
    );
    const source = fromPostgres<{ order: number; total: number }>({
      connectionString: url,
      // A comment, and the trailing `;` a query is often written with.
      query: `SELECT o.id AS order_id, o.total::int AS total -- the UK's larger orders
              FROM ${orders.sql} o JOIN ${customers.sql} c ON c.name = o.customer
              WHERE c.country = $1 AND o.total >= $2;\n`,
      params: ['uk', 25],
      orderBy: 'order_id',
      batchSize: 2,
      map: (row) => ({ order: row['order_id'] as number, total: row['total'] as number }),
    });
    const read = await readAll(source.read());
    expect(read).toEqual([
      [['3'], { order: 3, total: 30 }],
      [['5'], { order: 5, total: 50 }],
      [['7'], { order: 7, total: 70 }],
      [['9'], { order: 9, total: 90 }],
    ]);
    expect(await readAll(source.read({ after: ['5'] }))).toEqual(read.slice(2));
  });

  it('takes hostile table and column names, and values, exactly as they are', async () => {
    const sentinel = await db.table('sentinel', 'id int');
    const tableName = `x"; DROP TABLE ${sentinel.name}; --`;
    const columns = ['a"b', 'select', 'Id Col', '__proto__', "it's; --"];
    // Text in the C collation sorts as its UTF-8 bytes, which the test can sort by too.
    const table = await db.table(
      'hostile',
      `"a""b" text COLLATE "C" NOT NULL, "select" int NOT NULL, "Id Col" text, "__proto__" text, "it's; --" text`,
      tableName,
    );
    const values = [
      "O'Brien'); DROP TABLE users; --",
      'back\\slash \\x00 \\\\',
      '"double" and `tick` and $1 and $$dollar$$',
      'unicode: 😀 Ünïcödé 中文 \u200b',
      'line\nbreak\ttab\r',
    ];
    const rows = values.flatMap((value, i) => [
      [value, i + 100, null, null, null],
      // The same first orderBy value again: the second column breaks the tie.
      [value, i, `${value} id`, `proto ${value}`, `semi ${value}`],
    ]);
    await db.insert(table, columns, rows);
    const expected = [...rows]
      .sort((x, y) => Buffer.compare(Buffer.from(x[0] as string), Buffer.from(y[0] as string)) || (x[1] as number) - (y[1] as number))
      .map((row) => rowOf(columns, row));
    const source = fromPostgres({ connectionString: url, table: tableName, columns, orderBy: ['a"b', 'select'], batchSize: 3 });
    const read = await readAll(source.read());
    expect(read.map(([, row]) => row)).toEqual(expected);
    expect(read.map(([after]) => after)).toEqual(expected.map((row) => [row['a"b'], String(row['select'])]));
    const first = read[0]?.[1] as Record<string, unknown>;
    expect(Object.getPrototypeOf(first)).toBe(Object.prototype);
    expect(Object.keys(first)).toEqual(columns);
    for (let i = 0; i < read.length; i++) {
      expect(await readAll(source.read({ after: read[i]?.[0] as string[] }))).toEqual(read.slice(i + 1));
    }
    // A hostile value as a query parameter, too.
    const byParam = fromPostgres({ connectionString: url, query: `SELECT * FROM ${table.sql} WHERE "a""b" = $1`, params: [values[0]], orderBy: 'select' });
    expect((await readAll(byParam.read())).map(([, row]) => (row as Record<string, unknown>)['select'])).toEqual([0, 100]);
    expect((await db.pool.query(`SELECT count(*)::int AS n FROM ${sentinel.sql}`)).rows).toEqual([{ n: 0 }]);
  });

  it('sends a row whose map throws to dead letters, as JSON with the error, and reads on', async () => {
    const table = await db.table('map', 'id int PRIMARY KEY, big bigint, payload bytea, at timestamptz');
    await db.pool.query(`INSERT INTO ${table.sql} VALUES (1, 1, NULL, NULL), (2, 12345678901234567, '\\xdead', '2024-01-01 00:00:00Z'), (3, 3, NULL, NULL)`);
    const broken = new Error('no even ids');
    const source = fromPostgres({
      connectionString: url,
      table: table.name,
      orderBy: 'id',
      map: (row) => {
        if (row['id'] === 2) throw broken;
        return row['id'] as number;
      },
    });
    const out = toArray<number>();
    const handle = pipeline(source).to(out).run();
    expect(await handle.done).toMatchObject({ recordsRead: 2, deadLetters: 1 });
    expect(out.records).toEqual([1, 3]);
    expect(handle.deadLetters()).toEqual([
      expect.objectContaining({
        reason: 'malformed',
        error: broken,
        record: '{"id":2,"big":"12345678901234567","payload":"\\\\xdead","at":"2024-01-01T00:00:00.000Z"}',
      }),
    ]);
  });

  it('fails a read of a table that does not exist with the server’s error, and ends its pool', async () => {
    const applicationName = uniqueApplicationName('missing');
    const source = fromPostgres({ connectionString: url, applicationName, table: db.uniqueName('missing'), orderBy: 'id' });
    await expect(readAll(source.read())).rejects.toMatchObject({ code: '42P01' });
    await db.untilNoSessions(applicationName);
  });

  it('fails a read at once when the server cannot be reached', async () => {
    const source = fromPostgres({ connectionString: 'postgresql://root@127.0.0.1:1/test', table: 't', orderBy: 'id' });
    await expect(readAll(source.read())).rejects.toMatchObject({ code: 'POSTGRES_UNREACHABLE' });
  });

  it('tails: reads rows added after it caught up, and stops at once when returned while it waits', async () => {
    const table = await db.table('tail', 'id int PRIMARY KEY');
    await db.insert(table, ['id'], [[1]]);
    const applicationName = uniqueApplicationName('tail');
    const baseline = timers();
    const iterator = fromPostgres<{ id: number }>({
      connectionString: url,
      applicationName,
      table: table.name,
      orderBy: 'id',
      mode: 'tail',
      pollIntervalMs: 20,
    })
      .readBatches?.()
      [Symbol.asyncIterator]() as AsyncIterator<SourceItem<{ id: number }, PostgresOffset>[]>;
    expect((await iterator.next()).value).toEqual([{ kind: 'record', value: { id: 1 }, next: { after: ['1'] } }]);
    const waiting = iterator.next();
    await db.insert(table, ['id'], [[2], [3]]);
    expect((await waiting).value).toEqual([
      { kind: 'record', value: { id: 2 }, next: { after: ['2'] } },
      { kind: 'record', value: { id: 3 }, next: { after: ['3'] } },
    ]);
    // Caught up: the next call waits between polls, for ever, until the read is returned.
    const pending = iterator.next();
    const returned = iterator.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(await returned).toEqual({ done: true, value: undefined });
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
    await db.untilNoSessions(applicationName);
    expect(timers()).toBeLessThanOrEqual(baseline);
  });

  it('ends the pool it opened when a read ends or is given up part-way, and leaves a given pool open', async () => {
    const table = await db.table('pool', 'id int PRIMARY KEY');
    await db.insert(
      table,
      ['id'],
      Array.from({ length: 10 }, (_, i) => [i]),
    );
    const applicationName = uniqueApplicationName('pool');
    const source = fromPostgres({ connectionString: url, applicationName, table: table.name, orderBy: 'id', batchSize: 2 });
    expect(await readAll(source.read())).toHaveLength(10);
    await db.untilNoSessions(applicationName);
    const iterator = source.readBatches?.()[Symbol.asyncIterator]() as AsyncIterator<unknown>;
    expect((await iterator.next()).done).toBe(false);
    expect(await db.sessions(applicationName)).toBe(1);
    await iterator.return?.();
    await db.untilNoSessions(applicationName);

    const borrowed = fromPostgres({ pool: db.pool, table: table.name, orderBy: 'id', batchSize: 4 });
    expect(await readAll(borrowed.read({ after: ['6'] }))).toEqual([
      [['7'], { id: 7 }],
      [['8'], { id: 8 }],
      [['9'], { id: 9 }],
    ]);
    expect((await db.pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
});
