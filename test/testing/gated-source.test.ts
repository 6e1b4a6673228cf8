import { describe, expect, it } from 'vitest';
import { gatedSource, SourceGate } from '../../src/testing/internal/gated-source.js';

describe('gatedSource', () => {
  it('delivers each record, and the end, only as the gate opens at it', async () => {
    const gate = new SourceGate(['a', 'b']);
    const items = gatedSource(gate).read(0)[Symbol.asyncIterator]();
    expect(gate.waiting).toBeUndefined();
    const first = items.next();
    expect(gate.waiting).toBe(0);
    gate.open();
    expect(gate.waiting).toBeUndefined();
    expect(await first).toEqual({ done: false, value: { kind: 'record', value: 'a', next: 1 } });
    const second = items.next();
    expect(gate.waiting).toBe(1);
    gate.open();
    expect((await second).value).toEqual({ kind: 'record', value: 'b', next: 2 });
    const end = items.next();
    expect(gate.waiting).toBe(2);
    gate.open();
    expect(await end).toEqual({ done: true, value: undefined });
    expect(await items.next()).toEqual({ done: true, value: undefined });
    expect(gate.waiting).toBeUndefined();
  });

  it('reads from an offset, refuses one outside the input, and stops waiting once returned', async () => {
    const gate = new SourceGate([1, 2, 3]);
    const source = gatedSource(gate);
    expect(() => source.read(4)).toThrow(/from 0 to 3/);
    const items = source.read(2)[Symbol.asyncIterator]();
    const pending = items.next();
    expect(gate.waiting).toBe(2);
    await items.return?.();
    // A read already waiting still gets its record when the gate opens; none waits after it.
    gate.open();
    expect((await pending).value).toEqual({ kind: 'record', value: 3, next: 3 });
    expect(await items.next()).toEqual({ done: true, value: undefined });
    expect(gate.waiting).toBeUndefined();
  });

  it('opens nothing when nothing waits', () => {
    const gate = new SourceGate([1]);
    gate.open();
    expect(gate.waiting).toBeUndefined();
  });

  it('feeds each record, and the end, from a microtask after the gate opens at it, never inside open()', async () => {
    const gate = new SourceGate(['a', 'b']);
    const got: string[] = [];
    const feed = gatedSource(gate).readFeed?.(1, {
      item: (item) => void got.push(`item ${String(item.kind === 'record' ? item.value : item.raw)} next ${item.next}`),
      end: () => void got.push('end'),
      fail: () => void got.push('fail'),
    });
    expect(gate.waiting).toBeUndefined();
    feed?.request();
    expect(gate.waiting).toBe(1);
    gate.open();
    expect(got).toEqual([]);
    expect(gate.waiting).toBeUndefined();
    await Promise.resolve();
    expect(got).toEqual(['item b next 2']);
    feed?.request();
    expect(gate.waiting).toBe(2);
    gate.open();
    await Promise.resolve();
    expect(got).toEqual(['item b next 2', 'end']);
    // After the end, a request is answered at once, as a finished iterator's `next()` is.
    feed?.request();
    expect(got).toEqual(['item b next 2', 'end', 'end']);
    expect(gate.waiting).toBeUndefined();
  });

  it('answers nothing once its feed is cancelled, not even an opening already under way', async () => {
    const gate = new SourceGate([1, 2]);
    const got: unknown[] = [];
    const source = gatedSource(gate);
    expect(() => source.readFeed?.(3, { item: () => undefined, end: () => undefined, fail: () => undefined })).toThrow(/from 0 to 2/);
    const feed = source.readFeed?.(0, { item: (item) => void got.push(item.next), end: () => void got.push('end'), fail: () => undefined });
    feed?.request();
    gate.open();
    feed?.cancel();
    await Promise.resolve();
    expect(got).toEqual([]);
    expect(gate.waiting).toBeUndefined();
  });
});
