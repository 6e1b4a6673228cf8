import { describe, expect, it } from 'vitest';
import { PostgresUnreachableError } from '../../src/index.js';
import { reconnecting } from '../../src/postgres/internal/reconnecting.js';
import { connectPostgres, describePostgres, quoteIdentifier } from '../../src/postgres/index.js';
import { checkIdentifier, quoteTable } from '../../src/postgres/sql-names.js';
import { isRowRejection, isTransientPostgresError } from '../../src/postgres/sql-errors.js';
import { pgUrl, withPostgres } from './postgres-fixtures.js';

/** An error as node-postgres makes them: from the server, a SQLSTATE and a severity; from a socket, Node's code. */
const serverError = (code: string, message = `error ${code}`): Error =>
  Object.assign(new Error(message), code.startsWith('E') && !/\d/.test(code) ? { code } : { code, severity: 'ERROR' });

describe('describePostgres', () => {
  it.each([
    [{ connectionString: 'postgresql://app:secret@db.internal:6432/orders' }, 'app@db.internal:6432/orders'],
    [{ connectionString: 'postgres://app@db/orders?sslmode=require' }, 'app@db:5432/orders'],
    [{ connectionString: 'postgresql://a%40b:p%3Aw@[::1]:5433/x' }, 'a@b@[::1]:5433/x'],
    [{ connectionString: 'postgresql://app@/orders?host=/var/run/postgresql' }, 'app@/var/run/postgresql (socket):5432/orders'],
    [{ host: '10.0.0.5', port: 5439, user: 'etl', password: 'secret', database: 'dw' }, 'etl@10.0.0.5:5439/dw'],
    [{ connectionString: 'postgresql://app@db/orders', database: 'other' }, 'app@db:5432/other'],
  ])('names %j as %s, without the password', (options, where) => {
    expect(describePostgres(options)).toBe(where);
  });

  it('falls back on the PG environment variables, as node-postgres does', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { PGHOST: 'pg.local', PGPORT: '6000', PGUSER: 'svc', PGDATABASE: 'main' });
      expect(describePostgres({})).toBe('svc@pg.local:6000/main');
    } finally {
      for (const key of ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE']) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});

describe('SQL names', () => {
  it('quotes identifiers whole, doubling quotes inside', () => {
    expect(quoteIdentifier('counts')).toBe('"counts"');
    expect(quoteIdentifier('Order "Lines"')).toBe('"Order ""Lines"""');
    expect(quoteIdentifier('x"; DROP TABLE y; --')).toBe('"x""; DROP TABLE y; --"');
    expect(quoteTable('table', 'a.b')).toBe('"a.b"');
    expect(quoteTable('table', { schema: 'sales', name: 'Orders' })).toBe('"sales"."Orders"');
  });

  it.each([[''], ['a\0b'], ['é'.repeat(32)], [42]])('refuses %j as a name, naming the option', (name) => {
    expect(() => checkIdentifier('columns[0]', name)).toThrow('`columns[0]`');
  });
});

describe('SQLSTATE classes', () => {
  it('tells refused rows, a server away, and the rest apart', () => {
    for (const code of ['23505', '23514', '22P02', '22001']) expect(isRowRejection(serverError(code))).toBe(true);
    for (const code of ['42P01', '57P01', '08006']) expect(isRowRejection(serverError(code))).toBe(false);
    for (const code of ['57P01', '57P03', '08006', '08001', '40001', '53300']) expect(isTransientPostgresError(serverError(code))).toBe(true);
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'EPIPE']) expect(isTransientPostgresError(serverError(code))).toBe(true);
    expect(isTransientPostgresError(new Error('Connection terminated unexpectedly'))).toBe(true);
    for (const code of ['23505', '42P01', '28P01', 'ENOTFOUND']) expect(isTransientPostgresError(serverError(code))).toBe(false);
  });
});

describe('reconnecting', () => {
  it('tries again while the server is away, then returns what the operation did', async () => {
    let calls = 0;
    const result = await reconnecting(
      async () => {
        if (++calls < 3) throw serverError('57P03', 'the database system is starting up');
        return 'done';
      },
      { where: 'root@db:5432/test', maxWaitMs: 10_000 },
    );
    expect([result, calls]).toEqual(['done', 3]);
  });

  it('hands on at once a failure that waiting cannot cure', async () => {
    let calls = 0;
    const failure = serverError('23505');
    await expect(
      reconnecting(
        async () => {
          calls++;
          throw failure;
        },
        { where: 'w', maxWaitMs: 10_000 },
      ),
    ).rejects.toBe(failure);
    expect(calls).toBe(1);
  });

  it('gives up with PostgresUnreachableError once the server has been away for longer than allowed', async () => {
    const failure = await reconnecting(() => Promise.reject(serverError('ECONNREFUSED', 'connect ECONNREFUSED')), {
      where: 'root@db:5432/test',
      maxWaitMs: 250,
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PostgresUnreachableError);
    expect((failure as PostgresUnreachableError).message).toMatch(/^Cannot connect to PostgreSQL at root@db:5432\/test: away for more than 250 ms/);
  });

  it('stops waiting when aborted, with the last failure', async () => {
    const abort = new AbortController();
    const failure = serverError('57P01');
    const attempt = reconnecting(
      () => {
        abort.abort();
        return Promise.reject(failure);
      },
      { where: 'w', maxWaitMs: 60_000, signal: abort.signal },
    );
    await expect(attempt).rejects.toBe(failure);
  });
});

describe('connectPostgres', () => {
  it('rejects with an error naming the server, never the password, when nothing answers', async () => {
    const failure = await connectPostgres({ connectionString: 'postgresql://app:hunter2@127.0.0.1:1/orders' }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PostgresUnreachableError);
    expect((failure as Error).message).toBe(
      'Cannot connect to PostgreSQL at app@127.0.0.1:1/orders: connection refused (is the server running, and listening there?)',
    );
    expect((failure as Error).message).not.toContain('hunter2');
  });
});

withPostgres('connectPostgres against the server', () => {
  it.each([
    ['an unknown role', 'nosuchrole', 'test', '28000'],
    ['an unknown database', 'root', 'nosuchdatabase', '3D000'],
  ])('rejects %s with the server reason and SQLSTATE, naming the server', async (_label, user, database, state) => {
    const { hostname: host, port } = new URL(pgUrl);
    const url = `postgresql://${user}:topsecret@${host}${port === '' ? '' : `:${port}`}/${database}`;
    const failure = await connectPostgres({ connectionString: url }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PostgresUnreachableError);
    expect((failure as PostgresUnreachableError).sqlState).toBe(state);
    expect((failure as Error).message).toContain(`${user}@${host}:${port || 5432}/${database}: the server refused the login`);
    expect((failure as Error).message).not.toContain('topsecret');
  });

  it('opens a pool that answers, and whose idle connections do not keep the process alive', async () => {
    const { pool, where } = await connectPostgres({ connectionString: pgUrl });
    try {
      expect(where).toMatch(/@/);
      const { rows } = await pool.query('SELECT $1::int + 1 AS n', [41]);
      expect(rows[0]?.['n']).toBe(42);
    } finally {
      await pool.end();
    }
  });
});
