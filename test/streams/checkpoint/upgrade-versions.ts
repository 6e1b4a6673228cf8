/**
 * The versions of a running word count that the upgrade tests swap: v1 emits each key's running
 * count as `{ key, value }`, v2 the same count, from the same state, as `key=value`, and a broken
 * version whose stages do not match the others' (so it cannot restore their checkpoints). Also the
 * model of what an upgrade at a record must give: every word counted once, in order per key, by
 * the version that read it.
 */
import { expect } from 'vitest';
import { pipeline, toCallback, type Keyed, type Pipeline, type Source } from '../../../src/index.js';

/** What every version writes into: v1's records and v2's strings, in the order the sink took them. */
export type VersionOutput = (Keyed<string, number> | string)[];

export interface VersionSetup {
  readonly source: Source<string, unknown>;
  readonly partitions: number;
  readonly out: VersionOutput;
  /** Called after each word the version reads, with how many it has read (in all its runs). */
  readonly onWord?: ((seen: number) => void) | undefined;
}

function counted(setup: VersionSetup) {
  let seen = 0;
  return pipeline(setup.source)
    .tap(() => setup.onWord?.(++seen))
    .keyBy((word) => word, { partitions: setup.partitions })
    .reduce(
      (n: number) => n + 1,
      () => 0,
    );
}

export function version1(setup: VersionSetup): Pipeline {
  return counted(setup).to(toCallback((record) => void setup.out.push(record)));
}

export function version2(setup: VersionSetup): Pipeline {
  return counted(setup)
    .map(({ key, value }) => `${key}=${value}`)
    .to(toCallback((line) => void setup.out.push(line)));
}

/** A version that cannot take the state: its count is another stage (id `tally`), so the state of `reduce` would be dropped. */
export function brokenVersion(setup: VersionSetup): Pipeline {
  return pipeline(setup.source)
    .keyBy((word) => word, { partitions: setup.partitions })
    .reduce(
      (n: number) => n + 1,
      () => 0,
      { id: 'tally' },
    )
    .to(toCallback((record) => void setup.out.push(record)));
}

/**
 * Checks `out` against the model: the words of `input` from `cuts[i - 1]` (0 for the first) up to
 * `cuts[i]` were counted by version `versions[i]`, and every key's updates came out in order.
 * Versions are told apart by the shape of what they wrote.
 */
export function expectCountedOnce(out: VersionOutput, input: readonly string[], cuts: readonly number[], versions: readonly (1 | 2)[]): void {
  const expected = new Map<string, string[]>();
  const counts = new Map<string, number>();
  let part = 0;
  input.forEach((word, i) => {
    while (i >= (cuts[part] ?? Infinity)) part++;
    const count = (counts.get(word) ?? 0) + 1;
    counts.set(word, count);
    expected.set(word, [...(expected.get(word) ?? []), `v${versions[part] ?? '?'} ${count}`]);
  });
  const actual = new Map<string, string[]>();
  for (const record of out) {
    const [key, value, version] = typeof record === 'string' ? [...record.split('='), 2] : [record.key, String(record.value), 1];
    actual.set(String(key), [...(actual.get(String(key)) ?? []), `v${version} ${value}`]);
  }
  expect(actual).toEqual(expected);
}
