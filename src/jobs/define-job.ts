/**
 * Job modules: a pipeline defined in a module of its own, so that it can run on several threads.
 * Closures cannot cross threads, so each worker thread imports the module and builds the pipeline
 * itself from the same arguments; the main thread reads the source and writes the sink, the
 * threads run the steps and partitions. With `workers: 1` (the default) a job runs as
 * `pipeline.run()` does, on this thread alone.
 *
 * @example
 * ```ts
 * // wordcount.job.ts
 * export default defineJob(import.meta.url, (args: { input: string }) =>
 *   pipeline(fromFileLines(args.input)).flatMap(words).keyBy((w) => w, { partitions: 8 })
 *     .reduce((n: number) => n + 1, () => 0, { emit: 'final' }).to(toArray()));
 * // main.ts
 * import job from './wordcount.job.js';
 * await job.run({ workers: 4, args: { input: 'book.txt' } }).done;
 * ```
 *
 * A job that takes a `parseArgs` option can also be started from a command line alone
 * (`sluice run wordcount.job.ts -- --input book.txt`): it turns the strings into its `args`.
 */
import { getHeapStatistics } from 'node:v8';
import type { ResourceLimits } from 'node:worker_threads';
import { InvalidOptionError } from '../errors.js';
import { isFunction, isObject, nonNegativeInteger, positiveInteger, positiveNumber, withDefault } from '../internal/validate.js';
import { Job } from '../streams/job/job.js';
import { resolveRunSettings } from '../streams/job/run-settings.js';
import { logicalPlanOf, Pipeline } from '../streams/pipeline.js';
import type { PipelineHandle } from '../streams/pipeline-handle.js';
import { planPhysical, type PhysicalPlan } from '../streams/plan/physical-plan.js';
import type { RunOptions } from '../streams/run-options.js';
import { runJobThread } from '../threads/job-thread.js';
import type { ThreadSetup } from '../threads/thread-protocol.js';
import type { LinkPort } from '../threads/link-port.js';
import { checkThreadPool, pooledThreadHost, type ThreadPool } from '../threads/thread-pool.js';
import { restartingRun } from './restarting-run.js';
import type { RunOrigin } from '../streams/job/upgrade-run.js';
import { headRunsOnThreads } from '../threads/thread-links.js';
import { JOB_MODULE_BRAND } from './is-job-module.js';
import { isTypeScript, typeScriptLoaderFrom } from './typescript-loader.js';

/** Options of {@link JobModule.run}: a run's options, the number of threads, and the arguments `build` gets. */
export type JobRunOptions<TArgs> = RunOptions & {
  /**
   * Threads the job runs on: 1 is this thread alone; more start that many worker threads, which
   * run the steps before the first `keyBy` and every partition, placed by key-group ranges.
   * @defaultValue 1
   */
  workers?: number | undefined;
  /**
   * With `workers` > 1 and checkpoints: how many times a run whose worker thread died starts again
   * on new threads from its last checkpoint before it fails. Without checkpoints, a thread that
   * dies fails the run at once.
   * @defaultValue 3
   */
  workerRestarts?: number | undefined;
  /**
   * Heap limits of each worker thread (Node's `ResourceLimits`: `maxOldGenerationSizeMb`,
   * `maxYoungGenerationSizeMb`, …). A thread that reaches them dies (a WorkerThreadError, or a
   * restart from the last checkpoint). What it leaves out is V8's default, but for two: the young
   * generation is 8 MB (16 MB on threads that run the steps before the first `keyBy`; V8's lets a
   * busy thread's heap grow about 40 MB past what it keeps alive), and the old generation is
   * 2,047 MB, or this process's heap limit when lower (at 2 GB or more, V8 lets it grow to four
   * times what it keeps alive between full collections, rather than about twice).
   */
  workerResourceLimits?: ResourceLimits | undefined;
  /**
   * With `workers` > 1: a pool (`createThreadPool()`) whose idle threads of this job module the run
   * takes instead of starting new ones, and to which it gives its threads back when it ends well,
   * so that the next run skips the threads' start-up.
   * @defaultValue none: the run starts its threads and ends them when it ends
   */
  threads?: ThreadPool | undefined;
} & (undefined extends TArgs ? { args?: TArgs } : { args: TArgs });

