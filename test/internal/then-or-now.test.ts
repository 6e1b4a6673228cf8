import { describe, expect, it } from 'vitest';
import { isThenable, thenOrNow } from '../../src/internal/then-or-now.js';

describe('thenOrNow', () => {
  it('goes on at once from a value that is not a promise', () => {
    expect(thenOrNow(2, (n) => n + 1)).toBe(3);
    expect(thenOrNow(undefined, () => 'now')).toBe('now');
  });

  it('goes on once a promise, or any thenable, resolves, and passes a rejection on', async () => {
    const later = thenOrNow(Promise.resolve(2), (n) => n + 1);
    expect(later).toBeInstanceOf(Promise);
    expect(await later).toBe(3);
    const thenable: PromiseLike<number> = { then: (resolve) => Promise.resolve(5).then(resolve) };
    expect(await thenOrNow(thenable, (n) => n * 2)).toBe(10);
    await expect(thenOrNow(Promise.reject(new Error('no')), () => 1)).rejects.toThrow('no');
  });

  it('throws what a synchronous continuation throws, synchronously', () => {
    expect(() =>
      thenOrNow(1, () => {
        throw new Error('at once');
      }),
    ).toThrow('at once');
  });
});

describe('isThenable', () => {
  it('tells promises and objects or functions with a `then` method from everything else', () => {
    expect(isThenable(Promise.resolve())).toBe(true);
    expect(isThenable({ then: () => undefined })).toBe(true);
    expect(isThenable(Object.assign(() => undefined, { then: () => undefined }))).toBe(true);
    for (const value of [undefined, null, 0, 'then', { then: 1 }, []]) expect(isThenable(value)).toBe(false);
  });
});
