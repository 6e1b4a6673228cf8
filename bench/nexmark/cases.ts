/**
 * The Nexmark queries Sluice runs today (q0–q3) as benchmark cases: each runs the query over the
 * same generated events as a plain loop (the model, the floor) and as a Sluice pipeline, and
 * checksums the output, so a fast wrong answer shows up as a mismatch rather than a number. The
 * shape matches bench/measure.ts's `BenchCase` (`name`, `unit`, `operations`, `implementations`
 * with `run(): checksum`) without importing it, so the case can be wired into the harness later.
 */
import { fromArray, toArray, type Pipeline, type Sink, type Source } from '../../src/index.js';
import type { NexmarkOptions } from './config.js';
import type { NexmarkEvent } from './events.js';
import { checksumQ0, q0 } from './models/q0.js';
import { checksumQ1, q1 } from './models/q1.js';
import { checksumQ2, q2 } from './models/q2.js';
import { checksumQ3, q3 } from './models/q3.js';
import { q3Pipeline } from './pipelines/q3.js';
import { q0Pipeline, q1Pipeline, q2Pipeline } from './pipelines/stateless.js';
import { nexmarkSource } from './source.js';

/** The queries that today's pipeline DSL can express. */
export const SLUICE_QUERIES = ['q0', 'q1', 'q2', 'q3'] as const;
export type SluiceQuery = (typeof SLUICE_QUERIES)[number];

/** One query: its model, its checksum, and its Sluice pipeline. */
interface QuerySpec<TRow> {
  model(events: readonly NexmarkEvent[]): TRow[];
  checksum(rows: readonly TRow[]): number;
  pipeline(source: Source<NexmarkEvent, unknown>, sink: Sink<TRow>, partitions: number): Pipeline;
}

const QUERIES: { readonly [Q in SluiceQuery]: QuerySpec<never> } = {
  q0: spec({ model: q0, checksum: checksumQ0, pipeline: (source, sink) => q0Pipeline(source, sink) }),
  q1: spec({ model: q1, checksum: checksumQ1, pipeline: (source, sink) => q1Pipeline(source, sink) }),
  q2: spec({ model: q2, checksum: checksumQ2, pipeline: (source, sink) => q2Pipeline(source, sink) }),
  q3: spec({ model: q3, checksum: checksumQ3, pipeline: q3Pipeline }),
};

/** Keeps each query's row type checked where it is defined, and erases it for the table. */
function spec<TRow>(query: QuerySpec<TRow>): QuerySpec<never> {
  return query as unknown as QuerySpec<never>;
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
   * Partitions of keyed stages (query 3).
   * @defaultValue 4
   */
  partitions?: number | undefined;
  /**
   * When given, the options `events` were generated with (from event 0): adds a Sluice run that
   * reads a `nexmarkSource` instead of the array, so generation is part of what it measures.
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
  const checksum = (rows: readonly unknown[]): number => spec.checksum(rows as never[]);
  const throughSluice = async (source: Source<NexmarkEvent, unknown>): Promise<readonly unknown[]> => {
    const sink = toArray<never>();
    await spec.pipeline(source, sink, partitions).run({ name: `nexmark-${query}` }).done;
    return sink.records;
  };
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
    implementation(query === 'q3' ? `sluice pipeline, ${partitions} partitions` : 'sluice pipeline', () => throughSluice(fromArray(events))),
  ];
  if (options.stream !== undefined) {
    const stream = options.stream;
    implementations.push(
      implementation('sluice pipeline, generating source', () => throughSluice(nexmarkSource({ ...stream, events: events.length }))),
    );
  }
  return { name: `nexmark-${query}`, unit: 'events', operations: events.length, implementations, checksum };
}
