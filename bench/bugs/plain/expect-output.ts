/**
 * A plain property's comparisons of a pipeline's output with its model's: as multisets, or per
 * key in order. Records are compared by structure (keys in any order), and a difference throws an
 * Error that shows both sides, which fast-check prints with the counterexample.
 */
import { isDeepStrictEqual } from 'node:util';

/** JSON with object keys sorted: the same text for structurally equal records. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/** @throws Error when `actual` and `expected` do not hold the same records, each as often. */
export function expectSameMultiset<T>(actual: readonly T[], expected: readonly T[]): void {
  const sorted = (records: readonly T[]): string[] => records.map(canonical).sort();
  if (!isDeepStrictEqual(sorted(actual), sorted(expected))) {
    throw new Error(`output differs from the model\n  expected ${canonical(expected)}\n  actual   ${canonical(actual)}`);
  }
}

/** @throws Error when, for some key, `actual` does not hold `expected`'s records in their order. */
export function expectSamePerKey<T>(actual: readonly T[], expected: readonly T[], keyOf: (record: T) => unknown): void {
  const byKey = (records: readonly T[]): Map<string, string[]> => {
    const groups = new Map<string, string[]>();
    for (const record of records) {
      const key = canonical(keyOf(record));
      const group = groups.get(key) ?? [];
      group.push(canonical(record));
      groups.set(key, group);
    }
    return groups;
  };
  const got = byKey(actual);
  for (const [key, records] of byKey(expected)) {
    if (!isDeepStrictEqual(got.get(key) ?? [], records)) {
      throw new Error(`output for key ${key} differs from the model\n  expected ${records.join(', ')}\n  actual   ${(got.get(key) ?? []).join(', ')}`);
    }
    got.delete(key);
  }
  if (got.size > 0) throw new Error(`output has keys the model has not: ${[...got.keys()].join(', ')}`);
}
