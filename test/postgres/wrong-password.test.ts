/**
 * A server that asks for a password, given the wrong one: the run fails at its start with an error
 * that names the server and the server's reason, and never the password, whether it came in the
 * URL or as an option.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromArray, pipeline, PostgresUnreachableError } from '../../src/index.js';
import { connectPostgres, toPostgres } from '../../src/postgres/index.js';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';

const unavailable = privatePostgresUnavailable();

describe.skipIf(unavailable !== undefined)('a wrong password', () => {
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = await startPrivatePostgres({ password: 'right-horse-battery' });
  }, 30_000);
  afterAll(async () => {
    await server?.remove();
  });

  it('is refused with SQLSTATE 28P01, naming the server and never the password', async () => {
    const { port } = new URL(server.url);
    for (const options of [
      { connectionString: `postgresql://root:wrong-staple-9@127.0.0.1:${port}/postgres` },
      { host: '127.0.0.1', port: Number(port), user: 'root', password: 'wrong-staple-9', database: 'postgres' },
    ]) {
      const failure = await connectPostgres(options).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(PostgresUnreachableError);
      expect((failure as PostgresUnreachableError).sqlState).toBe('28P01');
      expect((failure as Error).message).toBe(
        `Cannot connect to PostgreSQL at root@127.0.0.1:${port}/postgres: the server refused the login: password authentication failed for user "root"`,
      );
      expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).not.toContain('wrong-staple-9');
    }
  });

  it('fails a run at its start, and the right password writes', async () => {
    const { port } = new URL(server.url);
    const sink = (password: string) =>
      toPostgres<{ id: number }>({
        host: '127.0.0.1',
        port: Number(port),
        user: 'root',
        password,
        database: 'postgres',
        table: 'pw_rows',
        columns: ['id'],
        key: 'id',
      });
    const { pool } = await connectPostgres({ host: '127.0.0.1', port: Number(port), user: 'root', password: 'right-horse-battery', database: 'postgres' });
    try {
      await pool.query('CREATE TABLE pw_rows (id integer PRIMARY KEY)');
      const failure = await pipeline(fromArray([{ id: 1 }]))
        .to(sink('wrong-staple-9'))
        .run()
        .done.catch((error: unknown) => error);
      expect(String((failure as Error).message)).toContain('password authentication failed');
      expect(String((failure as Error).message)).not.toContain('wrong-staple-9');
      await pipeline(fromArray([{ id: 1 }, { id: 2 }]))
        .to(sink('right-horse-battery'))
        .run().done;
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM pw_rows');
      expect(rows[0]?.['n']).toBe(2);
    } finally {
      await pool.end();
    }
  });
});