/** Options of {@link defineJob}. */
export interface DefineJobOptions<TArgs> {
  /**
   * Turns command-line arguments (what follows `--` in `sluice run JOB -- …`) into the job's
   * `args`. It should throw `InvalidOptionError` naming the argument for one it refuses: the
   * command line reports that as a usage error.
   * @defaultValue the strings themselves, as a new array
   */
  parseArgs?: ((argv: readonly string[]) => TArgs) | undefined;
  /**
   * The job's version, for a job run by worker processes (`sluice worker`): workers of two versions
   * never run one job together, unless one declares the other in `compatibleWith`. Raise it when the
   * job's code changes in a way its plan does not show (a map's function, a parser).
   * @defaultValue undefined: only the plan is compared
   */
  version?: string | undefined;
  /**
   * Versions of this job whose workers may run one job together with this version's: their plans
   * must still be the same (stages, ids, state versions, partitions), only the code differs.
   * @defaultValue none
   */
  compatibleWith?: readonly string[] | undefined;
  /**
   * Whether the job's functions give the same output for the same input every time (no clock, no
   * randomness, no outside lookups that change). Run by worker processes, a deterministic job
   * recovers locally: a lost worker's partitions restart alone, elsewhere, from their last
   * checkpoint, and a joining worker takes a share, while the others go on. A job that declares
   * `false` goes back to its last checkpoint as a whole on every change of workers instead.
   * @defaultValue true
   */
  deterministic?: boolean | undefined;
}

/** A job defined by {@link defineJob}. */
export interface JobModule<TArgs> {
  /** The module the job is defined in. */
  readonly url: string;
  /** The pipeline for `args`, as every thread builds it. */
  build(args: TArgs): Pipeline;
  /**
   * The job's `args` from command-line arguments, by the `parseArgs` option of {@link defineJob}.
   * Without that option the strings themselves (a new array) are the args: right for a job whose
   * args are a `readonly string[]` (or that takes none); any other job needs a parser.
   * @throws InvalidOptionError naming `argv` when it is not an array of strings, and whatever the
   *   job's parser throws (an InvalidOptionError naming the argument, by convention).
   * @example
   * ```ts
   * const args = job.parseArgs(['--input', 'book.txt']);
   * await job.run({ args }).done;
   * ```
   */
  parseArgs(argv: readonly string[]): TArgs;
  /**
   * Runs the job.
   * @throws InvalidOptionError naming the option: an invalid one, a `workers` that is not a positive
   *   integer, `args` that cannot be copied to another thread, or an option that cannot go with
   *   `workers` > 1 (`clock`, `system` and `crashAt` are objects of this thread).
   */
  run(options: JobRunOptions<TArgs>): PipelineHandle;
}

type ThreadStart = (setup: ThreadSetup, control?: LinkPort) => Promise<void>;

/** The jobs each module defined, in order, in this thread: what a worker thread starts. */
const REGISTRY = Symbol.for('sluice.jobModules');

function registry(): Map<string, ThreadStart[]> {
  const global = globalThis as { [REGISTRY]?: Map<string, ThreadStart[]> };
  global[REGISTRY] ??= new Map();
  return global[REGISTRY];
}

/** Options a job on worker threads cannot take: they are functions or objects of this thread. */
const THIS_THREAD_ONLY = ['clock', 'system', 'crashAt'] as const;

/**
 * Defines a job in the module `moduleUrl` (pass `import.meta.url`): `build` makes its pipeline from
 * `args`, the same in every thread; `options.parseArgs`, when given, makes those `args` from
 * command-line arguments (see {@link JobModule.parseArgs}).
 * @throws InvalidOptionError when `moduleUrl` is not a file URL, `build` is not a function, or
 *   `options` is not an object whose `parseArgs` is a function when given.
 * @example
 * ```ts
 * export default defineJob(import.meta.url, (args: { input: string }) => pipeline(fromFileLines(args.input)).to(toArray()), {
 *   parseArgs: ([input = '']) => ({ input }),
 * });
 * ```
 */
