import fc from 'fast-check';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CheckpointUnusableError, InvalidOptionError, fromArray, pipeline, toCallback, type SnapshotEntry } from '../../src/index.js';
import { PostgresCheckpointStorage, type PostgresCheckpointStorageOptions } from '../../src/postgres/index.js';
import { quoteIdentifier } from '../../src/postgres/sql-names.js';
import { checkCheckpointOptions } from '../../src/streams/checkpoint/checkpoint-options.js';
import { checkPostgres } from '../helpers/services.js';
import { describeCheckpointStorageContract, manifest, writeCheckpoint } from '../streams/checkpoint/checkpoint-storage.spec.js';
import { countWords, expectExactlyOnce } from '../streams/checkpoint/word-count-job.js';
import { TestDatabase, flippedByte, thrownBy, uniqueName } from './pg-fixtures.js';

const pg = await checkPostgres();

describe.skipIf(pg.skipped !== undefined)('PostgresCheckpointStorage', () => {
  const url = pg.url as string;
  let db: TestDatabase;
  let tables: { table: string; partsTable: string };
  const opened: PostgresCheckpointStorage[] = [];
  beforeAll(() => {
    db = new TestDatabase(url);
    tables = { table: db.table('checkpoints'), partsTable: db.table('checkpoint_parts') };
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
  });
  afterAll(async () => {
    await db.end();
  });

  /** A storage for a job of its own (unless named) on the file's tables, closed after the test. */
  function newStorage(options: Partial<PostgresCheckpointStorageOptions> = {}): PostgresCheckpointStorage {
    const storage = new PostgresCheckpointStorage({ connectionString: url, job: uniqueName('job'), ...tables, ...options } as PostgresCheckpointStorageOptions);
    opened.push(storage);
    return storage;
  }

  describe('the CheckpointStorage contract, on a pool it is given', () => {
    describeCheckpointStorageContract(async () => {
      const storage = new PostgresCheckpointStorage({ pool: db.pool, job: uniqueName('job'), ...tables });
      return { storage, dispose: () => storage.close() };
    });
  });

  it('keeps a large partition in several rows', async () => {
    const storage = newStorage();
    const entries: SnapshotEntry[] = Array.from({ length: 80_000 }, (_, i) => [`key ${i}`, { n: i, text: `value ${i}`.padEnd(24, '.') }]);
    const ref = await storage.writePartition(1, 0, 0, entries);
    expect(ref).toMatchObject({ partition: 0, entries: entries.length });
    await storage.writeManifest(manifest(1, [ref]));
    const [row] = await db.query(`SELECT count(*)::integer AS n FROM ${storage.partsTable} WHERE job = $1`, [storage.job]);
    expect(row?.['n']).toBeGreaterThanOrEqual(3);
    expect((await storage.latest())?.entries[0]?.[0]).toEqual(entries);
  });

  it('replaces a partition written again under the same checkpoint', async () => {
    const storage = newStorage();
    await storage.writePartition(1, 0, 0, [['k', 'first attempt']]);
    await storage.writeManifest(manifest(1, [await storage.writePartition(1, 0, 0, [['k', 'second attempt']])]));
    expect((await storage.latest())?.entries).toEqual([[[['k', 'second attempt']]]]);
  });

  it('keeps jobs apart in shared tables', async () => {
    const [one, other] = [newStorage(), newStorage()];
    for (const id of [1, 2, 3]) await writeCheckpoint(one, id);
    await writeCheckpoint(other, 1);
    await one.prune(1);
    await one.discardAbove(0);
    expect(await one.highestId()).toBe(0);
    expect(await other.highestId()).toBe(1);
    expect((await other.latest())?.entries).toEqual([[[['k', 10]], [['k', 11]]]]);
  });

  describe('damage', () => {
    /** Two complete checkpoints of a job of its own. */
    async function twoCheckpoints(): Promise<PostgresCheckpointStorage> {
      const storage = newStorage();
      await writeCheckpoint(storage, 1);
      await writeCheckpoint(storage, 2);
      return storage;
    }

    // Each harm is a statement on checkpoint 2 of the storage's job ($1).
    const manifestOf2 = (storage: PostgresCheckpointStorage, set: string) => `UPDATE ${storage.table} SET ${set} WHERE job = $1 AND id = 2`;
    const partOf2 = (storage: PostgresCheckpointStorage, set: string, partition: number) =>
      `UPDATE ${storage.partsTable} SET ${set} WHERE job = $1 AND id = 2 AND partition = ${partition}`;
    for (const [damage, harm, reason] of [
      ['an altered manifest', (s) => manifestOf2(s, `manifest = replace(manifest, '"completed":false', '"completed":true')`), 'manifest: checksum mismatch'],
      ['a truncated manifest', (s) => manifestOf2(s, 'manifest = substring(manifest FROM 1 FOR 50)'), 'manifest: truncated'],
      [
        "another checkpoint's manifest",
        (s) => manifestOf2(s, `manifest = (SELECT manifest FROM ${s.table} WHERE job = $1 AND id = 1)`),
        'manifest: names checkpoint 1',
      ],
      ['a flipped byte in a part', (s) => partOf2(s, `data = ${flippedByte('data', 2)}`, 1), 's0-p1: checksum mismatch'],
      ['a wrong length', (s) => partOf2(s, 'bytes = bytes + 1', 0), /^s0-p0: \d+ bytes of \d+$/],
      ['a malformed checksum', (s) => partOf2(s, `sha256 = '\\x00'::bytea`, 0), 's0-p0: malformed meta'],
    ] as const satisfies readonly (readonly [string, (storage: PostgresCheckpointStorage) => string, string | RegExp])[]) {
      it(`falls back past ${damage} to the checkpoint before, and says why`, async () => {
        const storage = await twoCheckpoints();
        await db.query(harm(storage), [storage.job]);
        const restored = await storage.latest();
        expect(restored?.manifest.id).toBe(1);
        expect(restored?.skipped).toEqual([{ id: 2, reason: typeof reason === 'string' ? reason : expect.stringMatching(reason) }]);
      });
    }

    it('falls back past a missing part, or a missing piece of one', async () => {
      const storage = await twoCheckpoints();
      await db.query(`DELETE FROM ${storage.partsTable} WHERE job = $1 AND id = 2 AND partition = 0`, [storage.job]);
      expect((await storage.latest())?.skipped).toEqual([{ id: 2, reason: 's0-p0: missing' }]);
      await db.query(`UPDATE ${storage.partsTable} SET chunk = 1 WHERE job = $1 AND id = 1 AND partition = 1`, [storage.job]);
      await expect(storage.latest()).rejects.toThrow(CheckpointUnusableError);
    });

    it('throws CheckpointUnusableError naming the job and every reason when no checkpoint is intact', async () => {
      const storage = await twoCheckpoints();
      await db.query(`UPDATE ${storage.table} SET manifest = 'x' WHERE job = $1`, [storage.job]);
      const error = await storage.latest().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(CheckpointUnusableError);
      expect((error as CheckpointUnusableError).skipped).toEqual([
        { id: 2, reason: 'manifest: truncated' },
        { id: 1, reason: 'manifest: truncated' },
      ]);
      expect((error as Error).message).toContain(`job ${storage.job}`);
    });
  });

  describe('tables, options and connections', () => {
    it('says where it is, never with a password', () => {
      const storage = new PostgresCheckpointStorage({ connectionString: 'postgresql://app:hunter2@db.internal:6432/orders', job: 'wordcount' });
      expect(storage.location).toBe('PostgreSQL app@db.internal:6432/orders, job wordcount');
      expect(new PostgresCheckpointStorage({ pool: db.pool, job: 'wordcount' }).location).toBe('PostgreSQL the given pool, job wordcount');
    });

    it.each([
      ['job', { job: undefined }],
      ['job', { job: '' }],
      ['job', { job: 'nul\0' }],
      ['table', { table: 'x'.repeat(64) }],
      ['partsTable', { partsTable: '' }],
      ['partsTable', { table: 'same', partsTable: 'same' }],
      ['connectionString', { connectionString: '' }],
    ])('names `%s` when it is wrong', (option, wrong) => {
      const error = thrownBy(() => new PostgresCheckpointStorage({ connectionString: url, job: 'j', ...wrong } as PostgresCheckpointStorageOptions));
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
    });

    it('takes hostile table names as names, and creates exactly those tables, at once from many storages', async () => {
      const victim = db.table('victim');
      await db.query(`CREATE TABLE ${quoteIdentifier(victim)} (x integer)`);
      const hostile = {
        table: db.track(`c"; DROP TABLE ${victim}; --`),
        partsTable: db.track(`p'); DROP TABLE ${victim}; --`),
      };
      const storages = Array.from({ length: 4 }, () => newStorage(hostile));
      await Promise.all(storages.map((storage) => writeCheckpoint(storage, 1)));
      for (const storage of storages) expect((await storage.latest())?.manifest.id).toBe(1);
      const found = await db.query('SELECT relname FROM pg_class WHERE relname = ANY($1) AND relkind = $2', [[victim, hostile.table, hostile.partsTable], 'r']);
      expect(found.map((row) => row['relname']).sort()).toEqual([victim, hostile.table, hostile.partsTable].sort());
    });

    it('is taken by run({ checkpoint: { storage } })', () => {
      const storage = newStorage();
      expect(checkCheckpointOptions({ storage })).toEqual({
        storage,
        at: { option: 'checkpoint.storage', location: storage.location },
        interval: 10_000,
        keep: 2,
      });
    });
  });

  describe('with a pipeline', () => {
    let dir = '';
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'sluice-pg-checkpoints-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    const words = Array.from({ length: 2_000 }, (_, i) => `w${(i * 7) % 41}`);
    const sortedLines = async (folder: string) => (await readFile(join(folder, 'out.jsonl'), 'utf8')).split('\n').sort();

    it('stops with a checkpoint and resumes from it on other partition counts: the output of an uninterrupted run, exactly once', async () => {
      const storage = newStorage();
      expect(await countWords({ input: words, dir, partitions: 2, stopAfter: 600, storage }).done).toMatchObject({ stopped: true, checkpoints: 1 });
      expect(await countWords({ input: words, dir, partitions: 4, stopAfter: 600, storage }).done).toMatchObject({ stopped: true, resumedFrom: 1 });
      expect(await countWords({ input: words, dir, partitions: 3, storage }).done).toMatchObject({ resumedFrom: 2, recordsRead: 800 });
      await expectExactlyOnce(dir, words);

      const whole = await mkdtemp(join(tmpdir(), 'sluice-pg-checkpoints-whole-'));
      try {
        await countWords({ input: words, dir: whole, partitions: 3, storage: newStorage() }).done;
        expect(await sortedLines(dir)).toEqual(await sortedLines(whole));
      } finally {
        await rm(whole, { recursive: true, force: true });
      }
    });

    it('resumes past a damaged newest checkpoint, and refuses to start over when none is usable', async () => {
      const storage = newStorage();
      await countWords({ input: words, dir, partitions: 2, stopAfter: 500, storage }).done;
      await countWords({ input: words, dir, partitions: 2, stopAfter: 500, storage }).done;
      await db.query(`UPDATE ${storage.partsTable} SET data = ${flippedByte('data', 1)} WHERE job = $1 AND id = 2 AND partition = 1`, [storage.job]);
      const result = await countWords({ input: words, dir, partitions: 3, storage }).done;
      expect(result).toMatchObject({ resumedFrom: 1, skippedCheckpoints: [{ id: 2, reason: 's0-p1: checksum mismatch' }] });
      await expectExactlyOnce(dir, words);

      const broken = newStorage();
      await countWords({ input: words, dir, partitions: 2, stopAfter: 500, storage: broken }).done;
      await db.query(`UPDATE ${broken.table} SET manifest = 'x' WHERE job = $1`, [broken.job]);
      await expect(countWords({ input: words, dir, partitions: 2, storage: broken }).done).rejects.toThrow(CheckpointUnusableError);
    });

    it('writes every update exactly once, wherever the run stops and whatever the partitions', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom('ada', 'bob', 'cy', 'dee'), { minLength: 1, maxLength: 120 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 16 }),
          fc.nat(),
          async (input, before, after, batchSize, stopSeed) => {
            const folder = await mkdtemp(join(tmpdir(), 'sluice-pg-checkpoints-prop-'));
            const storage = newStorage();
            try {
              const stopAfter = 1 + (stopSeed % input.length);
              const first = await countWords({ input, dir: folder, partitions: before, batchSize, stopAfter, storage }).done;
              const second = await countWords({ input, dir: folder, partitions: after, batchSize, storage }).done;
              expect(first.recordsRead + second.recordsRead).toBe(input.length);
              await expectExactlyOnce(folder, input);
            } finally {
              await storage.close();
              await rm(folder, { recursive: true, force: true });
            }
          },
        ),
        { numRuns: 12 },
      );
    });

    it('leaves no connection open once a failed or stopped run is over and the storage closed', async () => {
      const applicationName = uniqueName('sluice-checkpoints');
      const storage = newStorage({ applicationName });
      const failing = pipeline(fromArray(words))
        .keyBy((word) => word, { partitions: 2 })
        .reduce(
          (n: number) => n + 1,
          () => 0,
        )
        .to(
          toCallback(() => {
            throw new Error('the sink gave up');
          }),
        )
        .run({ checkpoint: { storage, interval: Infinity } });
      await expect(failing.done).rejects.toThrow('the sink gave up');
      expect(await countWords({ input: words, dir, partitions: 2, stopAfter: 100, storage }).done).toMatchObject({ stopped: true });
      expect(await db.connections(applicationName)).toBeGreaterThan(0);
      await storage.close();
      expect(await db.connectionsLeft(applicationName)).toBe(0);
    });
  });
});
