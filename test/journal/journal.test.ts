import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { open, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  JournalClosedError,
  JournalCorruptedError,
  JournalLockedError,
  JournalTruncatedError,
  jsonCodec,
  openJournal,
  type Journal,
  type JournalCodec,
  type JournalOptions,
} from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { readItems, readValues, rejectionOf, segmentFiles, tempFolders, thrownBy } from './helpers.js';

const folders = tempFolders();
const open_: Journal<unknown>[] = [];

/** Opens a journal that the test's cleanup closes. */
async function openTracked<T>(options: JournalOptions<T>): Promise<Journal<T>> {
  const journal = await openJournal<T>(options);
  open_.push(journal as Journal<unknown>);
  return journal;
}

afterEach(async () => {
  for (const journal of open_.splice(0)) await journal.close();
  await folders.cleanup();
});

/**
 * Lets macrotasks (file I/O) run until `ready()`, moving `clock` on to each timer due meanwhile:
 * virtual time passes, real time does not.
 */
async function pumpUntil(clock: VirtualClock, ready: () => boolean): Promise<void> {
  for (;;) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (ready()) return;
    const due = clock.nextDue;
    if (due !== undefined) await clock.advance(due - clock.now());
  }
}

/** Whether `promise` has settled, to poll. */
function settledFlag(promise: Promise<unknown>): () => boolean {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  return () => settled;
}

/** Settles `promise` with `clock` moved on to each timer it sets. */
async function onVirtualTime<T>(clock: VirtualClock, promise: Promise<T>): Promise<T> {
  await pumpUntil(clock, settledFlag(promise));
  return promise;
}