export function defineJob<TArgs = undefined>(moduleUrl: string, build: (args: TArgs) => Pipeline, options?: DefineJobOptions<TArgs>): JobModule<TArgs> {
  if (typeof moduleUrl !== 'string' || !moduleUrl.startsWith('file:')) {
    throw new InvalidOptionError('moduleUrl', "the job module's own `import.meta.url` (a file: URL)", moduleUrl);
  }
  isFunction('build', build);
  const parser = checkParser(options);
  const versioning = checkVersioning(options);
  const built = (args: TArgs): Pipeline => {
    const pipeline = build(args);
    if (!(pipeline instanceof Pipeline)) throw new InvalidOptionError('build', 'a function that returns a pipeline ending in `.to(sink)`', pipeline);
    return pipeline;
  };
  const plan = (args: TArgs): PhysicalPlan => planPhysical(logicalPlanOf(built(args)));
  const jobs = registry().get(moduleUrl) ?? [];
  const index = jobs.length;
  jobs.push((setup, control) => runJobThread(plan(setup.args as TArgs), setup, control));
  registry().set(moduleUrl, jobs);
  const job: JobModule<TArgs> = {
    url: moduleUrl,
    build: built,
    parseArgs(argv) {
      if (!Array.isArray(argv) || !argv.every((arg) => typeof arg === 'string')) throw new InvalidOptionError('argv', 'an array of strings', argv);
      return parser === undefined ? ([...argv] as TArgs) : parser(argv);
    },
    run(options) {
      isObject('options', options);
      const { workers: requested, workerRestarts, workerResourceLimits, threads, args, ...runOptions } = options as JobRunOptions<TArgs> & { args?: TArgs };
      const workers = withDefault(requested, 1, (v) => positiveInteger('workers', v));
      const restarts = withDefault(workerRestarts, 3, (v) => nonNegativeInteger('workerRestarts', v));
      const limits = checkResourceLimits(workerResourceLimits);
      if (threads !== undefined) checkThreadPool(threads);
      const settings = resolveRunSettings(runOptions);
      // What an upgrade of the run carries over, and how it starts this version again.
      const origin: RunOrigin = { options: runOptions, again: () => job.run(options) };
      if (workers === 1) return new Job(plan(args as TArgs), settings).handle(origin);
      for (const option of THIS_THREAD_ONLY) {
        if (runOptions[option] !== undefined) {
          throw new InvalidOptionError(
            option,
            'left out when `workers` is more than 1 (it belongs to this thread; worker threads run on the system clock)',
            runOptions[option],
          );
        }
      }
      try {
        structuredClone(args);
      } catch {
        throw new InvalidOptionError('args', 'plain data that can be copied to another thread (no functions, symbols or class instances)', args);
      }
      const planned = plan(args as TArgs);
      // Nothing would run on the threads: no keyed stage, and no head steps they could take.
      if (planned.stages.length === 0 && !headRunsOnThreads(planned)) return new Job(planned, settings).handle(origin);
      const resourceLimits = withWorkerDefaults(limits, headRunsOnThreads(planned));
      const loader = loaderFor(moduleUrl);
      const host = threads === undefined ? undefined : pooledThreadHost(threads, moduleUrl, loader, resourceLimits);
      const module = { url: moduleUrl, job: index, args, loader, resourceLimits, host };
      // Each attempt after the first builds the pipeline afresh (a new sink object to recover).
      let unused: PhysicalPlan | undefined = planned;
      const attempt = (attemptOrigin?: RunOrigin): PipelineHandle => {
        const attemptPlan = unused ?? plan(args as TArgs);
        unused = undefined;
        return new Job(attemptPlan, { ...settings, workers }, module).handle(attemptOrigin);
      };
      if (settings.checkpoint === undefined || restarts === 0) return attempt(origin);
      return restartingRun({ start: () => attempt(), restarts, name: settings.name, signal: settings.signal, origin });
    },
  };
  Object.defineProperty(job, JOB_MODULE_BRAND, { value: true });
  const deterministic = options?.deterministic ?? true;
  if (typeof deterministic !== 'boolean') throw new InvalidOptionError('deterministic', 'a boolean', deterministic);
  INTERNALS.set(job, { index, plan, ...versioning, deterministic } as JobInternals<unknown>);
  return job;
}

/** What a runtime that starts a job elsewhere (processes of a cluster) needs of its module beyond its public face. */
export interface JobInternals<TArgs> {
  /** Which of its module's `defineJob` calls, in order, made the job. */
  readonly index: number;
  /** The job's physical plan for `args`. */
  plan(args: TArgs): PhysicalPlan;
  /** The job's `version` option. */
  readonly version: string | undefined;
  /** The job's `compatibleWith` option (empty without one). */
  readonly compatibleWith: readonly string[];
  /** The job's `deterministic` option: whether it may recover locally across processes. */
  readonly deterministic: boolean;
}

const INTERNALS = new WeakMap<object, JobInternals<unknown>>();

/**
 * The internals of `job`.
 * @throws InvalidOptionError when `job` was not made by `defineJob`.
 */
export function jobInternals<TArgs>(job: JobModule<TArgs>): JobInternals<TArgs> {
  const internals = INTERNALS.get(job);
  if (internals === undefined) throw new InvalidOptionError('job', 'a job made by defineJob(import.meta.url, build)', job);
  return internals as JobInternals<TArgs>;
}

