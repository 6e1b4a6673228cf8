import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fromArray,
  InvalidOptionError,
  MemoryCheckpointStorage,
  pipeline,
  PostgresCommitConflictError,
  PostgresRowRejectedError,
  PostgresUnreachableError,
  type PipelineDeadLetter,
  type PipelineHandle,
  type Sink,
  type SinkContext,
} from '../../src/index.js';
import { connectPostgres, quoteIdentifier, toPostgres, type PostgresPool, type PostgresQueryConfig, type ToPostgresOptions } from '../../src/postgres/index.js';
import { createTable, pgUrl, rowsOf, tableName, testPool, withPostgres } from './postgres-fixtures.js';

interface Count {
  readonly word: string;
  readonly count: number;
}

const collectLetters = (): Sink<PipelineDeadLetter> & { readonly letters: PipelineDeadLetter[] } => {
  const letters: PipelineDeadLetter[] = [];
  return { name: 'dead', letters, write: (batch) => void letters.push(...batch) };
};

/** A context that keeps what the sink sends to dead letters. */
const context = (): SinkContext & { readonly letters: { record: unknown; error: unknown }[] } => {
  const letters: { record: unknown; error: unknown }[] = [];
  return { letters, deadLetter: (record, error) => void letters.push({ record, error }), stop: () => undefined };
};

/** `failure`, or the first error of its `cause` chain, that is an instance of `type`. */
function inChain<T>(failure: unknown, type: abstract new (...args: never[]) => T): T | undefined {
  for (let error = failure; error !== undefined && error !== null; error = (error as { cause?: unknown }).cause) if (error instanceof type) return error;
  return undefined;
}

const countsSink = (table: string, extra: Partial<ToPostgresOptions<Count>> = {}) =>
  toPostgres<Count>({ connectionString: pgUrl, table, columns: ['word', 'count'], key: 'word', ...extra });

describe('toPostgres options', () => {
  it.each([
    [{ table: '' }, 'table'],
    [{ table: 'x'.repeat(64) }, 'table'],
    [{ table: { schema: 'a\0', name: 'b' } }, 'table.schema'],
    [{ columns: [] }, 'columns'],
    [{ columns: ['a', 'a'] }, 'columns'],
    [{ columns: ['a', ''] }, 'columns[1]'],
    [{ key: 'missing' }, 'key'],
    [{ key: undefined }, 'key'],
    [{ mode: 'merge' }, 'mode'],
    [{ row: 'json' }, 'row'],
    [{ batchSize: 0 }, 'batchSize'],
    [{ job: '' }, 'job'],
    [{ maxReconnectWaitMs: -1 }, 'maxReconnectWaitMs'],
    [{ pool: { query: 1 } }, 'pool'],
    [{ port: 'five' }, 'port'],
    [{ connectionString: 'mysql://app:pw@db/orders' }, 'connectionString'],
    [{ connectionString: 'postgresql://app:pw@[oops/orders' }, 'connectionString'],
  ])('refuses %j at construction, naming `%s`', (bad, option) => {
    const options = { connectionString: 'postgresql://root@127.0.0.1:5432/test', table: 't', columns: ['a', 'b'], key: 'a', ...bad };
    if ('pool' in bad) delete (options as { connectionString?: string }).connectionString;
    const make = (): unknown => toPostgres(options as never);
    expect(make).toThrow(InvalidOptionError);
    expect(make).toThrow(`\`${option}\``);
    expect(make).not.toThrow(':pw@');
  });

  it('takes an insert without a key', () => {
    expect(() => toPostgres({ connectionString: pgUrl, table: 't', columns: ['a'], mode: 'insert' })).not.toThrow();
  });
});

describe('toPostgres against an unreachable server', () => {
  it('fails the run at its start with an error naming the server, never the password', async () => {
    const sink = toPostgres<Count>({ connectionString: 'postgresql://app:hunter2@127.0.0.1:1/orders', table: 't', columns: ['word', 'count'], key: 'word' });
    const failure = await pipeline(fromArray<Count>([{ word: 'a', count: 1 }]))
      .to(sink)
      .run()
      .done.catch((error: unknown) => error);
    const cause = inChain(failure, PostgresUnreachableError);
    expect(cause?.message).toContain('app@127.0.0.1:1/orders');
    expect(cause?.message).toContain('connection refused');
    expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).not.toContain('hunter2');
    expect(String(failure)).not.toContain('hunter2');
  });
});

