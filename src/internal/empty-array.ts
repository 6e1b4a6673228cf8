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
 * Sets the first `count` elements of `array` to `undefined`, letting go of what they held while
 * keeping the slots for reuse. A plain loop, which the optimizing compiler turns into a few
 * stores per element: `array.fill(undefined, 0, count)` goes through the runtime's generic fill,
 * several times the cost per element, and an array of a batch's writes is emptied after every
 * message.
 * @example
 * ```ts
 * const log = ['a', 'b', 'c'];
 * clearSlots(log, 2); // log is [undefined, undefined, 'c']
 * ```
 */
export function clearSlots(array: unknown[], count: number): void {
  for (let i = 0; i < count; i++) array[i] = undefined;
}