describe('openJournal', () => {
  it.each([
    [{ dir: '' }, 'Expected `dir` to be a non-empty path, got `""`'],
    [{ dir: 'x', segmentBytes: 0 }, 'Expected `segmentBytes` to be a positive integer, got `0`'],
    [{ dir: 'x', segmentBytes: 1.5 }, 'Expected `segmentBytes` to be a positive integer, got `1.5`'],
    [{ dir: 'x', groupCommitMs: -1 }, 'Expected `groupCommitMs` to be a finite number ≥ 0, got `-1`'],
    [{ dir: 'x', groupCommitMs: Infinity }, 'Expected `groupCommitMs` to be a finite number ≥ 0, got `Infinity`'],
    [{ dir: 'x', maxBatchBytes: 10 }, 'Expected `maxBatchBytes` to be an integer from 64 to 1073741824, got `10`'],
    [{ dir: 'x', codec: 'json' }, 'Expected `codec` to be an object, got `"json"`'],
    [{ dir: 'x', codec: { encode: () => new Uint8Array() } }, 'Expected `codec.decode` to be a function, got `undefined`'],
    [{ dir: 'x', clock: {} }, 'Expected `clock.setTimeout` to be a function, got `undefined`'],
    [{ dir: 'x', lockGraceMs: -1 }, 'Expected `lockGraceMs` to be a finite number ≥ 0, got `-1`'],
  ])('refuses %j: %s', async (options, message) => {
    const error = await rejectionOf(openJournal(options as JournalOptions<unknown>));
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).toBe(message);
  });

  it('refuses options that are not an object', async () => {
    expect(((await rejectionOf(openJournal(null as never))) as InvalidOptionError).option).toBe('options');
  });

  it('creates the folder and its parents, with the first segment and a lock naming this process', async () => {
    const dir = join(await folders.make(), 'a', 'b');
    const journal = await openTracked({ dir });
    expect(await segmentFiles(dir)).toEqual(['0000000000000000.seg']);
    expect(JSON.parse(await readFile(join(dir, 'journal.lock'), 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect([journal.start, journal.end]).toEqual([0, 0]);
  });
});

describe('lock', () => {
  it('refuses a second open of the same folder in this process until the first closes', async () => {
    const dir = await folders.make();
    const first = await openJournal({ dir });
    const error = await rejectionOf(openJournal({ dir }));
    expect(error).toBeInstanceOf(JournalLockedError);
    expect((error as JournalLockedError).pid).toBe(process.pid);
    await first.close();
    await (await openJournal({ dir })).close();
  });

  it('takes over a lock left by a dead process', async () => {
    const dir = await folders.make();
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    await writeFile(join(dir, 'journal.lock'), JSON.stringify({ pid: dead, hostname: hostname(), token: 'gone' }));
    await writeFile(join(dir, `.journal.lock.${dead}.left-behind.tmp`), 'half a lock');
    const journal = await openTracked({ dir });
    expect(JSON.parse(await readFile(join(dir, 'journal.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    await journal.close();
    await expect(stat(join(dir, 'journal.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each([
    [
      'a live process of this host, past the grace',
      () => ({ pid: process.ppid, hostname: hostname(), token: 't' }),
      /held by live process \d+, still running after 2000 ms/,
      2000,
    ],
    ['a process of another host, at once', () => ({ pid: 1, hostname: `not-${hostname()}`, token: 't' }), /on another host, not-[^,]*$/, 0],
    ['nothing it can read, at once', () => 'garbage', /is not a lock file/, 0],
  ])('respects a lock held by %s', async (_, holder, message, waitedMs) => {
    const dir = await folders.make();
    const content = holder();
    await writeFile(join(dir, 'journal.lock'), typeof content === 'string' ? content : JSON.stringify(content));
    const clock = new VirtualClock();
    const error = await onVirtualTime(clock, rejectionOf(openJournal({ dir, clock })));
    expect(error).toBeInstanceOf(JournalLockedError);
    expect((error as Error).message).toMatch(message);
    expect(clock.now()).toBe(waitedMs);
    expect(await readFile(join(dir, 'journal.lock'), 'utf8')).toBe(typeof content === 'string' ? content : JSON.stringify(content));
  });

  it('refuses a live holder at once with lockGraceMs 0', async () => {
    const dir = await folders.make();
    await writeFile(join(dir, 'journal.lock'), JSON.stringify({ pid: process.ppid, hostname: hostname(), token: 't' }));
    const clock = new VirtualClock();
    const error = await onVirtualTime(clock, rejectionOf(openJournal({ dir, clock, lockGraceMs: 0 })));
    expect((error as Error).message).toMatch(/held by live process \d+$/);
    expect(clock.now()).toBe(0);
  });

  it('waits for a live holder of this host that exits within the grace, then takes its lock over', async () => {
    const dir = await folders.make();
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60_000)'], { stdio: 'ignore' });
    await once(holder, 'spawn');
    await writeFile(join(dir, 'journal.lock'), JSON.stringify({ pid: holder.pid, hostname: hostname(), token: 'dying' }));
    const clock = new VirtualClock();
    const opening = openTracked({ dir, clock });
    // Once the open found the holder alive and waits to look again, the holder dies.
    const settled = settledFlag(opening);
    await pumpUntil(clock, () => clock.pendingTimers > 0 || settled());
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    await onVirtualTime(clock, opening);
    expect(JSON.parse(await readFile(join(dir, 'journal.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
    expect(clock.now()).toBe(20);
  });
});

describe('Journal', () => {
  describe('append', () => {
    it('round-trips records, resolving each append with the offset after its last record', async () => {
      const journal = await openTracked<unknown>({ dir: await folders.make(), groupCommitMs: 0 });
      const records = [{ id: 'a', at: new Date(5), tags: new Map([['k', 1n]]) }, [1, 'two', null, undefined], 'plain'];
      expect(await journal.append(records.slice(0, 2))).toBe(2);
      expect(await journal.append(records.slice(2))).toBe(3);
      expect(journal.end).toBe(3);
      const items = await readItems(journal);
      expect(items.map((item) => item.next)).toEqual([1, 2, 3]);
      expect(items.map((item) => (item.kind === 'record' ? item.value : item))).toEqual(records);
    });

    it('resolves an empty append with the end, once every earlier append is durable', async () => {
      const journal = await openTracked<number>({ dir: await folders.make(), groupCommitMs: 0 });
      const [one, none] = await Promise.all([journal.append([1, 2]), journal.append([])]);
      expect([one, none]).toEqual([2, 2]);
      expect(journal.stats().commits).toBe(1);
    });

    it('refuses what is not an array, and a batch over maxBatchBytes, writing nothing of it', async () => {
      const journal = await openTracked<string>({ dir: await folders.make(), maxBatchBytes: 100, groupCommitMs: 0 });
      const notArray = await rejectionOf(journal.append('abc' as never));
      expect((notArray as InvalidOptionError).message).toBe('Expected `records` to be an array of records, got `"abc"`');
      const tooBig = await rejectionOf(journal.append(['x'.repeat(40), 'y'.repeat(40)]));
      expect(tooBig).toBeInstanceOf(InvalidOptionError);
      expect((tooBig as Error).message).toMatch(/^Expected `records` to be a batch of at most 100 bytes once encoded \(maxBatchBytes\)/);
      expect(await journal.append(['ok'])).toBe(1);
      expect(await readValues(journal)).toEqual(['ok']);
    });

    it('rejects with the codec error when a record cannot be encoded, writing none of the batch', async () => {
      const journal = await openTracked<unknown>({ dir: await folders.make(), codec: jsonCodec(), groupCommitMs: 0 });
      expect(await rejectionOf(journal.append(['fine', undefined]))).toBeInstanceOf(TypeError);
      expect(await journal.append(['next'])).toBe(1);
      expect(await readValues(journal)).toEqual(['next']);
    });

    it('rejects after close with JournalClosedError', async () => {
      const journal = await openJournal<number>({ dir: await folders.make() });
      await journal.close();
      expect(journal.closed).toBe(true);
      const error = await rejectionOf(journal.append([1]));
      expect(error).toBeInstanceOf(JournalClosedError);
      expect((error as JournalClosedError).code).toBe('JOURNAL_CLOSED');
    });

    it('rolls over to a new segment before a segment would pass segmentBytes', async () => {
      const dir = await folders.make();
      const journal = await openTracked<string>({ dir, segmentBytes: 200, groupCommitMs: 0 });
      const batches = Array.from({ length: 30 }, (_, i) => [`r${i}a`, `r${i}b`]);
      for (const batch of batches) await journal.append(batch);
      const files = await segmentFiles(dir);
      expect(files.length).toBeGreaterThan(3);
      for (const file of files) expect((await stat(join(dir, file))).size).toBeLessThanOrEqual(200);
      // Each name is the index of the segment's first record: whole batches of two.
      for (const file of files) expect(Number(file.slice(0, 16)) % 2).toBe(0);
      expect(await readValues(journal)).toEqual(batches.flat());
      expect(journal.stats().segments).toBe(files.length);
    });

    it('gives a batch larger than segmentBytes a segment of its own', async () => {
      const dir = await folders.make();
      const journal = await openTracked<string>({ dir, segmentBytes: 64, groupCommitMs: 0 });
      await journal.append(['small']);
      await journal.append(['x'.repeat(100)]);
      await journal.append(['small again']);
      expect(await segmentFiles(dir)).toEqual(['0000000000000000.seg', '0000000000000001.seg', '0000000000000002.seg']);
      expect(await readValues(journal)).toEqual(['small', 'x'.repeat(100), 'small again']);
    });

    it('continues the offsets after a reopen, keeping what was there', async () => {
      const dir = await folders.make();
      const first = await openJournal<number>({ dir, segmentBytes: 100 });
      await first.append([1, 2, 3]);
      await first.append([4]);
      await first.close();
      const second = await openTracked<number>({ dir, segmentBytes: 100 });
      expect([second.start, second.end]).toEqual([0, 4]);
      expect(await second.append([5, 6])).toBe(6);
      expect(await readValues(second)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(second.stats().truncatedTailBytes).toBe(0);
    });
  });

  describe('group commit', () => {
    it('makes many concurrent appends durable, in call order, with far fewer fsyncs than appends', async () => {
      const dir = await folders.make();
      const journal = await openJournal<{ batch: number; i: number }>({ dir, groupCommitMs: 0 });
      const before = journal.stats().fsyncs;
      const batches = Array.from({ length: 200 }, (_, batch) => Array.from({ length: (batch % 5) + 1 }, (__, i) => ({ batch, i })));
      const offsets = await Promise.all(batches.map((batch) => journal.append(batch)));
      let end = 0;
      expect(offsets).toEqual(batches.map((batch) => (end += batch.length)));
      const stats = journal.stats();
      expect(stats.appends).toBe(200);
      expect(stats.commits).toBeLessThanOrEqual(2);
      expect(stats.fsyncs - before).toBeLessThanOrEqual(2);
      await journal.close();
      const reopened = await openTracked<{ batch: number; i: number }>({ dir });
      expect(await readValues(reopened)).toEqual(batches.flat());
    });

    it('waits groupCommitMs for company before committing', async () => {
      const clock = new VirtualClock();
      const journal = await openTracked<number>({ dir: await folders.make(), groupCommitMs: 5, clock });
      const appends = [journal.append([1]), journal.append([2])];
      await new Promise((resolve) => setImmediate(resolve));
      const later = journal.append([3]);
      expect(journal.stats().commits).toBe(0);
      expect(clock.pendingTimers).toBe(1);
      await clock.advance(5);
      expect(await Promise.all([...appends, later])).toEqual([1, 2, 3]);
      expect(journal.stats().commits).toBe(1);
    });

    it('splits what is queued into groups of at most maxBatchBytes', async () => {
      const journal = await openTracked<string>({ dir: await folders.make(), groupCommitMs: 0, maxBatchBytes: 200 });
      await Promise.all(Array.from({ length: 10 }, (_, i) => journal.append([`${i}`.repeat(50)])));
      expect(journal.stats().commits).toBeGreaterThanOrEqual(4);
      expect(await readValues(journal)).toEqual(Array.from({ length: 10 }, (_, i) => `${i}`.repeat(50)));
    });

    it('close commits what waits for the timer', async () => {
      const clock = new VirtualClock();
      const dir = await folders.make();
      const journal = await openJournal<number>({ dir, groupCommitMs: 1000, clock });
      const pending = journal.append([7]);
      await journal.close();
      expect(await pending).toBe(1);
      const reopened = await openTracked<number>({ dir });
      expect(await readValues(reopened)).toEqual([7]);
    });
  });

  describe('source', () => {
    it('is replayable, starts at the journal start, and reads from any offset, mid-batch too', async () => {
      const journal = await openTracked<number>({ dir: await folders.make(), groupCommitMs: 0 });
      await journal.append([0, 1, 2]);
      await journal.append([3, 4]);
      const source = journal.source({ follow: false, name: 'inbox' });
      expect([source.name, source.replayable, source.start]).toEqual(['inbox', true, 0]);
      for (let from = 0; from <= 5; from++) {
        expect(await readValues(journal, from)).toEqual([0, 1, 2, 3, 4].slice(from));
      }
    });

    it('tails: a read at the end yields records appended after it started', async () => {
      const journal = await openTracked<string>({ dir: await folders.make(), groupCommitMs: 0, segmentBytes: 80 });
      await journal.append(['before']);
      const items = journal.source().read()[Symbol.asyncIterator]();
      expect((await items.next()).value).toEqual({ kind: 'record', value: 'before', next: 1 });
      const waiting = items.next();
      await journal.append(['after-1', 'after-2']);
      expect((await waiting).value).toEqual({ kind: 'record', value: 'after-1', next: 2 });
      expect((await items.next()).value).toEqual({ kind: 'record', value: 'after-2', next: 3 });
      // Across a roll-over too.
      const more = items.next();
      for (let i = 0; i < 5; i++) await journal.append([`more-${i}`.repeat(3)]);
      expect((await more).value).toMatchObject({ value: 'more-0more-0more-0', next: 4 });
      for (let i = 1; i < 5; i++) expect((await items.next()).value).toMatchObject({ next: 4 + i });
      expect(journal.stats().segments).toBeGreaterThan(1);
      await items.return?.();
    });

    it('with follow: false stops at the end the journal had when the read began', async () => {
      const journal = await openTracked<number>({ dir: await folders.make(), groupCommitMs: 0 });
      await journal.append([1, 2]);
      const read = journal.source({ follow: false }).read();
      await journal.append([3]);
      const values: unknown[] = [];
      for await (const item of read) values.push(item.kind === 'record' ? item.value : item);
      expect(values).toEqual([1, 2]);
    });

    it('ends a read waiting at the end when the iterator is returned, or the signal aborts', async () => {
      const journal = await openTracked<number>({ dir: await folders.make(), groupCommitMs: 0 });
      const items = journal.source().read()[Symbol.asyncIterator]();
      const waiting = items.next();
      await items.return?.();
      expect(await waiting).toEqual({ value: undefined, done: true });

      const controller = new AbortController();
      const aborted = journal.source({ signal: controller.signal }).read()[Symbol.asyncIterator]();
      const waitingToo = aborted.next();
      controller.abort();
      expect(await waitingToo).toEqual({ value: undefined, done: true });
    });

    it('lets a tailing read finish what was committed, then end, when the journal closes', async () => {
      const journal = await openJournal<number>({ dir: await folders.make(), groupCommitMs: 1000, clock: new VirtualClock() });
      const values: number[] = [];
      const reading = (async () => {
        for await (const item of journal.source().read()) if (item.kind === 'record') values.push(item.value);
      })();
      const appended = journal.append([1, 2]);
      await journal.close();
      await reading;
      expect(values).toEqual([1, 2]);
      expect(await appended).toBe(2);
    });

    it('yields a record the codec cannot decode as a malformed item, and goes on', async () => {
      const codec: JournalCodec<string> = {
        name: 'picky',
        text: true,
        encode: (record) => Buffer.from(record),
        decode: (bytes) => {
          const text = Buffer.from(bytes).toString();
          if (text === 'bad') throw new Error('not today');
          return text;
        },
      };
      const journal = await openTracked<string>({ dir: await folders.make(), codec, groupCommitMs: 0 });
      await journal.append(['good', 'bad', 'fine']);
      const items = await readItems(journal);
      expect(items).toEqual([
        { kind: 'record', value: 'good', next: 1 },
        { kind: 'malformed', raw: 'bad', error: new Error('not today'), next: 2 },
        { kind: 'record', value: 'fine', next: 3 },
      ]);
    });

    it('refuses offsets it never handed out, truncated ones, and reads after close', async () => {
      const dir = await folders.make();
      const journal = await openJournal<number>({ dir, segmentBytes: 64, groupCommitMs: 0 });
      for (let i = 0; i < 4; i++) await journal.append([i]);
      const source = journal.source();
      for (const from of [-1, 1.5, 5, '1']) {
        const error = thrownBy(() => source.read(from as number));
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect((error as Error).message).toBe(
          `Expected \`from\` to be a journal offset (an integer from 0 to 4), got \`${typeof from === 'string' ? '"1"' : from}\``,
        );
      }
      await journal.truncateBefore(2);
      const truncated = thrownBy(() => source.read(1));
      expect(truncated).toBeInstanceOf(JournalTruncatedError);
      expect(truncated).toMatchObject({ offset: 1, start: 2 });
      await journal.close();
      expect(thrownBy(() => source.read())).toBeInstanceOf(JournalClosedError);
    });

    it('refuses bad options, naming them', () => {
      return (async () => {
        const journal = await openTracked<number>({ dir: await folders.make() });
        expect((thrownBy(() => journal.source({ follow: 'no' as never })) as Error).message).toBe('Expected `follow` to be a boolean, got `"no"`');
        expect((thrownBy(() => journal.source({ bufferBytes: 0 })) as Error).message).toBe('Expected `bufferBytes` to be a positive integer, got `0`');
        expect((thrownBy(() => journal.source({ signal: {} as never })) as InvalidOptionError).option).toBe('signal');
      })();
    });
  });

  describe('close', () => {
    const openFiles = async (): Promise<number> => (await readdir('/proc/self/fd')).length;
    const timers = (): number => process.getActiveResourcesInfo().filter((name) => name === 'Timeout').length;

    it.runIf(process.platform === 'linux')('releases every file and timer, even those of reads left mid-way', async () => {
      const files = await openFiles();
      const timersBefore = timers();
      const journal = await openJournal<number>({ dir: await folders.make(), segmentBytes: 64, groupCommitMs: 50 });
      for (let i = 0; i < 3; i++) await journal.append([i]);
      const abandoned = journal.source().read(0)[Symbol.asyncIterator]();
      await abandoned.next(); // holds the first segment open, and is never returned
      const waiting = journal.source().read(journal.end)[Symbol.asyncIterator]();
      const pending = waiting.next(); // waits at the end
      const unflushed = journal.append([3]); // waits for the group-commit timer
      expect(await openFiles()).toBeGreaterThan(files);
      await journal.close();
      expect(await unflushed).toBe(4);
      expect((await pending).value).toMatchObject({ value: 3, next: 4 });
      expect(await waiting.next()).toEqual({ value: undefined, done: true });
      expect(await openFiles()).toBe(files);
      expect(timers()).toBeLessThanOrEqual(timersBefore);
      expect(await journal.close()).toBeUndefined(); // idempotent
    });
  });

  describe('truncateBefore', () => {
    it('deletes the segments wholly before the offset, never the one holding it, and keeps the start on reopen', async () => {
      const dir = await folders.make();
      const journal = await openJournal<number>({ dir, segmentBytes: 64, groupCommitMs: 0 });
      for (let i = 0; i < 6; i++) await journal.append([i]); // one record per segment
      expect(await segmentFiles(dir)).toHaveLength(6);
      expect(await journal.truncateBefore(3)).toBe(3);
      expect(await segmentFiles(dir)).toEqual(['0000000000000003.seg', '0000000000000004.seg', '0000000000000005.seg']);
      expect(await readValues(journal, 3)).toEqual([3, 4, 5]);
      expect(await journal.truncateBefore(1)).toBe(3); // already gone: nothing to do
      expect(await journal.truncateBefore(6)).toBe(5); // never the segment being written
      await journal.close();
      const reopened = await openTracked<number>({ dir, segmentBytes: 64 });
      expect([reopened.start, reopened.end]).toEqual([5, 6]);
      expect(await readValues(reopened)).toEqual([5]);
      expect(await reopened.append([6])).toBe(7);
    });

    it('keeps a segment that holds the offset mid-batch', async () => {
      const dir = await folders.make();
      const journal = await openTracked<number>({ dir, segmentBytes: 64, groupCommitMs: 0 });
      await journal.append([0, 1, 2]);
      await journal.append([3, 4, 5]);
      expect(await journal.truncateBefore(2)).toBe(0);
      expect(await journal.truncateBefore(3)).toBe(3);
    });

    it('makes a read that had yet to reach a deleted segment reject with JournalTruncatedError', async () => {
      const journal = await openTracked<number>({ dir: await folders.make(), segmentBytes: 64, groupCommitMs: 0 });
      for (let i = 0; i < 4; i++) await journal.append([i]);
      const items = journal.source().read(0)[Symbol.asyncIterator]();
      expect((await items.next()).value).toMatchObject({ value: 0 });
      await journal.truncateBefore(3);
      const error = await rejectionOf(items.next());
      expect(error).toBeInstanceOf(JournalTruncatedError);
      expect(error).toMatchObject({ offset: 1, start: 3 });
    });

    it('refuses offsets outside the journal', async () => {
      const journal = await openTracked<number>({ dir: await folders.make() });
      const error = await rejectionOf(journal.truncateBefore(1));
      expect((error as Error).message).toBe('Expected `offset` to be a journal offset (an integer from 0 to 0), got `1`');
    });
  });

  describe('recovery', () => {
    /** A journal in `dir` of six one-record segments (45 bytes each) and a last one of three batches. */
    async function written(dir: string): Promise<void> {
      const journal = await openJournal<string>({ dir, segmentBytes: 64, groupCommitMs: 0, codec: jsonCodec() });
      for (let i = 0; i < 3; i++) await journal.append([`s${i}`]);
      await journal.close();
    }

    it('cuts a torn tail off the last segment and reports how much', async () => {
      const dir = await folders.make();
      const journal = await openJournal<string>({ dir, groupCommitMs: 0, codec: jsonCodec() });
      await journal.append(['kept']);
      await journal.append(['torn']);
      await journal.close();
      const file = join(dir, '0000000000000000.seg');
      const size = (await stat(file)).size;
      const handle = await open(file, 'r+');
      await handle.truncate(size - 3);
      await handle.close();
      const reopened = await openTracked<string>({ dir, codec: jsonCodec() });
      expect(await readValues(reopened)).toEqual(['kept']);
      expect(reopened.stats().truncatedTailBytes).toBe(size - 3 - (await stat(file)).size);
      expect(await reopened.append(['again'])).toBe(2);
    });

    it('refuses to open over damage further from the end than a torn write reaches, naming the segment and position', async () => {
      const dir = await folders.make();
      const journal = await openJournal<string>({ dir, groupCommitMs: 0, maxBatchBytes: 64, codec: jsonCodec() });
      for (let i = 0; i < 10; i++) await journal.append([`record-${i}`]);
      await journal.close();
      const file = join(dir, '0000000000000000.seg');
      const bytes = await readFile(file);
      const position = bytes.indexOf('"record-2"') - 24; // the third frame: its header and the record's length come first
      bytes[position + 30] = 0x21;
      await writeFile(file, bytes);
      const error = await rejectionOf(openJournal<string>({ dir, maxBatchBytes: 64, codec: jsonCodec() }));
      expect(error).toBeInstanceOf(JournalCorruptedError);
      expect(error).toMatchObject({ segment: file, position, code: 'JOURNAL_CORRUPTED' });
      expect((error as Error).message).toMatch(/checksum mismatch/);
      // The lock is released: a later open sees the same damage, not a lock.
      expect(await rejectionOf(openJournal<string>({ dir, maxBatchBytes: 64 }))).toBeInstanceOf(JournalCorruptedError);
    });

    it('makes a read of a damaged earlier segment reject, naming the segment and position', async () => {
      const dir = await folders.make();
      await written(dir);
      const file = join(dir, '0000000000000000.seg');
      const bytes = await readFile(file);
      bytes[bytes.length - 2] = 0x21;
      await writeFile(file, bytes);
      const journal = await openTracked<string>({ dir, codec: jsonCodec() });
      const error = await rejectionOf(readItems(journal));
      expect(error).toBeInstanceOf(JournalCorruptedError);
      expect(error).toMatchObject({ segment: file, position: 20 });
      expect(await readValues(journal, 1)).toEqual(['s1', 's2']);
    });

    it('notices a missing segment in the middle', async () => {
      const dir = await folders.make();
      await written(dir);
      const { rm } = await import('node:fs/promises');
      await rm(join(dir, '0000000000000001.seg'));
      const journal = await openTracked<string>({ dir, codec: jsonCodec() });
      const error = await rejectionOf(readItems(journal));
      expect(error).toBeInstanceOf(JournalCorruptedError);
      expect((error as Error).message).toMatch(/ends before record 1 but the next one starts at 2/);
    });
  });
});
