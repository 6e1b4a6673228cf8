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
});
