/**
 * cluster: the cpu-heavy job (see `cpu-heavy.ts`) run by 1, 2 and 3 `sluice worker` processes on
 * NATS JetStream, against the same job on one thread in process, over the cpu-heavy input
 * (1,000,000 access-log lines; 100,000 with `--quick`). The worker processes read the lines from a
 * file and write the totals to one, as a cluster job must (any of them may lead), so two in-process
 * rows: the cpu-heavy row itself (`sluice, 1 worker`, lines from memory) and the cluster's job
 * module from and to the same files (`sluice, 1 worker, file to file`).
 *
 * A pass starts its worker processes afresh (the built `sluice` command on the built job module:
 * see `cluster/sluice-cli.ts`) with their default lease and checkpoint interval, on a job id of its
 * own, and ends when the last of them has exited; the job's buckets are removed after it, untimed.
 * So every pass is cold for the workers (a fresh process, modules compiled afresh): the cold and
 * steady rates differ only in what outlives a pass (the page cache, the NATS server, this child),
 * and the start is in every pass. It is measured apart: each process says when the first record
 * reached it, and the findings give the start (start of the pass to the first record) and the cost
 * per line after it, set against the in-process rows of the same run. Peak RSS is this child's, not
 * the workers'. Without NATS the case is skipped, saying why.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { clusterFindings, IN_PROCESS, IN_PROCESS_FROM_FILES, processesImpl, type PassObservation } from '../cluster/cluster-findings.js';
import { connectBenchNats, freshJobId, natsUnavailable, natsUrl, removeJob } from '../cluster/nats-service.js';
import { RunFiles, totalsChecksumOfFile } from '../cluster/run-files.js';
import { runWorkerProcesses, type WorkerPass } from '../cluster/worker-processes.js';
import { jobModuleUrl } from '../harness/bench-entry.js';
import { defineCase, type BenchCase, type ImplementationSpec, type RunPlan, type Scale } from '../harness/bench-case.js';
import { accessLogInput } from './access-log.js';
import type { ClusterJobArgs } from './cluster.job.js';
import { onThreads, plainLoop } from './cpu-heavy.js';

type ClusterJobModule = typeof import('./cluster.job.js');

/** Worker processes per cluster row. */
export const PROCESS_COUNTS = [1, 2, 3] as const;

/**
 * One untimed pass, since every cluster pass is as cold for its processes as the first; five timed
 * ones at full size, as a pass takes 10 to 20 s on two busy cores and its time wanders with the
 * machine's other load (three processes and a NATS server on two cores feel every neighbour).
 */
const PLANS: Readonly<Record<Scale, RunPlan>> = { quick: { warmups: 1, runs: 2 }, full: { warmups: 1, runs: 5 } };

/**
 * How long one cluster pass of `lines` lines may take before its processes are killed and the row
 * fails: a minute for the start and end, and 0.3 ms a line, ten times the slowest seen.
 */
function passTimeoutMs(lines: number): number {
  return 60_000 + lines * 0.3;
}

/** The case's sizes: the cpu-heavy input's, unless a test asks for fewer lines. */
export interface ClusterCaseOptions {
  /** Lines per run at each scale: the first lines of the cpu-heavy input. @defaultValue all of it (100,000 and 1,000,000) */
  readonly lines?: Readonly<Record<Scale, number>> | undefined;
  /** @defaultValue one warm-up and two timed runs with `--quick`, one and five at full size */
  readonly plans?: Readonly<Record<Scale, RunPlan>> | undefined;
}

/** The cluster's job module on this thread alone, from and to the files the worker processes use. */
const inProcessFromFiles: ImplementationSpec<readonly string[]> = {
  impl: IN_PROCESS_FROM_FILES,
  role: 'sluice',
  compareWith: [IN_PROCESS],
  create: (lines) => {
    const files = new RunFiles(lines);
    let job: ClusterJobModule['default'] | undefined;
    let args: ClusterJobArgs | undefined;
    return {
      async prepare() {
        job ??= ((await import(jobModuleUrl('cases/cluster.job'))) as ClusterJobModule).default;
        args = { input: await files.input(), output: await files.output(), markFirst: false };
      },
      async run() {
        const ready = args as ClusterJobArgs;
        await (job as ClusterJobModule['default']).run({ args: ready, name: 'bench' }).done;
        return totalsChecksumOfFile(ready.output);
      },
      dispose: () => files.remove(),
    };
  },
};

/** The row of `processes` worker processes. */
function onProcesses(processes: number): ImplementationSpec<readonly string[]> {
  return {
    impl: processesImpl(processes),
    role: 'sluice',
    compareWith: [IN_PROCESS, IN_PROCESS_FROM_FILES],
    create: (lines) => {
      const files = new RunFiles(lines);
      let nc: NatsConnection | undefined;
      /** The job of the last pass, whose buckets the next `prepare` (or `dispose`) removes. */
      let job: string | undefined;
      let input = '';
      let output = '';
      let pass: WorkerPass | undefined;
      const removeLastJob = async (): Promise<void> => {
        if (job !== undefined && nc !== undefined) await removeJob(nc, job);
        job = undefined;
      };
      return {
        async prepare() {
          nc ??= await connectBenchNats();
          await removeLastJob();
          // The input is written on the first pass's preparation, untimed.
          input = await files.input();
          output = await files.output();
          pass = undefined;
        },
        async run() {
          job = freshJobId();
          pass = await runWorkerProcesses({
            processes,
            natsUrl: natsUrl(),
            jobId: job,
            jobArgs: ['--input', input, '--output', output, '--mark-first'],
            timeoutMs: passTimeoutMs(lines.length),
          });
          return totalsChecksumOfFile(output);
        },
        observe(): PassObservation {
          const { startedAt, firstRecordAt, completeAt, endedAt, runs } = pass as WorkerPass;
          return {
            firstRecordMs: firstRecordAt === undefined ? -1 : firstRecordAt - startedAt,
            completeMs: completeAt - startedAt,
            endedMs: endedAt - startedAt,
            runs,
          };
        },
        async dispose() {
          try {
            await removeLastJob();
          } finally {
            await nc?.close().catch(() => undefined);
            await files.remove();
          }
        },
      };
    },
  };
}

/**
 * The cluster case at the given sizes: the registry's runs the whole cpu-heavy input; a test
 * passes a few thousand lines.
 * @example
 * ```ts
 * const tiny = clusterCase({ lines: { quick: 2_000, full: 2_000 } });
 * ```
 */
export function clusterCase(options: ClusterCaseOptions = {}): BenchCase {
  return defineCase({
    name: 'cluster',
    unit: 'lines',
    input(scale) {
      const lines = accessLogInput(scale);
      const wanted = options.lines?.[scale];
      return wanted === undefined ? lines : lines.slice(0, wanted);
    },
    operations: (lines) => lines.length,
    plans: options.plans ?? PLANS,
    unavailable: natsUnavailable,
    findings: clusterFindings,
    implementations: [plainLoop, onThreads(1), inProcessFromFiles, ...PROCESS_COUNTS.map(onProcesses)],
  });
}

/** The cluster case, as `npm run bench -- --case cluster` runs it. */
export const clusterBenchCase = clusterCase();
