import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  fromArray,
  fromFileLines,
  fromGenerator,
  fromIterable,
  fromJsonLines,
  fromReadable,
  type LineOffset,
  type SourceItem,
} from '../../../src/index.js';

async function collect<T, O>(items: AsyncIterable<SourceItem<T, O>>): Promise<SourceItem<T, O>[]> {
  const out: SourceItem<T, O>[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const values = <T, O>(items: SourceItem<T, O>[]) => items.map((item) => (item.kind === 'record' ? item.value : item.raw));

describe('fromArray', () => {
  it('yields each record with the index to resume from after it', async () => {
    const items = await collect(fromArray(['a', 'b', 'c']).read());
    expect(items).toEqual([
      { kind: 'record', value: 'a', next: 1 },
      { kind: 'record', value: 'b', next: 2 },
      { kind: 'record', value: 'c', next: 3 },
    ]);
  });

  it('resumes from any offset it handed out', async () => {
    const source = fromArray([10, 20, 30, 40]);
    expect(source.replayable).toBe(true);
    expect(values(await collect(source.read(2)))).toEqual([30, 40]);
    expect(values(await collect(source.read(4)))).toEqual([]);
  });

  it('can be read synchronously, to the length the array had when the read began', () => {
    const records = [10, 20, 30];
    const items = fromArray(records).read(1) as unknown as Iterable<SourceItem<number, number>>;
    const read: SourceItem<number, number>[] = [];
    for (const item of items) {
      read.push(item);
      records.push(99);
    }
    expect(read).toEqual([
      { kind: 'record', value: 20, next: 2 },
      { kind: 'record', value: 30, next: 3 },
    ]);
    expect([...(fromArray(records).read(9) as unknown as Iterable<unknown>)]).toEqual([]);
  });

  it('rejects an offset that is not a record index, naming `from`', () => {
    expect(() => fromArray([1]).read(-1)).toThrow('`from`');
    expect(() => fromArray([1]).read(1.5)).toThrow(InvalidOptionError);
    expect(() => fromArray([1]).readChunks?.(-1)).toThrow('`from`');
  });

  it('hands its records over in place, as one chunk of the array itself with indexes for offsets', () => {
    const records = [10, 20, 30, 40];
    const chunks = [...(fromArray(records).readChunks?.(1) ?? [])];
    expect(chunks).toHaveLength(1);
    const [chunk] = chunks;
    expect(chunk?.records).toBe(records);
    expect([chunk?.start, chunk?.end]).toEqual([1, 4]);
    expect([1, 2, 4].map((index) => chunk?.offsetAt(index))).toEqual([1, 2, 4]);
    expect([...(fromArray(records).readChunks?.(4) ?? [])].map(({ start, end }) => [start, end])).toEqual([[4, 4]]);
  });
});

describe('fromGenerator', () => {
  it('asks the generator for the sequence from the resume index', async () => {
    const asked: number[] = [];
    const source = fromGenerator(function* (from) {
      asked.push(from);
      for (let i = from; i < 5; i++) yield i * i;
    });
    expect(values(await collect(source.read(3)))).toEqual([9, 16]);
    expect(asked).toEqual([3]);
  });

  it('reads lazily: nothing is generated ahead of what the consumer took', async () => {
    let generated = 0;
    const source = fromGenerator(function* () {
      for (;;) {
        generated++;
        yield generated;
      }
    });
    const iterator = source.read()[Symbol.asyncIterator]();
    await iterator.next();
    await iterator.next();
    expect(generated).toBe(2);
    await iterator.return?.();
  });
});

describe('fromIterable', () => {
  it('reads an async iterable once and counts its records', async () => {
    async function* words() {
      yield 'x';
      yield 'y';
    }
    const source = fromIterable(words());
    expect(source.replayable).toBe(false);
    expect(await collect(source.read())).toEqual([
      { kind: 'record', value: 'x', next: 1 },
      { kind: 'record', value: 'y', next: 2 },
    ]);
    expect(() => source.read()).toThrow('one-shot');
  });

  it('refuses a non-iterable, naming `records`', () => {
    expect(() => fromIterable(42 as never)).toThrow('`records`');
  });
});

describe('fromReadable', () => {
  it('yields the chunks of an object-mode stream', async () => {
    const items = await collect(fromReadable<{ n: number }>(Readable.from([{ n: 1 }, { n: 2 }])).read());
    expect(values(items)).toEqual([{ n: 1 }, { n: 2 }]);
  });

  it('yields the lines of a byte stream with lines: true', async () => {
    const stream = Readable.from([Buffer.from('one\ntw'), Buffer.from('o\r\nthree')], { objectMode: false });
    expect(values(await collect(fromReadable<string>(stream, { lines: true }).read()))).toEqual(['one', 'two', 'three']);
  });

  it('hands over what the stream has buffered in one batch, the same items as read', async () => {
    const objects = Array.from({ length: 500 }, (_, n) => ({ n }));
    const stream = new Readable({ objectMode: true, highWaterMark: 64, read() {} });
    for (const object of objects) stream.push(object);
    stream.push(null);
    const source = fromReadable<{ n: number }>(stream);
    const batches: SourceItem<{ n: number }, number>[][] = [];
    for await (const batch of source.readBatches?.() ?? []) batches.push([...batch]);
    expect(batches.length).toBeLessThan(10);
    expect(batches.flat()).toEqual(objects.map((value, i) => ({ kind: 'record', value, next: i + 1 })));
    await expect(collect(source.read())).rejects.toThrow('one-shot');
  });

  it('lets go of a stream that refills synchronously, a bounded batch at a time', async () => {
    let n = 0;
    const endless = new Readable({
      objectMode: true,
      read() {
        this.push(n++);
      },
    });
    const iterator = fromReadable<number>(endless).readBatches?.()[Symbol.asyncIterator]();
    const first = await iterator?.next();
    expect(first?.done).toBe(false);
    expect((first?.value as unknown[]).length).toBeLessThanOrEqual(1024);
    await iterator?.return?.();
    expect(endless.destroyed).toBe(true);
  });

  it('hands over the lines of a byte stream a chunk at a time with lines: true', async () => {
    const stream = Readable.from([Buffer.from('one\ntwo\nth'), Buffer.from('ree\r\nfour')], { objectMode: false });
    const batches: string[][] = [];
    for await (const batch of fromReadable<string>(stream, { lines: true }).readBatches?.() ?? []) {
      batches.push(batch.map((item) => (item.kind === 'record' ? item.value : item.raw)));
    }
    expect(batches).toEqual([['one', 'two'], ['three'], ['four']]);
  });

  it('refuses something that is not a Readable, naming `stream`', () => {
    expect(() => fromReadable({} as never)).toThrow('`stream`');
  });
});

describe('file sources', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-sources-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('fromFileLines', () => {
    it('yields each line with the byte position and number of the next', async () => {
      const path = join(dir, 'in.txt');
      await writeFile(path, 'héllo\r\nworld\n\nlast');
      const items = await collect(fromFileLines(path).read());
      expect(items).toEqual([
        { kind: 'record', value: 'héllo', next: { byte: 8, line: 2 } },
        { kind: 'record', value: 'world', next: { byte: 14, line: 3 } },
        { kind: 'record', value: '', next: { byte: 15, line: 4 } },
        { kind: 'record', value: 'last', next: { byte: 19, line: 5 } },
      ]);
    });

    it('resumes from a recorded offset with the right line numbers', async () => {
      const path = join(dir, 'in.txt');
      await writeFile(path, Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n'));
      const source = fromFileLines(path, { chunkSize: 7 });
      const all = await collect(source.read());
      const resumeAt = all[41]?.next;
      expect(resumeAt?.line).toBe(43);
      const rest = await collect(source.read(resumeAt));
      expect(rest).toEqual(all.slice(42));
      expect(values(rest)[0]).toBe('line 43');
    });

    it('streams a file far larger than its chunk size without losing a line', async () => {
      const path = join(dir, 'big.txt');
      const lines = 200_000;
      await writeFile(path, Array.from({ length: lines }, (_, i) => `record-${i}`).join('\n') + '\n');
      let count = 0;
      let last = '';
      for await (const item of fromFileLines(path, { chunkSize: 4096 }).read()) {
        count++;
        if (item.kind === 'record') last = item.value;
      }
      expect(count).toBe(lines);
      expect(last).toBe(`record-${lines - 1}`);
    });

    it('hands over a chunk of lines at a time, the same items as read, from any offset', async () => {
      const path = join(dir, 'in.txt');
      await writeFile(path, Array.from({ length: 300 }, (_, i) => (i % 7 === 0 ? '' : `line ${i + 1}`)).join('\r\n'));
      for (const options of [{ chunkSize: 5 }, { chunkSize: 64 }, { skipBlank: true }]) {
        const source = fromFileLines(path, options);
        const all = await collect(source.read());
        for (const from of [undefined, all[0]?.next, all[150]?.next, all[all.length - 1]?.next]) {
          const batches: SourceItem<string, LineOffset>[][] = [];
          for await (const batch of source.readBatches?.(from) ?? []) batches.push([...batch]);
          expect(batches.every((batch) => batch.length > 0)).toBe(true);
          expect(batches.flat()).toEqual(await collect(source.read(from)));
        }
        if (options.chunkSize === 64) {
          // 64-byte chunks of ~9-byte lines: a few lines per batch, not one.
          const batches: number[] = [];
          for await (const batch of source.readBatches?.() ?? []) batches.push(batch.length);
          expect(Math.max(...batches)).toBeGreaterThan(3);
        }
      }
    });

    it('rejects an offset that is not a line offset, naming `from`', async () => {
      const path = join(dir, 'in.txt');
      await writeFile(path, 'x');
      await expect(collect(fromFileLines(path).read({ byte: -1, line: 1 }))).rejects.toThrow('`from`');
    });
  });

  describe('fromJsonLines', () => {
    it('parses each line and reports a malformed one with its line number, going on after it', async () => {
      const path = join(dir, 'in.jsonl');
      await writeFile(path, '{"word":"a"}\n{"word":\n\n{"word":"b"}\n');
      const items = await collect(fromJsonLines<{ word: string }>(path).read());
      expect(items.map((item) => item.kind)).toEqual(['record', 'malformed', 'record']);
      expect(items[0]).toMatchObject({ kind: 'record', value: { word: 'a' } });
      const malformed = items[1];
      expect(malformed).toMatchObject({ kind: 'malformed', raw: '{"word":', line: 2, next: { byte: 22, line: 3 } });
      expect(malformed?.kind === 'malformed' && malformed.error).toBeInstanceOf(SyntaxError);
      expect(items[2]).toMatchObject({ kind: 'record', value: { word: 'b' }, next: { line: 5 } });
      const batches: SourceItem<{ word: string }, LineOffset>[] = [];
      for await (const batch of fromJsonLines<{ word: string }>(path).readBatches?.() ?? []) batches.push(...batch);
      expect(batches).toEqual(items);
    });
  });

  it('refuses an empty path, naming `path`', () => {
    expect(() => fromFileLines('')).toThrow('`path`');
  });
});
