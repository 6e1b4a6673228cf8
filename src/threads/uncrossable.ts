/**
 * What cannot cross to another thread intact. A link encodes records with the snapshot codec,
 * which would turn a function into nothing and a class instance into a plain object without a
 * word: records are checked before they go, and the first value that would not arrive as it left
 * is described, so the run fails at its first batch with a message naming it rather than computing
 * on something else.
 */

/** How deep a record is looked into; deeper (or cyclic) values are refused as such. */
const MAX_DEPTH = 64;

const TYPED_ARRAY = Object.getPrototypeOf(Uint8Array) as abstract new () => unknown;

/** What `value` is, for a message: its class when it has one. */
function kindOf(value: object): string {
  const constructor = (value as { constructor?: { name?: unknown } }).constructor;
  const name = typeof constructor?.name === 'string' && constructor.name !== '' ? constructor.name : undefined;
  return name === undefined ? 'an object with a prototype of its own' : `an instance of class ${name}`;
}

/**
 * The first part of `value` that cannot cross a thread intact, described ("a function", "a symbol",
 * "an instance of class Order"), or undefined when all of it can: primitives other than symbols,
 * plain objects, arrays, Maps, Sets, Dates, typed arrays and Buffers, nested in any way.
 */
export function uncrossable(value: unknown, depth = 0): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
    case 'undefined':
      return undefined;
    case 'function':
      return 'a function';
    case 'symbol':
      return 'a symbol';
  }
  if (value === null) return undefined;
  if (depth >= MAX_DEPTH) return `a value nested more than ${MAX_DEPTH} deep (or cyclic)`;
  const object = value as object;
  const prototype = Object.getPrototypeOf(object) as unknown;
  if (prototype === Object.prototype || prototype === null) {
    for (const key in object) {
      const found = uncrossable((object as Record<string, unknown>)[key], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (Array.isArray(object)) {
    for (let i = 0; i < object.length; i++) {
      const found = uncrossable(object[i], depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (object instanceof Map) {
    for (const [key, entry] of object) {
      const found = uncrossable(key, depth + 1) ?? uncrossable(entry, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (object instanceof Set) {
    for (const entry of object) {
      const found = uncrossable(entry, depth + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (object instanceof Date || object instanceof TYPED_ARRAY) return undefined;
  return kindOf(object);
}

/** The first entry of `entries` that cannot cross, with its index, or undefined. */
export function firstUncrossable(entries: readonly unknown[]): { readonly index: number; readonly what: string } | undefined {
  for (let i = 0; i < entries.length; i++) {
    const what = uncrossable(entries[i]);
    if (what !== undefined) return { index: i, what };
  }
  return undefined;
}