withPostgres('toPostgres', () => {
  it('writes rows without checkpoints (at-least-once) in batches, upserting by key', async () => {
    const table = await createTable('plain', 'word text primary key, count bigint not null');
    const records = Array.from({ length: 2_500 }, (_, i) => ({ word: `w${i % 700}`, count: i }));
    const sink = countsSink(table, { batchSize: 300 });
    await pipeline(fromArray(records)).to(sink).run({ batchSize: 64 }).done;
    const expected = new Map<string, number>();
    for (const { word, count } of records) expected.set(word, count);
    const rows = await rowsOf(table, 'word');
    expect(rows).toEqual([...expected].sort(([a], [b]) => (a < b ? -1 : 1)).map(([word, count]) => ({ word, count: String(count) })));
    expect(sink.stats()).toMatchObject({ rowsWritten: 2_500, rowsRejected: 0, commits: 0 });
  });

  it('fails the run at its start, naming the option, when the table, a column or the conflict target is not there', async () => {
    const table = await createTable('noconstraint', 'word text, count bigint');
    const cases: [ToPostgresOptions<Count>, string][] = [
      [{ connectionString: pgUrl, table: tableName('absent'), columns: ['word', 'count'], key: 'word' }, 'table'],
      [{ connectionString: pgUrl, table, columns: ['word', 'total'], key: 'word' }, 'table'],
      [{ connectionString: pgUrl, table, columns: ['word', 'count'], key: 'word' }, 'key'],
    ];
    for (const [options, option] of cases) {
      const failure = await pipeline(fromArray<Count>([{ word: 'a', count: 1 }]))
        .to(toPostgres(options))
        .run()
        .done.catch((error: unknown) => error);
      expect(inChain(failure, InvalidOptionError)?.message).toContain(`\`${option}\``);
    }
  });

  it.each([false, true])(
    'sends each row the table refuses to dead letters with the server message, and writes the others (checkpoints: %s)',
    async (checkpointed) => {
      const table = await createTable('refused', 'id integer primary key, amount integer not null check (amount >= 0), label varchar(5)');
      const records = Array.from({ length: 400 }, (_, i) => ({
        id: i,
        amount: i % 97 === 5 ? -1 : i,
        label: i % 101 === 7 ? 'far too long' : `l${i % 10}`,
      }));
      // A duplicate id, refused by the primary key in insert mode.
      records.push({ id: 3, amount: 1, label: 'dup' });
      const dead = collectLetters();
      const sink = toPostgres<(typeof records)[number]>({
        connectionString: pgUrl,
        table,
        columns: ['id', 'amount', 'label'],
        key: 'id',
        mode: 'insert',
        batchSize: 50,
      });
      await pipeline(fromArray(records))
        .to(sink)
        .run({ deadLetters: dead, ...(checkpointed ? { checkpoint: { storage: new MemoryCheckpointStorage(), interval: Number.POSITIVE_INFINITY } } : {}) })
        .done;
      const refused = records.filter((r, i) => r.amount < 0 || r.label.length > 5 || i === 400);
      expect(dead.letters.map((l) => l.record)).toEqual(expect.arrayContaining(refused));
      expect(dead.letters).toHaveLength(refused.length);
      for (const letter of dead.letters) {
        expect(letter.reason).toBe('rejected');
        expect(letter.error).toBeInstanceOf(PostgresRowRejectedError);
      }
      const messages = dead.letters.map((l) => (l.error as PostgresRowRejectedError).sqlState);
      expect(new Set(messages)).toEqual(new Set(['23514', '22001', '23505']));
      expect((dead.letters.find((l) => (l.error as PostgresRowRejectedError).sqlState === '23514')?.error as Error).message).toContain('check constraint');
      const rows = await rowsOf(table, 'id');
      expect(rows.map((r) => r['id'])).toEqual(records.filter((r) => !refused.includes(r)).map((r) => r.id));
      expect(sink.stats().rowsRejected).toBe(refused.length);
    },
  );

  it('sends a record its row function cannot turn into a row to dead letters', async () => {
    const table = await createTable('badrow', 'word text primary key, count bigint');
    const dead = collectLetters();
    const sink = toPostgres<Count>({
      connectionString: pgUrl,
      table,
      columns: ['word', 'count'],
      key: 'word',
      row: (r) => {
        if (r.word === 'bad') throw new Error('no row for bad');
        return [r.word, r.count];
      },
    });
    await pipeline(
      fromArray<Count>([
        { word: 'a', count: 1 },
        { word: 'bad', count: 2 },
        { word: 'c', count: 3 },
      ]),
    )
      .to(sink)
      .run({ deadLetters: dead }).done;
    expect(dead.letters.map((l) => [l.reason, l.record, (l.error as Error).message])).toEqual([['rejected', { word: 'bad', count: 2 }, 'no row for bad']]);
    expect(await rowsOf(table, 'word')).toEqual([
      { word: 'a', count: '1' },
      { word: 'c', count: '3' },
    ]);
  });

  it('quotes hostile table and column names, and sends hostile values as parameters', async () => {
    const table = tableName('x"; DROP TABLE sluice_commits; --');
    const column = `c"); DELETE FROM pg_class; --`;
    const pool = await testPool();
    await pool.query(`CREATE TABLE ${quoteIdentifier(table)} (${quoteIdentifier(column)} text primary key, "n" integer)`);
    const values = [`'; DROP TABLE ${table}; --`, 'back\\slash', '$1 $2', 'ünïcødé "quoted"', "it's"];
    const sink = toPostgres<string>({ connectionString: pgUrl, table, columns: [column, 'n'], key: column, row: (v) => [v, v.length] });
    await pipeline(fromArray(values)).to(sink).run().done;
    const { rows } = await pool.query(`SELECT ${quoteIdentifier(column)} AS v FROM ${quoteIdentifier(table)} ORDER BY 1`);
    expect(rows.map((r) => r['v'])).toEqual([...values].sort());
    const { rows: tables } = await pool.query(`SELECT to_regclass('sluice_commits') IS NOT NULL AS present`);
    expect(tables[0]?.['present']).toBe(true);
  });

  it('writes a checkpointed run exactly once across a stop and a resume', async () => {
    const table = await createTable('resume', 'id integer primary key, v text');
    const records = Array.from({ length: 3_000 }, (_, i) => ({ id: i, v: `v${i}` }));
    const storage = new MemoryCheckpointStorage();
    const sink = (): Sink<(typeof records)[number]> => toPostgres({ connectionString: pgUrl, table, columns: ['id', 'v'], mode: 'insert' });
    // The source stops itself after 1,200 records: a stop at a known place, not a race with a timer.
    let read = 0;
    const handle: PipelineHandle = pipeline(fromArray(records))
      .map((r) => {
        if (++read === 1_200) void handle.stop();
        return r;
      })
      .to(sink())
      .run({ batchSize: 50, checkpoint: { storage, interval: Number.POSITIVE_INFINITY } });
    const first = await handle.done;
    expect(first.stopped).toBe(true);
    const second = await pipeline(fromArray(records))
      .to(sink())
      .run({ batchSize: 50, checkpoint: { storage, interval: Number.POSITIVE_INFINITY } }).done;
    expect(second.resumedFrom).toBeDefined();
    const rows = await rowsOf(table, 'id');
    expect(rows.map((r) => r['id'])).toEqual(records.map((r) => r.id));
  });
});

