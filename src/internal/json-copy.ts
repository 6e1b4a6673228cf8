/**
 * A copy of a value exactly as JSON would hand it back (`JSON.parse(JSON.stringify(value))`),
 * made without the text: what a checkpoint kept in memory restores is what a folder's JSON
 * restores. Plain data (objects and arrays of strings, numbers, booleans and null) is copied
 * directly, with JSON's rules (non-finite numbers and -0 as JSON writes them, undefined, functions
 * and symbols left out of objects and null in arrays); anything else in it (a `toJSON`, a class
 * instance, a Map, a bigint, a cycle) sends the whole value through JSON, so every result and
 * every error is JSON's own.
 */

/** Past this depth the value goes through JSON, whose own check tells a cycle from a deep value. */
const MAX_DEPTH = 64;

/** Marks a value the direct copy does not take: the whole value goes through JSON. */
const THROUGH_JSON: unique symbol = Symbol('through JSON');

/**
 * What `JSON.parse(JSON.stringify(value))` returns (undefined where `JSON.stringify` returns
 * undefined), sharing no object with `value`.
 * @throws whatever `JSON.stringify` throws for `value` (a bigint, a cycle).
 * @example
 * ```ts
 * jsonCopy({ id: 1, at: undefined, ratio: NaN, tags: ['a', undefined] }); // { id: 1, ratio: null, tags: ['a', null] }
 * ```
 */
export function jsonCopy<T>(value: T): T {
  const copied = copyPlain(value, 0);
  if (copied !== THROUGH_JSON) return copied as T;
  const text = JSON.stringify(value) as string | undefined;
  return (text === undefined ? undefined : JSON.parse(text)) as T;
}

/** The copy of `value` as an object property or array element holds it, or {@link THROUGH_JSON}. */
function copyPlain(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON writes NaN and the infinities as null, and -0 as 0.
      return Number.isFinite(value) ? value + 0 : null;
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    case 'object':
      if (value === null) return null;
      if (depth >= MAX_DEPTH || 'toJSON' in value) return THROUGH_JSON;
      return Array.isArray(value) ? copyArray(value, depth + 1) : copyObject(value, depth + 1);
    default:
      return THROUGH_JSON;
  }
}

function copyArray(array: readonly unknown[], depth: number): unknown {
  if (Object.getPrototypeOf(array) !== Array.prototype) return THROUGH_JSON;
  const copy = new Array<unknown>(array.length);
  for (let i = 0; i < array.length; i++) {
    const element = copyPlain(array[i], depth);
    if (element === THROUGH_JSON) return THROUGH_JSON;
    // JSON writes what it leaves out of an object as null in an array (a hole too).
    copy[i] = element === undefined ? null : element;
  }
  return copy;
}

function copyObject(object: object, depth: number): unknown {
  const prototype: unknown = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) return THROUGH_JSON;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    // JSON.parse makes `__proto__` an own property; an assignment would set the prototype.
    if (key === '__proto__') return THROUGH_JSON;
    const property = copyPlain((object as Record<string, unknown>)[key], depth);
    if (property === THROUGH_JSON) return THROUGH_JSON;
    if (property !== undefined) copy[key] = property;
  }
  return copy;
}
