/**
 * Compares a pipeline's output with a model's: values are equal when their canonical forms are
 * (structure, not identity: object keys in any order, Maps and Sets by content), and outputs are
 * compared as multisets, per key in order, or in total order. A difference is reported as what is
 * missing and what is unexpected, so a failure says what went wrong, not just that something did.
 */
import fc from 'fast-check';
import type { Comparison } from '../check-pipeline.js';

/** A canonical text of `value`: equal for structurally equal values. */
export function canonical(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? '0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'undefined';
    case 'boolean':
      return String(value);
    case 'symbol':
    case 'function':
      return String(value);
    case 'object':
      break;
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value instanceof Map)
    return `Map{${[...value]
      .map(([k, v]) => `${canonical(k)}=>${canonical(v)}`)
      .sort()
      .join(',')}}`;
  if (value instanceof Set) return `Set{${[...value].map(canonical).sort().join(',')}}`;
  // An invalid date has no ISO text (toISOString throws).
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Date(invalid)' : `Date(${value.toISOString()})`;
  const keys = Object.keys(value as object);
  if (keys.length > 1) keys.sort();
  // Concatenated, not mapped and joined: records are mostly small objects, and this runs for each.
  let text = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    text += `${i === 0 ? '' : ','}${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`;
  }
  return `${text}}`;
}

/**
 * Whether `a` and `b` have the same {@link canonical} text, mostly without making it: primitives,
 * plain objects and arrays of one length are compared in place; anything else (Maps, Sets, Dates,
 * values of different types, arrays of different lengths, which holes can make alike) by their
 * texts. Element by element, it tells apart the rare values whose texts run together (symbols and
 * functions whose text holds a comma), which the texts of their arrays would not.
 */
