import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { NexmarkEvent } from '../../bench/nexmark/events.js';
import { generate } from '../../bench/nexmark/generator.js';
import { nexmarkSource } from '../../bench/nexmark/source.js';
import { InvalidOptionError, pipeline, toArray, type SourceItem } from '../../src/index.js';

async function read(items: AsyncIterable<SourceItem<NexmarkEvent, number>>, limit = Infinity): Promise<SourceItem<NexmarkEvent, number>[]> {
  const out: SourceItem<NexmarkEvent, number>[] = [];
  for await (const item of items) {
    if (out.length >= limit) break;
    out.push(item);
  }
  return out;
}

describe('nexmarkSource', () => {
  it('is replayable and starts at event 0', () => {
    const source = nexmarkSource({ events: 10 });
    expect(source).toMatchObject({ name: 'nexmark', replayable: true, start: 0 });
  });

  it('gives each event n the offset n + 1 to resume from', async () => {
    const items = await read(nexmarkSource({ events: 300 }).read());
    expect(items.map((item) => item.next)).toEqual(Array.from({ length: 300 }, (_, n) => n + 1));
    expect(items.map((item) => (item.kind === 'record' ? item.value : undefined))).toEqual(generate(0, 300));
  });

  it.prop([fc.nat(600)], { numRuns: 30 })('resumes at any event number with the very events generate makes', async (from) => {
    const items = await read(nexmarkSource({ events: 500, seed: 9 }).read(from));
    expect(items.map((item) => (item.kind === 'record' ? item.value : undefined))).toEqual(generate(from, Math.max(0, 500 - from), { seed: 9 }));
  });

  it('runs on without end by default', async () => {
    expect(await read(nexmarkSource().read(1e12), 3)).toHaveLength(3);
  });

  it('feeds a pipeline', async () => {
    const out = toArray<NexmarkEvent>();
    await pipeline(nexmarkSource({ events: 1000 }))
      .to(out)
      .run().done;
    expect(out.records).toEqual(generate(0, 1000));
  });

  it('rejects an event count that is not one', () => {
    expect(() => nexmarkSource({ events: -1 })).toThrow(InvalidOptionError);
  });

  it('rejects an offset that is not an event number', () => {
    expect(() => nexmarkSource().read(-1)).toThrow(InvalidOptionError);
  });
});
