import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toArray, toCallback, toJsonLinesFile, toWritable } from '../../../src/index.js';

describe('toArray', () => {
  it('collects batches in order into the array it was given', async () => {
    const target = [0];
    const sink = toArray(target);
    await sink.write([1, 2]);
    await sink.write([3]);
    expect(sink.records).toBe(target);
    expect(target).toEqual([0, 1, 2, 3]);
  });
});

describe('toCallback', () => {
  it('awaits an async callback record by record before the write settles', async () => {
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = toCallback(async (n: number) => {
      if (n === 2) await gate;
      seen.push(n);
    });
    let settled = false;
    const writing = Promise.resolve(sink.write([1, 2, 3])).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([1]);
    expect(settled).toBe(false);
    release();
    await writing;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('fails the write when the callback throws', async () => {
    const error = new Error('nope');
    const sink = toCallback(() => {
      throw error;
    });
    await expect(Promise.resolve().then(() => sink.write([1]))).rejects.toBe(error);
  });

  it('rejects a callback that is not a function, naming `handle`', () => {
    expect(() => toCallback(42 as never)).toThrow('`handle`');
  });
});

describe('toWritable', () => {
  /** A Writable whose writes complete only when the test says so. */
  function slowWritable(highWaterMark: number) {
    const written: string[] = [];
    const pending: (() => void)[] = [];
    const stream = new Writable({
      objectMode: true,
      highWaterMark,
      write(chunk: string, _encoding, callback) {
        written.push(chunk);
        pending.push(() => callback());
      },
    });
    return { stream, written, completeAll: () => pending.splice(0).forEach((done) => done()) };
  }

  it('waits for drain when the stream buffer is full, so nothing piles up', async () => {
    const { stream, written, completeAll } = slowWritable(2);
    const sink = toWritable<string>(stream);
    let settled = false;
    const writing = Promise.resolve(sink.write(['a', 'b', 'c', 'd'])).then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(stream.writableLength).toBeLessThanOrEqual(2);
    while (!settled) {
      completeAll();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writing;
    completeAll();
    expect(written).toEqual(['a', 'b', 'c', 'd']);
  });

  it('serializes records and ends the stream on close', async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const sink = toWritable(stream, { serialize: (n: number) => `${n}\n` });
    await sink.write([1, 2]);
    await sink.close?.();
    expect(chunks.join('')).toBe('1\n2\n');
    expect(stream.writableFinished).toBe(true);
  });

  it('surfaces a stream error as a failed write', async () => {
    const error = new Error('disk gone');
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(error);
      },
    });
    const sink = toWritable(stream, { serialize: (s: string) => s });
    await Promise.resolve(sink.write(['x'])).catch(() => undefined);
    await new Promise((resolve) => setImmediate(resolve));
    await expect(Promise.resolve().then(() => sink.write(['y']))).rejects.toBe(error);
  });

  it('rejects something that is not a Writable, naming `stream`', () => {
    expect(() => toWritable({} as never)).toThrow('`stream`');
  });
});

describe('toJsonLinesFile', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-sinks-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one JSON value per line and closes the file', async () => {
    const path = join(dir, 'out.jsonl');
    const sink = toJsonLinesFile<{ word: string; count: number }>(path);
    await sink.write([{ word: 'a', count: 2 }]);
    await sink.write([{ word: 'é', count: 1 }]);
    await sink.close?.();
    expect(await readFile(path, 'utf8')).toBe('{"word":"a","count":2}\n{"word":"é","count":1}\n');
  });

  it('creates an empty file when closed without writes', async () => {
    const path = join(dir, 'empty.jsonl');
    await toJsonLinesFile(path).close?.();
    expect(await readFile(path, 'utf8')).toBe('');
  });

  it('rejects an empty path, naming `path`', () => {
    expect(() => toJsonLinesFile('')).toThrow('`path`');
  });
});
