/**
 * A run as BENCHMARKS.md records it for the next run to compare with: JSON inside an HTML comment,
 * invisible when the Markdown is rendered. JSON never holds `--` outside a string, and inside one
 * it is written `-\u002d`, so the comment cannot be closed early by an implementation's name.
 */
import type { Scale } from '../harness/bench-case.js';
import type { BenchResult } from './bench-result.js';
import type { Machine } from './machine.js';
import type { ComparableResult } from './regression.js';

/** A run as written to BENCHMARKS.md. */
export interface RecordedRun {
  readonly scale: Scale;
  /** ISO 8601. */
  readonly date: string;
  readonly machine: Machine;
  readonly results: readonly BenchResult[];
}

/** A run as read back: only what a comparison needs is checked and kept. */
export interface PreviousRun {
  readonly scale: string;
  readonly date: string;
  readonly results: readonly ComparableResult[];
}

const OPEN = '<!-- sluice-bench-run';
const CLOSE = '-->';

/**
 * The HTML comment that records `run`.
 *
 * @example
 * ```ts
 * embedRun(run); // '<!-- sluice-bench-run\n{"scale":"full",...}\n-->'
 * ```
 */
export function embedRun(run: RecordedRun): string {
  return `${OPEN}\n${JSON.stringify(run).replaceAll('--', '-\\u002d')}\n${CLOSE}`;
}

/**
 * The run recorded in `markdown`, or `undefined` when there is none.
 *
 * @throws Error when a record is there but is not valid JSON of the expected shape: better to stop
 * than to compare against garbage, or to overwrite a record someone may want back.
 * @example
 * ```ts
 * extractRun(readFileSync('BENCHMARKS.md', 'utf8'))?.results.length; // 25
 * ```
 */
export function extractRun(markdown: string): PreviousRun | undefined {
  const start = markdown.indexOf(OPEN);
  if (start === -1) return undefined;
  const end = markdown.indexOf(CLOSE, start + OPEN.length);
  if (end === -1) throw new Error('The recorded run in the Markdown has no closing `-->`');
  let parsed: unknown;
  try {
    parsed = JSON.parse(markdown.slice(start + OPEN.length, end));
  } catch (error) {
    throw new Error('The recorded run in the Markdown is not valid JSON', { cause: error });
  }
  if (!isRecord(parsed) || typeof parsed['scale'] !== 'string' || typeof parsed['date'] !== 'string' || !Array.isArray(parsed['results'])) {
    throw new Error('Expected the recorded run to be an object with `scale`, `date` and `results`');
  }
  const results = parsed['results'].map((result: unknown, index) => {
    if (!isComparable(result)) throw new Error(`Expected recorded result ${index} to have case, impl, unit, operations and opsPerSec`);
    return { case: result.case, impl: result.impl, unit: result.unit, operations: result.operations, opsPerSec: result.opsPerSec };
  });
  return { scale: parsed['scale'], date: parsed['date'], results };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isComparable(value: unknown): value is ComparableResult {
  const numberOrNull = (field: unknown): boolean => field === null || typeof field === 'number';
  return (
    isRecord(value) &&
    typeof value['case'] === 'string' &&
    typeof value['impl'] === 'string' &&
    typeof value['unit'] === 'string' &&
    numberOrNull(value['operations']) &&
    numberOrNull(value['opsPerSec'])
  );
}
