/**
 * The value itself: `reduce`'s result from its accumulator. One function for every run, not an
 * arrow per `reduce` call, so the call of a stage's `result` sees the same target from one run to
 * the next and V8 keeps the code it optimized for it (a new closure each run is a new target, and
 * throws that code away in every run after the first).
 */
export function itself<T>(value: T): T {
  return value;
}
