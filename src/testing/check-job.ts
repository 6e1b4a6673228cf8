/**
 * Checks of job modules. A pipeline that runs on worker threads is defined in a module that every
 * thread imports (`defineJob`), so the kit cannot hand it a source and a sink as arguments of a
 * closure: it hands the job `CheckJobArgs` instead, plain data that crosses threads, and the job
 * turns them into the case's source and sink with {@link checkIO}. On the thread that runs the
 * check that is the case's own source and sink; on a worker thread, which never reads the source
 * nor writes the sink (the main thread does), stand-ins of the same names, so that every thread
 * builds the same plan.
 */
import { InvalidOptionError } from '../errors.js';
import type { Sink } from '../streams/sinks/sink.js';
import type { Source } from '../streams/sources/source.js';
import type { PipelineIO } from './check-pipeline.js';

/** What a check gives its `job` module to build the pipeline from: pass it to {@link checkIO}. */
export interface CheckJobArgs<TParams = undefined> {
  /** The case's source and sink, by reference: for {@link checkIO}. */
  readonly io: CheckIORef;
  /** The case's params (the check's `params` arbitrary), as `build` would get them. */
  readonly params: TParams;
  /** As {@link PipelineIO.partitions}: the partition count this run is given, with rescale faults. */
  readonly partitions?: number | undefined;
}

/** Which case's source and sink a job is built over, and their names. */
export interface CheckIORef {
  readonly id: string;
  readonly source: string;
  readonly sink: string;
}

/** The source and sink of each case under way in this thread, by id. */
const CASES = Symbol.for('sluice.checkJobCases');

function cases(): Map<string, PipelineIO<unknown, unknown>> {
  const global = globalThis as { [CASES]?: Map<string, PipelineIO<unknown, unknown>> };
  global[CASES] ??= new Map();
  return global[CASES];
}

let nextCase = 0;

/**
 * The source, sink and partition count of the case `args` come from: what a check's `job` module
 * builds its pipeline over, as `build` would be given them.
 *
 * @throws InvalidOptionError naming `args` when they are not a check's job arguments.
 * @example
 * ```ts
 * // totals.job.ts
 * export default defineJob(import.meta.url, (args: CheckJobArgs) => {
 *   const { source, sink, partitions } = checkIO<Payment, Total>(args);
 *   return pipeline(source).keyBy((p) => p.user, { partitions: partitions ?? 3 }).reduce(add, () => 0).to(sink);
 * });
 * ```
 */
export function checkIO<TRecord, TOut>(args: CheckJobArgs<unknown>): PipelineIO<TRecord, TOut> {
  const ref = (args as Partial<CheckJobArgs<unknown>> | undefined)?.io;
  if (typeof ref?.id !== 'string' || typeof ref.source !== 'string' || typeof ref.sink !== 'string') {
    throw new InvalidOptionError('args', 'the arguments a pipeline check gives its job module (CheckJobArgs), passed on as they came', args);
  }
  const io = cases().get(ref.id) ?? standIns(ref);
  return { ...(io as PipelineIO<TRecord, TOut>), partitions: args.partitions };
}

/** Stand-ins for a worker thread: the same names, so the plan is the same, and nothing to read or write here. */
function standIns(ref: CheckIORef): PipelineIO<never, never> {
  const elsewhere = (what: string): Error => new Error(`sluice/testing: the check's ${what} is used on the thread that runs the check, not on a worker thread`);
  const source: Source<never, number> = {
    name: ref.source,
    replayable: true,
    start: 0,
    read() {
      throw elsewhere('source');
    },
  };
  const sink: Sink<never> = {
    name: ref.sink,
    write() {
      throw elsewhere('sink');
    },
  };
  return { source, sink };
}

/**
 * One case's hold on the registry: `argsFor` puts a run's source and sink in it and gives the job
 * the arguments that find them; `close` takes them out once the case has ended.
 */
export class CheckIORegistration {
  readonly #id = `case-${process.pid}-${++nextCase}`;

  argsFor<TParams>(io: PipelineIO<unknown, unknown>, params: TParams): CheckJobArgs<TParams> {
    cases().set(this.#id, { source: io.source, sink: io.sink });
    return { io: { id: this.#id, source: io.source.name, sink: io.sink.name }, params, partitions: io.partitions };
  }

  close(): void {
    cases().delete(this.#id);
  }
}
