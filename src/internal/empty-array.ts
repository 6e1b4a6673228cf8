/**
 * Emptying an array kept for reuse on a per-record path. The arrays emptied here hold one
 * record's few outputs, and popping them is inlined by the optimizing compiler, where
 * `array.length = 0` calls into the runtime every time, even on an empty array.
 */

/**
 * Removes every element of `array`, in place.
 * @example
 * ```ts
 * const outputs = [1, 2];
 * emptyArray(outputs); // outputs.length === 0
 * ```
 */
export function emptyArray(array: unknown[]): void {
  while (array.length > 0) array.pop();
}

/**
 * Sets the elements of `array` from `from` up to (not including) `to` to `undefined`, letting go
 * of what they held while keeping the slots for reuse. A plain loop, which the optimizing compiler
 * turns into a few stores per element: `array.fill(undefined, from, to)` goes through the
 * runtime's generic fill, several times the cost per element, on arrays emptied after every
 * message.
 * @example
 * ```ts
 * const log = ['a', 'b', 'c'];
 * clearSlots(log, 0, 2); // log is [undefined, undefined, 'c']
 * ```
 */
export function clearSlots(array: unknown[], from: number, to: number): void {
  for (let i = from; i < to; i++) array[i] = undefined;
}
