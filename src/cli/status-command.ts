/**
 * `sluice status --nats URL --job ID [--json]`: what a job run by `sluice worker` processes is
 * doing, read from NATS without joining it: its state, leader and live workers, where each
 * partition runs and how much waits in it, the last checkpoint and the source offset it committed,
 * and the records read and written. It prints no credential.
 */
import { formatJobStatus, readJobStatus } from '../cluster/job-status.js';
import { connectNats } from '../nats/connect-nats.js';
import type { Command } from './command.js';
import { parseCommandLine, type CommandLineSpec } from './command-line.js';
import { isInvalidOption } from './job-flags.js';
import { clusterJob, NATS_FLAGS, NATS_FLAGS_HELP, type NatsFlag } from './nats-flags.js';
import { UsageError } from './usage-error.js';

const COMMAND = 'sluice status';

const SPEC: CommandLineSpec<NatsFlag | 'job'> = {
  command: COMMAND,
  flags: [...NATS_FLAGS, 'job'],
  switches: ['json'],
  positionals: [],
  rest: undefined,
};

const HELP = `Usage: sluice status --nats URL --job ID [--json]

Shows what job ID, run by sluice worker processes, is doing: whether it runs, is
complete or failed, its leader and live workers, the worker that runs each partition
and the messages waiting in it, the last checkpoint and the source offset it
committed, and the records read and written in the current run.

Options:
  --job ID     the job's id (required)
  --json       print the status as one JSON object instead
  -h, --help   print this help

${NATS_FLAGS_HELP}

Exit status: 0 the job is known (running, complete or failed), 1 no worker ever
joined a job with this id on this server, or NATS did not answer; 2 a bad command line.
`;

/** `sluice status`. */
export const statusCommand: Command = {
  name: 'status',
  summary: "show a cluster job's partitions, owners, committed offsets, lag and state",
  async run(argv) {
    const line = parseCommandLine(SPEC, argv);
    if (line.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const { nats, jobId } = clusterJob(COMMAND, line.flags, process.env);
    const json = line.switches.has('json');
    const nc = await connectNats({ ...nats, maxReconnectAttempts: 0 });
    try {
      const status = await readJobStatus(nc, jobId, '--job');
      process.stdout.write(json ? `${JSON.stringify(status)}\n` : formatJobStatus(status));
      return status.state === 'unknown' ? 1 : 0;
    } catch (error) {
      if (isInvalidOption(error)) throw new UsageError(COMMAND, error.message);
      throw error;
    } finally {
      await nc.close();
    }
  },
};
