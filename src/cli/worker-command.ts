/**
 * `sluice worker JOB --nats URL --job ID [-- JOB-ARGS]`: joins job ID as one worker process and
 * takes part until the job is complete (see docs/cluster.md). It says what happens on standard
 * error, and on standard output one line at the end: that the job is complete, was already, or
 * that this worker left it. SIGINT or SIGTERM makes it leave: its partitions go to the others, and
 * it exits 0; a second signal exits at once.
 */
import { runClusterWorker } from '../cluster/cluster-worker.js';
import type { PipelineHandle } from '../streams/pipeline-handle.js';
import { DASHBOARD_FLAGS, dashboardFlags, serveDashboard } from './dashboard-flags.js';
import type { Command } from './command.js';
import { parseCommandLine, type CommandLineSpec } from './command-line.js';
import { isInvalidOption, jobArgs, positiveIntegerFlag } from './job-flags.js';
import { loadJob } from './load-job.js';
import { clusterJob, NATS_FLAGS, NATS_FLAGS_HELP, type NatsFlag } from './nats-flags.js';
import { StopSignals } from './stop-signals.js';
import { UsageError } from './usage-error.js';

const COMMAND = 'sluice worker';

type WorkerFlag = NatsFlag | 'job' | 'worker-id' | 'lease-ms' | 'checkpoint-interval' | 'replicas' | (typeof DASHBOARD_FLAGS)[number];

const SPEC: CommandLineSpec<WorkerFlag> = {
  command: COMMAND,
  flags: [...NATS_FLAGS, 'job', 'worker-id', 'lease-ms', 'checkpoint-interval', 'replicas', ...DASHBOARD_FLAGS],
  switches: ['replan', 'upgrade'],
  positionals: ['JOB (the job module to run)'],
  rest: "the job's arguments",
};

const HELP = `Usage: sluice worker JOB --nats URL --job ID [options] [-- JOB-ARGS...]

Joins job ID as one worker process and takes part until the job is complete. Start
any number of workers with the same JOB, ID and JOB-ARGS, on one machine or several
(they must see the job's input and output files at the same paths): the partitions
spread over the live workers, and when one is lost the others go on from the last
checkpoint, kept in NATS JetStream.

Options:
  --job ID                   the job's id: 1 to 64 letters, digits, _ or - (required)
  --worker-id ID             this worker's id, unique in the job (default: the host
                             name, the process id and a random suffix)
  --lease-ms MS              how long a silent worker keeps its partitions (default
                             3000); every worker of a job must use the same
  --checkpoint-interval MS   milliseconds between checkpoints (default 1000)
  --replicas N               copies of the job's buckets: 3 on a 3-node NATS cluster
                             (default 1)
  --replan                   take this worker's plan as the job's (another --partitions
                             in JOB-ARGS, say) once every worker of the job is stopped:
                             the job goes on from its last checkpoint with it
  --upgrade                  a rolling upgrade: when the job runs another plan or an
                             incompatible version, wait (holding no partition) until
                             every worker of it has left (SIGTERM them one by one),
                             then go on from the last checkpoint with this plan, the
                             state migrated
  --dashboard PORT           serve a live dashboard at http://HOST:PORT/dashboard of the
                             runs this worker leads (each partition with the worker that
                             owns it); 0 picks a free port
  --dashboard-host ADDR      the address it listens on (default 127.0.0.1: this machine only)
  --dashboard-token TOKEN    require this token (Bearer header or ?token=) on every request
  -h, --help                 print this help

${NATS_FLAGS_HELP}

Standard output gets one line at the end: "job ID complete", "job ID is already
complete" or "worker W left job ID". SIGINT or SIGTERM makes this worker leave the
job (the others take its partitions over); a second one exits at once.

Exit status: 0 the job is complete (or this worker left it), 1 it failed (NATS did
not answer, the job failed, or JOB builds another plan than the job's), 2 a bad
command line.

Example:
  npx sluice worker examples/wordcount.job.ts --nats nats://127.0.0.1:4222 --job words-1 \\
    -- --input book.txt --output counts.jsonl
`;

const FLAG_OF_OPTION: ReadonlyMap<string, string> = new Map([
  ['jobId', '--job'],
  ['workerId', '--worker-id'],
  ['leaseMs', '--lease-ms'],
]);

/** `sluice worker`. */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'join a job as one worker process of a cluster on NATS JetStream',
  async run(argv) {
    const line = parseCommandLine(SPEC, argv);
    if (line.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const { nats, jobId } = clusterJob(COMMAND, line.flags, process.env);
    const leaseMs = positiveIntegerFlag(COMMAND, '--lease-ms', line.flags['lease-ms'], 3_000);
    const checkpointInterval = positiveIntegerFlag(COMMAND, '--checkpoint-interval', line.flags['checkpoint-interval'], 1_000);
    const replicas = positiveIntegerFlag(COMMAND, '--replicas', line.flags.replicas, 1);
    const board = dashboardFlags(COMMAND, line.flags);
    const path = line.positionals[0] as string;
    const job = await loadJob(COMMAND, path, process.cwd());
    const args = jobArgs(COMMAND, job, path, line.rest);
    // The dashboard shows the last run this worker led (a worker that never leads shows none).
    let led: PipelineHandle | undefined;
    const served = board === undefined ? undefined : await serveDashboard(COMMAND, board, () => (led === undefined ? [] : [led]));
    const stops = new StopSignals();
    try {
      const result = await runClusterWorker({
        job,
        args,
        nats,
        jobId,
        workerId: line.flags['worker-id'],
        leaseMs,
        checkpointInterval,
        replicas,
        replan: line.switches.has('replan'),
        upgrade: line.switches.has('upgrade'),
        signal: stops.signal,
        log: (text) => process.stderr.write(`${COMMAND}: ${text}\n`),
        onRun: (handle) => (led = handle),
      });
      const said =
        result.outcome === 'complete'
          ? `job ${jobId} complete`
          : result.outcome === 'already-complete'
            ? `job ${jobId} is already complete`
            : `worker ${result.worker} left job ${jobId}`;
      process.stdout.write(`${said}\n`);
      return 0;
    } catch (error) {
      const flag = isInvalidOption(error) ? FLAG_OF_OPTION.get(error.option) : undefined;
      if (flag !== undefined) throw new UsageError(COMMAND, `${flag}: ${(error as Error).message}`);
      throw error;
    } finally {
      stops.dispose();
      await served?.close();
    }
  },
};
