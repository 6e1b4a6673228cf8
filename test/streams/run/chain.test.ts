import { describe, expect, it } from 'vitest';
import type { StatelessStep } from '../../../src/streams/internal/logical-plan.js';
import { StepError, fuse } from '../../../src/streams/run/chain.js';

const map = (name: string, fn: (record: unknown) => unknown): StatelessStep => ({ kind: 'map', name, fn });
const filter = (name: string, fn: (record: unknown) => boolean): StatelessStep => ({ kind: 'filter', name, fn });
const flatMap = (name: string, fn: (record: unknown) => Iterable<unknown>): StatelessStep => ({ kind: 'flatMap', name, fn });
const tap = (name: string, fn: (record: unknown) => void): StatelessStep => ({ kind: 'tap', name, fn });

describe('fuse', () => {
  it('passes a record through map, filter and tap in order', () => {
    const seen: unknown[] = [];
    const chain = fuse([map('double', (n) => (n as number) * 2), tap('see', (n) => void seen.push(n)), filter('big', (n) => (n as number) > 4)]);
    expect([...chain(3)]).toEqual([6]);
    expect([...chain(1)]).toEqual([]);
    expect(seen).toEqual([6, 2]);
  });

  it('gives a record unchanged through no steps', () => {
    expect([...fuse([])('a')]).toEqual(['a']);
  });

  it('runs the steps after a flatMap one at a time, every value through one step before the next', () => {
    const calls: string[] = [];
    const chain = fuse([
      flatMap('split', (s) => (s as string).split('')),
      map('upper', (c) => (calls.push(`upper ${String(c)}`), (c as string).toUpperCase())),
      tap('see', (c) => void calls.push(`see ${String(c)}`)),
    ]);
    expect([...chain('ab')]).toEqual(['A', 'B']);
    expect(calls).toEqual(['upper a', 'upper b', 'see A', 'see B']);
  });

  it('reuses its output array, emptied at each call', () => {
    const chain = fuse([flatMap('twice', (n) => [n, n])]);
    const first = chain(1);
    expect([...first]).toEqual([1, 1]);
    expect(chain(2)).toBe(first);
    expect([...first]).toEqual([2, 2]);
  });

  it('names the step that threw and gives nothing of the failed record on the next call', () => {
    const chain = fuse([
      flatMap('twice', (n) => [n, n]),
      map('fail on 2', (n) => {
        if (n === 2) throw new Error('two');
        return n;
      }),
    ]);
    expect(() => chain(2)).toThrow(StepError);
    try {
      chain(2);
    } catch (error) {
      expect((error as StepError).step).toBe('fail on 2');
    }
    expect([...chain(3)]).toEqual([3, 3]);
  });
});
