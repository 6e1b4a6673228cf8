/**
 * `sluice run JOB [--workers N] [--checkpoint-dir DIR] [--dashboard PORT …] [-- JOB-ARGS…]`: runs a
 * job module in this process until its input ends, as `job.run({ workers, checkpoint: { dir }, args })`
 * would, with the job's args made by its own `parseArgs` from what follows `--`, and with
 * `--dashboard` serves its live dashboard while it runs. The flags are checked before the module is
 * imported; the job's arguments, by the job, before anything runs.
 */
import { resolve } from 'node:path';
import type { PipelineHandle } from '../streams/pipeline-handle.js';
import type { Command } from './command.js';
import { parseCommandLine, type CommandLineSpec } from './command-line.js';
import { DASHBOARD_FLAGS, dashboardFlags, serveDashboard } from './dashboard-flags.js';
import { jobArgs, isInvalidOption, positiveIntegerFlag } from './job-flags.js';
import { loadJob } from './load-job.js';
import { runInForeground } from './run-in-foreground.js';
import { UsageError } from './usage-error.js';

const COMMAND = 'sluice run';

const SPEC: CommandLineSpec<'workers' | 'checkpoint-dir' | (typeof DASHBOARD_FLAGS)[number]> = {
  command: COMMAND,
  flags: ['workers', 'checkpoint-dir', ...DASHBOARD_FLAGS],
  positionals: ['JOB (the job module to run)'],
  rest: "the job's arguments",
};

const HELP = `Usage: sluice run JOB [--workers N] [--checkpoint-dir DIR] [--dashboard PORT] [-- JOB-ARGS...]

Runs the job module JOB in this process until its input ends. JOB is a file (its path
relative to the current folder) whose default export is a job made by
defineJob(import.meta.url, build); a TypeScript one is imported with tsx's loader.

Options:
  --workers N           run on N worker threads (default 1: this thread alone)
  --checkpoint-dir DIR  take checkpoints in DIR, and resume from the last one there;
                        a job that completed there before does not run again
  --dashboard PORT      serve a live dashboard of the run at http://HOST:PORT/dashboard
                        while it runs (0: a free port; the line on stderr says which)
  --dashboard-host ADDR the address it listens on (default 127.0.0.1: this machine only)
  --dashboard-token TOKEN
                        ask every request for TOKEN (Authorization: Bearer TOKEN, or
                        ?token=TOKEN in the URL): give one whenever ADDR is not loopback
  -h, --help            print this help

JOB-ARGS, everything after --, go to the job: its parseArgs option (defineJob's third
argument) turns them into its args; a job without one gets the strings themselves.

Standard output is the job's (a sink may write to it); this command writes one line
to standard error when the run ends. SIGINT or SIGTERM stops the run (with
--checkpoint-dir, after a last checkpoint to go on from); a second one exits at once.

Exit status: 0 the job completed (or had completed before), 1 the run failed,
2 a bad command line, 130 stopped by SIGINT, 143 stopped by SIGTERM.

Example:
  npx sluice run examples/wordcount.job.ts --workers 2 -- --input examples/data/sluice-gate.txt
`;

/** The flag that set each option of a run, by the name an InvalidOptionError gives the option. */
const FLAG_OF_OPTION: ReadonlyMap<string, string> = new Map([
  ['workers', '--workers'],
  ['checkpoint', '--checkpoint-dir'],
  ['checkpoint.dir', '--checkpoint-dir'],
]);

/** `sluice run`. */
export const runCommand: Command = {
  name: 'run',
  summary: 'run a job module in this process, on worker threads if asked',
  async run(argv) {
    const line = parseCommandLine(SPEC, argv);
    if (line.help) {
      process.stdout.write(HELP);
      return 0;
    }
    const workers = positiveIntegerFlag(COMMAND, '--workers', line.flags.workers, 1);
    const dir = line.flags['checkpoint-dir'];
    if (dir === '') throw new UsageError(COMMAND, '--checkpoint-dir must be a folder path, got ""');
    const board = dashboardFlags(COMMAND, line.flags);
    const path = line.positionals[0] as string;
    const job = await loadJob(COMMAND, path, process.cwd());
    const args = jobArgs(COMMAND, job, path, line.rest);
    const checkpoint = dir === undefined ? {} : { checkpoint: { dir: resolve(dir) } };
    // The dashboard listens before the run starts (a port it cannot have ends nothing under way),
    // shows the run once it has a handle, and closes with the run, so the process can exit.
    let handle: PipelineHandle | undefined;
    const served = board === undefined ? undefined : await serveDashboard(COMMAND, board, () => (handle === undefined ? [] : [handle]));
    try {
      return await runInForeground({
        command: COMMAND,
        checkpointDir: dir,
        start(signal) {
          try {
            handle = job.run({ workers, signal, args, ...checkpoint });
            return handle;
          } catch (error) {
            // What the flags asked for and the job cannot do (checkpoints of a source that cannot
            // be read again) is the command line's mistake; anything else is the job's.
            const flag = isInvalidOption(error) ? FLAG_OF_OPTION.get(error.option) : undefined;
            if (flag !== undefined) throw new UsageError(COMMAND, `${flag}: ${(error as Error).message}`);
            throw error;
          }
        },
      });
    } finally {
      await served?.close();
    }
  },
};
