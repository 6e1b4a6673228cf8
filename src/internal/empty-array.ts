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