/**
 * A worker thread's young generation, unless `workerResourceLimits` says otherwise, by what the
 * threads run. V8 lets a busy thread's young generation grow to about 48 MB, most of it garbage
 * between scavenges. Threads that hold only partitions take records as bytes and decode each once:
 * little garbage a record, and 8 MB keeps each thread's resident memory near what it holds
 * (measured: the bench's memory-bound job on 2 threads peaks at about 145 MB instead of 185).
 * Threads that also run the head steps (parsing, enrichment) make several short-lived objects a
 * record, so at 8 MB they scavenge every few thousand records, each scavenge copying whatever is
 * in flight; 16 MB halves the scavenges, for about 5 MB more a thread (measured: the cpu-heavy
 * job on 2 threads about 10% faster).
 */
const WORKER_YOUNG_GENERATION_MB = { partitions: 8, head: 16 } as const;

/**
 * A worker thread's old generation limit, unless `workerResourceLimits` says otherwise: just under
 * 2 GB, or this process's own heap limit when that is lower. After each full collection V8 lets an
 * old generation grow to four times what survived it when its limit is 2 GB or more (V8's default
 * on a machine of 8 GB or more), and to about twice below that. A thread promotes records that wait
 * in a mailbox under backpressure across a scavenge or two, and they die there: at four times, each
 * thread of the bench's memory-bound job grew from 10 MB live to 40 MB between full collections,
 * over three or four runs in a pool (peak 180-190 MB for the process); at twice, to about 20 MB
 * (peak about 157 MB). A thread that must hold more than 2 GB sets `maxOldGenerationSizeMb`.
 */
const WORKER_OLD_GENERATION_MB = 2047;

const MB = 1024 * 1024;

/** `limits` with the runtime's defaults for what they leave out, for threads that run the head steps when `head`. */
function withWorkerDefaults(limits: ResourceLimits | undefined, head: boolean): ResourceLimits {
  return {
    maxYoungGenerationSizeMb: head ? WORKER_YOUNG_GENERATION_MB.head : WORKER_YOUNG_GENERATION_MB.partitions,
    maxOldGenerationSizeMb: Math.min(WORKER_OLD_GENERATION_MB, Math.floor(getHeapStatistics().heap_size_limit / MB)),
    ...limits,
  };
}

/** The `parseArgs` of `defineJob`'s options, checked; undefined when there is none. */
function checkParser<TArgs>(options: DefineJobOptions<TArgs> | undefined): ((argv: readonly string[]) => TArgs) | undefined {
  if (options === undefined) return undefined;
  isObject('options', options);
  if (options.parseArgs !== undefined) isFunction('parseArgs', options.parseArgs);
  return options.parseArgs;
}

/** The `version` and `compatibleWith` of `defineJob`'s options, checked. */
function checkVersioning(options: DefineJobOptions<unknown> | undefined): { version: string | undefined; compatibleWith: readonly string[] } {
  const version = options?.version;
  if (version !== undefined && (typeof version !== 'string' || version === '')) throw new InvalidOptionError('version', 'a non-empty string', version);
  const compatibleWith = options?.compatibleWith ?? [];
  if (!Array.isArray(compatibleWith) || compatibleWith.some((v) => typeof v !== 'string' || v === '')) {
    throw new InvalidOptionError('compatibleWith', 'an array of version strings', compatibleWith);
  }
  if (compatibleWith.length > 0 && version === undefined) throw new InvalidOptionError('compatibleWith', 'given with a version of this job', compatibleWith);
  return { version, compatibleWith: [...compatibleWith] };
}

/** The limits of `workerResourceLimits`, each a positive number when given. */
function checkResourceLimits(limits: ResourceLimits | undefined): ResourceLimits | undefined {
  if (limits === undefined) return undefined;
  isObject('workerResourceLimits', limits);
  for (const [name, value] of Object.entries(limits)) {
    if (value !== undefined) positiveNumber(`workerResourceLimits.${name}`, value);
  }
  return limits;
}

/**
 * A TypeScript job module needs a loader in each worker thread: tsx's, when it is installed
 * (threads inherit the loader a process was started with, but not one a test runner installed
 * in-process). Undefined for JavaScript modules.
 */
function loaderFor(moduleUrl: string): string | undefined {
  return isTypeScript(moduleUrl) ? typeScriptLoaderFrom(moduleUrl) : undefined;
}
