import { describe, expect, it } from 'vitest';
import { END_OF_TIME, WindowState, session, sliding, tumbling } from '../../../src/index.js';

const count = { create: () => 0, add: (n: number) => n + 1, merge: (a: number, b: number) => a + b, result: (n: number) => n };

describe('WindowState', () => {
  describe('advance', () => {
    it('fires a window once, when the watermark reaches its last millisecond', () => {
      const state = new WindowState({ assigner: tumbling(10), aggregate: count });
      state.add('k', 1, 3);
      expect(state.advance(8)).toEqual([]);
      expect(state.advance(9)).toEqual([{ key: 'k', window: { start: 0, end: 10 }, result: 1, late: false }]);
      expect(state.advance(20)).toEqual([]);
    });

    it('fires in order of window end, then of arrival', () => {
      const state = new WindowState({ assigner: tumbling(10), aggregate: count });
      state.add('b', 1, 15);
      state.add('a', 1, 5);
      state.add('c', 1, 12);
      expect(state.advance(END_OF_TIME).map((f) => [f.key, f.window.start])).toEqual([
        ['a', 0],
        ['b', 10],
        ['c', 10],
      ]);
    });

    it('never moves the watermark back', () => {
      const state = new WindowState({ assigner: tumbling(10), aggregate: count });
      state.advance(50);
      state.advance(20);
      expect(state.watermark).toBe(50);
    });
  });

  describe('add', () => {
    it('updates a fired window with a late record within the allowed lateness, marked late', () => {
      const state = new WindowState({ assigner: tumbling(10), aggregate: count, allowedLatenessMs: 5 });
      state.add('k', 1, 3);
      state.advance(10);
      expect(state.add('k', 1, 4)).toEqual({ late: false, firings: [{ key: 'k', window: { start: 0, end: 10 }, result: 2, late: true }] });
    });

    it('refuses a record whose window is past the allowed lateness, for the side output', () => {
      const state = new WindowState({ assigner: tumbling(10), aggregate: count, allowedLatenessMs: 5 });
      state.add('k', 1, 3);
      state.advance(14);
      expect(state.add('k', 1, 4)).toEqual({ late: true, firings: [] });
      expect(state.windowCount).toBe(0);
    });

    it('keeps one accumulator per pane of sliding windows with a merge, and merges them when a window fires', () => {
      const state = new WindowState({ assigner: sliding(10, 5), aggregate: count });
      state.add('k', 1, 3);
      state.add('k', 1, 7);
      state.add('k', 1, 12);
      expect(state.windowCount).toBe(3);
      expect(state.advance(END_OF_TIME).map((f) => [f.window.start, f.result])).toEqual([
        [-5, 1],
        [0, 2],
        [5, 2],
        [10, 1],
      ]);
      expect(state.windowCount).toBe(0);
    });

    it('merges sessions that a record bridges, and fires the merged window', () => {
      const state = new WindowState({ assigner: session(10), aggregate: count });
      state.add('k', 1, 0);
      state.add('k', 1, 18);
      expect(state.windowCount).toBe(2);
      state.add('k', 1, 9);
      expect(state.windowCount).toBe(1);
      expect(state.advance(END_OF_TIME)).toEqual([{ key: 'k', window: { start: 0, end: 28 }, result: 3, late: false }]);
    });
  });

  it('requires aggregate.merge for session windows, naming it', () => {
    expect(() => new WindowState({ assigner: session(10), aggregate: { create: () => 0, add: (n: number) => n, result: (n: number) => n } })).toThrow(
      '`aggregate.merge`',
    );
  });

  it('rejects a negative allowed lateness, naming it', () => {
    expect(() => new WindowState({ assigner: tumbling(10), aggregate: count, allowedLatenessMs: -1 })).toThrow('`allowedLatenessMs`');
  });
});