export function sameCanonical(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const type = typeof a;
  if (type !== typeof b) return canonical(a) === canonical(b);
  switch (type) {
    case 'string':
    case 'bigint':
    case 'boolean':
      return false;
    case 'number':
      // Distinct numbers print differently, but NaN is not === itself (and 0 and -0 were ===).
      return Number.isNaN(a) && Number.isNaN(b);
    case 'object':
      break;
    default:
      return canonical(a) === canonical(b);
  }
  if (a === null || b === null) return false;
  const arrays = Array.isArray(a);
  if (arrays !== Array.isArray(b)) return false;
  if (arrays) {
    const left = a as readonly unknown[];
    const right = b as readonly unknown[];
    if (left.length !== right.length) return canonical(a) === canonical(b);
    for (let i = 0; i < left.length; i++) {
      const hole = !(i in left);
      if (hole !== !(i in right)) return false;
      if (!hole && !sameCanonical(left[i], right[i])) return false;
    }
    return true;
  }
  if (a instanceof Map || a instanceof Set || a instanceof Date || b instanceof Map || b instanceof Set || b instanceof Date) {
    return canonical(a) === canonical(b);
  }
  // The own enumerable keys, as `Object.keys` has them, walked without making their arrays (this runs for every record).
  let keys = 0;
  for (const key in a as object) {
    if (!Object.hasOwn(a as object, key)) continue;
    keys++;
    if (!Object.prototype.propertyIsEnumerable.call(b, key)) return false;
    if (!sameCanonical((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  }
  let others = 0;
  for (const key in b as object) if (Object.hasOwn(b as object, key)) others++;
  return keys === others;
}

/**
 * What identifies `key` among keys, as canonical texts do: a primitive stands for itself (a Map
 * takes 0 and -0, and NaN, as one key, as their texts do), anything else by a symbol per text. No
 * primitive's text is another type's, nor any object's, so the two never mix.
 */
function keyIdentity(key: unknown, texts: Map<string, symbol>): unknown {
  const type = typeof key;
  if (key === null || (type !== 'object' && type !== 'symbol' && type !== 'function')) return key;
  const text = canonical(key);
  let identity = texts.get(text);
  if (identity === undefined) texts.set(text, (identity = Symbol(text)));
  return identity;
}

/** What differs between an actual and an expected output. */
export interface OutputDifference {
  /** The first problem, in a line. */
  readonly summary: string;
  /** Details, one per line. */
  readonly details: readonly string[];
}

const SHOWN = 6;

/** `value` for people: JSON where it can be (keys in their order), fast-check's notation where not. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || typeof value !== 'object') return fc.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(',')}]`;
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return fc.stringify(value);
  return `{${Object.keys(value)
    .map((key) => `${JSON.stringify(key)}:${show((value as Record<string, unknown>)[key])}`)
    .join(',')}}`;
}

/** Missing and unexpected records between two lists, by count; empty lists when equal as multisets. */
function multisetDifference<T>(actual: readonly T[], expected: readonly T[]): { missing: T[]; unexpected: T[] } {
  const counts = new Map<string, { value: T; count: number }>();
  for (const value of expected) {
    const key = canonical(value);
    const entry = counts.get(key);
    if (entry === undefined) counts.set(key, { value, count: 1 });
    else entry.count++;
  }
  const unexpected: T[] = [];
  for (const value of actual) {
    const entry = counts.get(canonical(value));
    if (entry === undefined || entry.count === 0) unexpected.push(value);
    else entry.count--;
  }
  const missing: T[] = [];
  for (const { value, count } of counts.values()) for (let i = 0; i < count; i++) missing.push(value);
  return { missing, unexpected };
}

function listed(label: string, values: readonly unknown[]): string[] {
  if (values.length === 0) return [];
  const shown = values.slice(0, SHOWN).map(show).join(', ');
  return [`${label} (${values.length}): ${shown}${values.length > SHOWN ? ', …' : ''}`];
}

/** The first index where two sequences differ, or -1. */
function firstDifference(actual: readonly unknown[], expected: readonly unknown[]): number {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (i >= actual.length || i >= expected.length || !sameCanonical(actual[i], expected[i])) return i;
  }
  return -1;
}

/** How two sequences differ, or undefined; `what` names them, asked only when they do. */
function sequenceDifference(actual: readonly unknown[], expected: readonly unknown[], what: () => string): OutputDifference | undefined {
  const at = firstDifference(actual, expected);
  if (at === -1) return undefined;
  const { missing, unexpected } = multisetDifference(actual, expected);
  const details = [
    `expected ${show(expected.slice(0, 12))}${expected.length > 12 ? ` … (${expected.length})` : ''}`,
    `actual   ${show(actual.slice(0, 12))}${actual.length > 12 ? ` … (${actual.length})` : ''}`,
    ...listed('missing', missing),
    ...listed('unexpected', unexpected),
  ];
  const same = missing.length === 0 && unexpected.length === 0;
  const summary = same
    ? `${what()} has the right records in the wrong order (first difference at position ${at})`
    : `${what()} differs from the model at position ${at}`;
  return { summary, details };
}

/**
 * How `actual` differs from `expected` under `comparison`, or undefined when it does not.
 * `keyOf` is needed for `'per-key-order'`.
 */
export function compareOutputs<T>(
  actual: readonly T[],
  expected: readonly T[],
  comparison: Comparison,
  keyOf?: (record: T) => unknown,
): OutputDifference | undefined {
  switch (comparison) {
    case 'total-order':
      return sequenceDifference(actual, expected, () => 'the output');
    case 'multiset': {
      const { missing, unexpected } = multisetDifference(actual, expected);
      if (missing.length === 0 && unexpected.length === 0) return undefined;
      const summary = `the output differs from the model as a multiset (${actual.length} record${actual.length === 1 ? '' : 's'}, expected ${expected.length})`;
      return { summary, details: [...listed('missing', missing), ...listed('unexpected', unexpected)] };
    }
    case 'per-key-order': {
      const key = keyOf as (record: T) => unknown;
      const texts = new Map<string, symbol>();
      const group = (records: readonly T[]): Map<unknown, { key: unknown; records: T[] }> => {
        const groups = new Map<unknown, { key: unknown; records: T[] }>();
        for (const record of records) {
          const k = key(record);
          const id = keyIdentity(k, texts);
          const entry = groups.get(id);
          if (entry === undefined) groups.set(id, { key: k, records: [record] });
          else entry.records.push(record);
        }
        return groups;
      };
      const actualGroups = group(actual);
      const expectedGroups = group(expected);
      const ids = [...new Set([...expectedGroups.keys(), ...actualGroups.keys()])];
      for (const id of ids) {
        const a = actualGroups.get(id);
        const e = expectedGroups.get(id);
        const difference = sequenceDifference(a?.records ?? [], e?.records ?? [], () => `the output for key ${show((a ?? e)?.key)}`);
        if (difference !== undefined) return difference;
      }
      return undefined;
    }
  }
}
