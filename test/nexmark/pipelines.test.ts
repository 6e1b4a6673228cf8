import { describe, expect, it } from 'vitest';
import type { NexmarkEvent } from '../../bench/nexmark/events.js';
import { generate } from '../../bench/nexmark/generator.js';
import { compareQ0, q0 } from '../../bench/nexmark/models/q0.js';
import { Q1_ORDER, q1 } from '../../bench/nexmark/models/q1.js';
import { Q2_ORDER, q2 } from '../../bench/nexmark/models/q2.js';
import { Q3_ORDER, q3, type Q3Row } from '../../bench/nexmark/models/q3.js';
import { canonical } from '../../bench/nexmark/models/canonical.js';
import { q3Join, q3Pipeline, type Q3Join } from '../../bench/nexmark/pipelines/q3.js';
import { q0Pipeline, q1Pipeline, q2Pipeline } from '../../bench/nexmark/pipelines/stateless.js';
import { nexmarkSource } from '../../bench/nexmark/source.js';
import { fromArray, toArray, type Pipeline, type Sink, type Source } from '../../src/index.js';
import { auction, person } from './helpers.js';

const events = generate(0, 20_000);

async function run<TRow>(
  build: (source: Source<NexmarkEvent, unknown>, sink: Sink<TRow>) => Pipeline,
  source: Source<NexmarkEvent, unknown> = fromArray(events),
): Promise<TRow[]> {
  const sink = toArray<TRow>();
  await build(source, sink).run().done;
  return sink.records;
}

describe('Sluice Nexmark pipelines', () => {
  describe('q0Pipeline', () => {
    it('outputs what the model does', async () => {
      const out = await run(q0Pipeline);
      expect(out.length).toBe(20_000);
      expect([...out].sort(compareQ0)).toEqual(q0(events).sort(compareQ0));
    });
  });

  describe('q1Pipeline', () => {
    it('outputs what the model does', async () => {
      const model = q1(events);
      expect(model.length).toBeGreaterThan(0);
      expect(canonical(await run(q1Pipeline), Q1_ORDER)).toEqual(canonical(model, Q1_ORDER));
    });
  });

  describe('q2Pipeline', () => {
    it('outputs what the model does', async () => {
      const model = q2(events);
      expect(model.length).toBeGreaterThan(0);
      expect(canonical(await run(q2Pipeline), Q2_ORDER)).toEqual(canonical(model, Q2_ORDER));
    });
  });

  describe('q3Pipeline', () => {
    const model = canonical(q3(events), Q3_ORDER);

    it('outputs what the model does', async () => {
      expect(model.length).toBeGreaterThan(50);
      expect(canonical(await run((source, sink: Sink<Q3Row>) => q3Pipeline(source, sink, 4)), Q3_ORDER)).toEqual(model);
    });

    it('outputs the same with one partition, reading the generating source', async () => {
      const out = await run((source, sink: Sink<Q3Row>) => q3Pipeline(source, sink, 1), nexmarkSource({ events: 20_000 }));
      expect(canonical(out, Q3_ORDER)).toEqual(model);
    });

    it('outputs each match once when partitions crash and restart from their snapshots', async () => {
      const sink = toArray<Q3Row>();
      const handle = q3Pipeline(fromArray(events), sink, 3).run({ chaos: { crashRate: 0.003, seed: 7 } });
      await handle.done;
      expect(handle.metrics().restarts).toBeGreaterThan(0);
      expect(canonical(sink.records, Q3_ORDER)).toEqual(model);
    });
  });
});

describe('q3Join', () => {
  const local = person({ id: 7, name: 'Ada', city: 'Eugene', state: 'OR' });
  const elsewhere = person({ id: 7, state: 'WA' });

  /** Folds `inputs` into one seller's join, freezing every step so a mutation would throw. */
  function fold(inputs: Parameters<typeof q3Join.add>[1][]): readonly Q3Row[][] {
    let join: Q3Join = Object.freeze(q3Join.create(7));
    return inputs.map((input) => {
      join = deepFreeze(q3Join.add(join, input, 7));
      return [...q3Join.result(join, 7)];
    });
  }

  function deepFreeze<T>(value: T): T {
    if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
      Object.freeze(value);
      for (const field of Object.values(value)) deepFreeze(field);
    }
    return value;
  }

  it('holds auctions until their seller appears, then emits them all at once', () => {
    expect(fold([auction({ id: 1, seller: 7 }), auction({ id: 2, seller: 7 }), local])).toEqual([
      [],
      [],
      [
        { name: 'Ada', city: 'Eugene', state: 'OR', auction: 1 },
        { name: 'Ada', city: 'Eugene', state: 'OR', auction: 2 },
      ],
    ]);
  });

  it('emits each auction of a known local seller as it comes', () => {
    expect(fold([local, auction({ id: 3, seller: 7 })])).toEqual([[], [{ name: 'Ada', city: 'Eugene', state: 'OR', auction: 3 }]]);
  });

  it('drops held and later auctions of a seller who lives elsewhere', () => {
    expect(fold([auction({ id: 1, seller: 7 }), elsewhere, auction({ id: 2, seller: 7 })])).toEqual([[], [], []]);
  });

  it('ignores a second person with the same id', () => {
    expect(fold([local, elsewhere, auction({ id: 4, seller: 7 })])).toEqual([[], [], [{ name: 'Ada', city: 'Eugene', state: 'OR', auction: 4 }]]);
  });
});
