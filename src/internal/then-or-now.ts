/**
 * Going on from a value that may be a promise: at once when it is not, so a callee that answers
 * synchronously (a sink writing to memory) costs its caller no promise and no turn of the
 * microtask queue; after it settles when it is.
 */

/** Whether `value` is a promise or any other thenable, which `await` would wait for. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * `next(value)` now when `value` is not a thenable, else once it resolves (a rejection passes on).
 * @example
 * ```ts
 * thenOrNow(sink.write(records), () => records.length); // a number, or a promise of one
 * ```
 */
export function thenOrNow<T, R>(value: T | PromiseLike<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return isThenable(value) ? Promise.resolve(value).then(next) : next(value as T);
}