withPostgres('toPostgres commits', () => {
  const insertSink = (table: string, job: string) =>
    toPostgres<number>({ connectionString: pgUrl, table, columns: ['id'], mode: 'insert', job, row: (id) => [id] });
  const ids = async (table: string): Promise<number[]> => (await rowsOf(table, 'id')).map((r) => r['id'] as number);
  const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
  /** A staging table as Sluice created it before its chunks were stored uncompressed, `seqCheck` a CHECK on `seq`. */
  const createStagingTable = async (label: string, seqCheck = ''): Promise<string> => {
    const stagingTable = tableName(label);
    await (
      await testPool()
    ).query(
      `CREATE TABLE ${quoteIdentifier(stagingTable)} (job text NOT NULL, partition integer NOT NULL, writer text NOT NULL, seq bigint NOT NULL ${seqCheck}, ` +
        `after_checkpoint bigint NOT NULL, row_count integer NOT NULL, data bytea NOT NULL, PRIMARY KEY (job, partition, writer, seq))`,
    );
    return stagingTable;
  };

  it('refuses the commit of a zombie writer once a newer run has recovered its output', async () => {
    const table = await createTable('zombie', 'id integer primary key');
    const job = `zombie-${table}`;
    const zombie = insertSink(table, job);
    await zombie.open?.(context());
    await zombie.recover?.(undefined, false);
    await zombie.write([1, 2, 3]);
    const token = await zombie.preCommit?.(1);
    // The checkpoint completed, but the writer paused before its commit; a new run takes over.
    const successor = insertSink(table, job);
    await successor.open?.(context());
    await successor.recover?.(token, false);
    expect(await ids(table)).toEqual([1, 2, 3]);
    await expect(zombie.commit?.(token)).rejects.toBeInstanceOf(PostgresCommitConflictError);
    await successor.write([4]);
    await successor.commit?.(await successor.preCommit?.(2));
    expect(await ids(table)).toEqual([1, 2, 3, 4]);
    // The zombie's later writes come to nothing either.
    await zombie.write([99]);
    await expect(zombie.commit?.(await zombie.preCommit?.(2))).rejects.toBeInstanceOf(PostgresCommitConflictError);
    expect(await ids(table)).toEqual([1, 2, 3, 4]);
    await Promise.all([zombie.release?.(), successor.close?.()]);
  });

  it('discards what was staged for a checkpoint that never completed', async () => {
    const table = await createTable('discard', 'id integer primary key');
    const job = `discard-${table}`;
    const first = insertSink(table, job);
    await first.open?.(context());
    await first.recover?.(undefined, false);
    await first.write([1]);
    const one = await first.preCommit?.(1);
    await first.commit?.(one);
    await first.write([2]);
    await first.preCommit?.(2);
    await first.release?.();
    const next = insertSink(table, job);
    await next.open?.(context());
    await next.recover?.(one, false);
    const { rows } = await (await testPool()).query(`SELECT count(*)::int AS n FROM sluice_staged WHERE job = $1`, [job]);
    expect(rows[0]?.['n']).toBe(0);
    expect(await ids(table)).toEqual([1]);
    await next.close?.();
  });

  it('stages chunk after chunk while the next rows come, and commits every row once', async () => {
    const table = await createTable('chunks', 'id integer primary key');
    const job = `chunks-${table}`;
    const sink = insertSink(table, job);
    await sink.open?.(context());
    await sink.recover?.(undefined, false);
    // 25,000 rows, 1,000 a write: chunks of 10,000 staged on the way, the rest at the pre-commit.
    for (let from = 0; from < 25_000; from += 1_000) await sink.write(range(from, 1_000));
    await sink.commit?.(await sink.preCommit?.(1));
    for (let from = 25_000; from < 37_000; from += 1_000) await sink.write(range(from, 1_000));
    await sink.commit?.(await sink.preCommit?.(2));
    await sink.close?.();
    const { rows } = await (
      await testPool()
    ).query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d, min(id) AS lo, max(id) AS hi FROM ${quoteIdentifier(table)}`);
    expect(rows[0]).toEqual({ n: 37_000, d: 37_000, lo: 0, hi: 36_999 });
    const { rows: staged } = await (await testPool()).query(`SELECT count(*)::int AS n FROM sluice_staged WHERE job = $1`, [job]);
    expect(staged[0]?.['n']).toBe(0);
  });

  it('commits in full statements across the bounds of staged chunks: only the last may be short', async () => {
    const table = await createTable('statements', 'id integer primary key');
    const { pool: real } = await connectPostgres({ connectionString: pgUrl });
    // Rows per statement into the table, as the commit's connections send them.
    const sizes: number[] = [];
    const pool: PostgresPool = {
      query: real.query.bind(real),
      end: () => real.end(),
      async connect() {
        const client = await real.connect();
        return {
          query(statement: string | PostgresQueryConfig, values?: unknown[]) {
            if (typeof statement !== 'string' && statement.text.startsWith(`INSERT INTO ${quoteIdentifier(table)}`)) sizes.push(statement.values?.length ?? 0);
            return client.query(statement, values);
          },
          release: (destroy) => client.release(destroy),
          on: (event, listener) => client.on(event, listener),
          removeListener: (event, listener) => client.removeListener(event, listener),
        };
      },
    };
    const sink = toPostgres<number>({ pool, table, columns: ['id'], mode: 'insert', job: `statements-${table}`, row: (id) => [id] });
    await sink.open?.(context());
    await sink.recover?.(undefined, false);
    // Writes of 1,024 make chunks of 10,240, 10,240 and the 4,576 left at the pre-commit: 25,056 rows.
    for (let from = 0; from < 25_056; from += 1_024) await sink.write(range(from, Math.min(1_024, 25_056 - from)));
    await sink.commit?.(await sink.preCommit?.(1));
    await sink.close?.();
    await real.end();
    expect(sizes).toEqual([...Array.from({ length: 25 }, () => 1_000), 56]);
    expect((await rowsOf(table, 'id')).length).toBe(25_056);
  });

  it('fails a write when the chunk before it could not be staged, and commits nothing', async () => {
    const table = await createTable('stagefail', 'id integer primary key');
    // A staging table that takes the first chunk and refuses the second.
    const stagingTable = await createStagingTable('stagefail', 'CHECK (seq < 2)');
    const sink = toPostgres<number>({
      connectionString: pgUrl,
      table,
      columns: ['id'],
      mode: 'insert',
      job: `stagefail-${table}`,
      row: (id) => [id],
      stagingTable,
    });
    await sink.open?.(context());
    await sink.recover?.(undefined, false);
    await sink.write(range(0, 10_000));
    // The second chunk goes out with this write, which does not wait for it to land.
    await sink.write(range(10_000, 10_000));
    const failure = await Promise.resolve(sink.write(range(20_000, 10_000))).catch((error: unknown) => error);
    expect((failure as { code?: unknown }).code).toBe('23514');
    await sink.release?.();
    expect(await rowsOf(table, 'id')).toEqual([]);
  });

  it('keeps staged chunks uncompressed, altering a staging table an earlier version created, but waits a second at most for it', async () => {
    const table = await createTable('uncompressed', 'id integer primary key');
    // As an earlier version created it: bytea's default storage, which the server compresses.
    const stagingTable = await createStagingTable('staged');
    const pool = await testPool();
    const storage = async (): Promise<unknown> =>
      (await pool.query(`SELECT attstorage FROM pg_attribute WHERE attrelid = $1::regclass AND attname = 'data'`, [quoteIdentifier(stagingTable)])).rows[0]?.[
        'attstorage'
      ];
    const sink = (): Sink<number> =>
      toPostgres<number>({ connectionString: pgUrl, table, columns: ['id'], mode: 'insert', job: `uncompressed-${table}`, row: (id) => [id], stagingTable });

    // Another session reads the staging table for longer than the second the change may wait.
    const reader = await pool.connect();
    await reader.query('BEGIN');
    await reader.query(`LOCK TABLE ${quoteIdentifier(stagingTable)} IN ACCESS SHARE MODE`);
    const waiting = sink();
    const started = Date.now();
    await waiting.open?.(context());
    await waiting.recover?.(undefined, false);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await storage()).toBe('x');
    await reader.query('COMMIT');
    reader.release();
    await waiting.release?.();

    const next = sink();
    await next.open?.(context());
    await next.recover?.(undefined, false);
    expect(await storage()).toBe('e');
    await next.write([1, 2]);
    await next.commit?.(await next.preCommit?.(1));
    expect(await ids(table)).toEqual([1, 2]);
    await next.close?.();
  });

  it('refuses an insert run that would write again what the table already holds', async () => {
    const table = await createTable('ahead', 'id integer primary key');
    const job = `ahead-${table}`;
    const first = insertSink(table, job);
    await first.open?.(context());
    await first.recover?.(undefined, false);
    await first.write([1]);
    await first.commit?.(await first.preCommit?.(1));
    await first.close?.();
    const fresh = insertSink(table, job);
    await fresh.open?.(context());
    await expect(fresh.recover?.(undefined, false)).rejects.toThrow(/already holds the rows up to checkpoint 1/);
    await fresh.release?.();
  });

  it('applies every record exactly once whatever the crashes between writes, pre-commits and commits (property)', async () => {
    const table = await createTable('crashes', 'id integer primary key');
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.constant('write' as const),
            fc.constant('checkpoint' as const),
            fc.constant('crash-before-complete' as const),
            fc.constant('crash-before-commit' as const),
          ),
          {
            minLength: 1,
            maxLength: 14,
          },
        ),
        async (steps) => {
          const job = `crashes-${table}-${round++}`;
          await (await testPool()).query(`DELETE FROM ${quoteIdentifier(table)}`);
          // The source: ids in order; a crash rewinds it to the last completed checkpoint's position.
          let next = 0;
          let completed: { token: unknown; position: number; id: number } | undefined;
          let checkpointId = 0;
          let sink = insertSink(table, job);
          const start = async (): Promise<void> => {
            sink = insertSink(table, job);
            await sink.open?.(context());
            await sink.recover?.(completed?.token, false);
            next = completed?.position ?? 0;
            checkpointId = completed?.id ?? 0;
          };
          await start();
          for (const step of steps) {
            if (step === 'write') {
              const batch = [next, next + 1, next + 2];
              next += 3;
              await sink.write(batch);
            } else {
              const id = ++checkpointId;
              const token = await sink.preCommit?.(id);
              if (step === 'crash-before-complete') {
                await sink.release?.();
                await start();
                continue;
              }
              completed = { token, position: next, id };
              if (step === 'crash-before-commit') {
                await sink.release?.();
                await start();
                continue;
              }
              await sink.commit?.(token);
            }
          }
          // The end: the last checkpoint completes and commits.
          const last = await sink.preCommit?.(++checkpointId);
          completed = { token: last, position: next, id: checkpointId };
          await sink.commit?.(last);
          await sink.close?.();
          expect(await ids(table)).toEqual(Array.from({ length: next }, (_, i) => i));
        },
      ),
      { numRuns: 25 },
    );
  });
});
