/**
 * The Nexmark queries Sluice runs (q0–q3, q5, q7, q8) as benchmark cases: each runs the query over
 * the same generated events as a plain loop (the model, the floor) and as a Sluice pipeline, and
 * checksums the output, so a fast wrong answer shows up as a mismatch rather than a number. This
 * is the form `run.ts` measures in one process; bench/cases/nexmark.ts makes the same queries
 * cases of `npm run bench`, from {@link querySpec}.
 */
import { DEFAULT_NEXMARK_CONFIG, type NexmarkOptions } from './config.js';
import { fromArray, toArray, type Pipeline, type RunOptions, type Sink, type Source } from '../../src/index.js';
import type { NexmarkEvent } from './events.js';
import { checksumQ0, q0 } from './models/q0.js';
import { checksumQ1, q1 } from './models/q1.js';
import { checksumQ2, q2 } from './models/q2.js';
import { checksumQ3, q3 } from './models/q3.js';
import { checksumQ5, q5 } from './models/q5.js';
import { checksumQ7, q7 } from './models/q7.js';
import { checksumQ8, q8 } from './models/q8.js';
import { q3Pipeline } from './pipelines/q3.js';
import { q5Pipeline } from './pipelines/q5.js';
import { q7Pipeline } from './pipelines/q7.js';
import { q8Pipeline } from './pipelines/q8.js';
import { q0Pipeline, q1Pipeline, q2Pipeline } from './pipelines/stateless.js';
import { nexmarkSource } from './source.js';

/** The queries Sluice has pipelines for. */
export const SLUICE_QUERIES = ['q0', 'q1', 'q2', 'q3', 'q5', 'q7', 'q8'] as const;
export type SluiceQuery = (typeof SLUICE_QUERIES)[number];

/** How a query's pipeline is set up. */
export interface QueryPipelineOptions {
  /** Partitions of each keyed stage (queries 3, 5, 7 and 8). */
  readonly partitions: number;
  /** The `maxDelayMs` the events were generated with: the watermark's bound (queries 5, 7 and 8). */
  readonly maxOutOfOrdernessMs: number;
}

/** One query: its model, its checksum, and its Sluice pipeline. */
export interface QuerySpec<TRow> {
  model(events: readonly NexmarkEvent[]): TRow[];
  checksum(rows: readonly TRow[]): number;
  pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<TRow>, options: QueryPipelineOptions): Pipeline;
  /** Whether the pipeline has keyed stages, so that its partition count means something. */
  readonly keyed: boolean;
}

const QUERIES: { readonly [Q in SluiceQuery]: QuerySpec<never> } = {
  q0: spec({ model: q0, checksum: checksumQ0, pipeline: (source, sink) => q0Pipeline(source, sink), keyed: false }),
  q1: spec({ model: q1, checksum: checksumQ1, pipeline: (source, sink) => q1Pipeline(source, sink), keyed: false }),
  q2: spec({ model: q2, checksum: checksumQ2, pipeline: (source, sink) => q2Pipeline(source, sink), keyed: false }),
  q3: spec({ model: q3, checksum: checksumQ3, pipeline: (source, sink, { partitions }) => q3Pipeline(source, sink, partitions), keyed: true }),
  q5: spec({ model: (events) => q5(events), checksum: checksumQ5, pipeline: q5Pipeline, keyed: true }),
  q7: spec({ model: (events) => q7(events), checksum: checksumQ7, pipeline: q7Pipeline, keyed: true }),
  q8: spec({ model: (events) => q8(events), checksum: checksumQ8, pipeline: q8Pipeline, keyed: true }),
};

/** Keeps each query's row type checked where it is defined, and erases it for the table. */
function spec<TRow>(query: QuerySpec<TRow>): QuerySpec<never> {
  return query as unknown as QuerySpec<never>;
}

/**
 * Query `query`'s model, checksum and pipeline, with its row type erased.
 * @example
 * ```ts
 * const { model, checksum } = querySpec('q7');
 * checksum(model(generate(0, 100_000)));
 * ```
 */
export function querySpec(query: SluiceQuery): QuerySpec<unknown> {
  return QUERIES[query] as QuerySpec<unknown>;
}

/**
 * Runs `query`'s pipeline from `source` into an array and returns its rows.
 * @example
 * ```ts
 * const rows = await runQuery('q5', fromArray(generate(0, 50_000)), { partitions: 4, maxOutOfOrdernessMs: 3000 });
 * ```
 */
export async function runQuery(
  query: SluiceQuery,
  source: Source<NexmarkEvent, unknown>,
  options: QueryPipelineOptions,
  run: RunOptions = {},
): Promise<unknown[]> {
  const sink = toArray<never>();
  await QUERIES[query].pipeline(source, sink, options).run({ name: `nexmark-${query}`, ...run }).done;
  return sink.records;
}

/** One way of running a query. */
export interface NexmarkImplementation {
  readonly impl: string;
  /** Whether Sluice's numbers are compared with this one. */
  readonly baseline?: boolean;
  /** Runs the query once and returns its output rows: what a benchmark times. */
  execute(): Promise<readonly unknown[]> | readonly unknown[];
  /** Runs the query once and returns its output's checksum (bench/measure.ts's `Implementation.run`). */
  run(): Promise<number> | number;
}

/** A query over a fixed set of events, by every implementation. */
export interface NexmarkCase {
  readonly name: string;
  readonly unit: 'events';
  /** How many events each run reads. */
  readonly operations: number;
  readonly implementations: readonly NexmarkImplementation[];
  /** The order-independent checksum of a run's rows. */
  checksum(rows: readonly unknown[]): number;
}

/** Options of {@link nexmarkCase}. */
export interface NexmarkCaseOptions {
  /**
   * Partitions of keyed stages (queries 3, 5, 7 and 8).
   * @defaultValue 4
   */
  partitions?: number | undefined;
  /**
   * When given, the options `events` were generated with (from event 0): adds a Sluice run that
   * reads a `nexmarkSource` instead of the array, so generation is part of what it measures. Its
   * `maxDelayMs` is also the windowed queries' watermark bound.
   */
  stream?: NexmarkOptions | undefined;
}

/**
 * The benchmark case of `query` over `events`.
 * @example
 * ```ts
 * const events = generate(0, 100_000);
 * for (const implementation of nexmarkCase('q1', events).implementations) console.log(implementation.impl, await implementation.run());
 * ```
 */
export function nexmarkCase(query: SluiceQuery, events: readonly NexmarkEvent[], options: NexmarkCaseOptions = {}): NexmarkCase {
  const spec = QUERIES[query];
  const partitions = options.partitions ?? 4;
  const maxOutOfOrdernessMs = options.stream?.maxDelayMs ?? DEFAULT_NEXMARK_CONFIG.maxDelayMs;
  const checksum = (rows: readonly unknown[]): number => spec.checksum(rows as never[]);
  const throughSluice = (source: Source<NexmarkEvent, unknown>): Promise<readonly unknown[]> => runQuery(query, source, { partitions, maxOutOfOrdernessMs });
  const implementation = (impl: string, execute: () => Promise<readonly unknown[]> | readonly unknown[], baseline = false): NexmarkImplementation => ({
    impl,
    ...(baseline ? { baseline } : {}),
    execute,
    async run() {
      return checksum(await execute());
    },
  });
  const implementations = [
    implementation('plain loop (model)', () => spec.model(events), true),
    implementation(spec.keyed ? `sluice pipeline, ${partitions} partitions` : 'sluice pipeline', () => throughSluice(fromArray(events))),
  ];
  if (options.stream !== undefined) {
    const stream = options.stream;
    implementations.push(implementation('sluice pipeline, generating source', () => throughSluice(nexmarkSource({ ...stream, events: events.length }))));
  }
  return { name: `nexmark-${query}`, unit: 'events', operations: events.length, implementations, checksum };
}
