/**
 * `sluice run JOB [--workers N] [--checkpoint-dir DIR] [-- JOB-ARGS…]`: runs a job module in this
 * process until its input ends, as `job.run({ workers, checkpoint: { dir }, args })` would, with
 * the job's args made by its own `parseArgs` from what follows `--`. The flags are checked before
 * the module is imported; the job's arguments, by the job, before anything runs.
 */
import { resolve } from 'node:path';
import type { Command } from './command.js';
import { parseCommandLine, type CommandLineSpec } from './command-line.js';
import { jobArgs, isInvalidOption, positiveIntegerFlag } from './job-flags.js';
import { loadJob } from './load-job.js';
import { runInForeground } from './run-in-foreground.js';
import { UsageError } from './usage-error.js';

const COMMAND = 'sluice run';

const SPEC: CommandLineSpec<'workers' | 'checkpoint-dir'> = {
  command: COMMAND,
  flags: ['workers', 'checkpoint-dir'],
  positionals: ['JOB (the job module to run)'],
  rest: "the job's arguments",
};

const HELP = `Usage: sluice run JOB [--workers N] [--checkpoint-dir DIR] [-- JOB-ARGS...]

Runs the job module JOB in this process until its input ends. JOB is a file (its path
relative to the current folder) whose default export is a job made by
defineJob(import.meta.url, build); a TypeScript one is imported with tsx's loader.

Options:
  --workers N           run on N worker threads (default 1: this thread alone)
  --checkpoint-dir DIR  take checkpoints in DIR, and resume from the last one there;
                        a job that completed there before does not run again
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
    const path = line.positionals[0] as string;
    const job = await loadJob(COMMAND, path, process.cwd());
    const args = jobArgs(COMMAND, job, path, line.rest);
    const checkpoint = dir === undefined ? {} : { checkpoint: { dir: resolve(dir) } };
    return runInForeground({
      command: COMMAND,
      checkpointDir: dir,
      start(signal) {
        try {
          return job.run({ workers, signal, args, ...checkpoint });
        } catch (error) {
          // What the flags asked for and the job cannot do (checkpoints of a source that cannot
          // be read again) is the command line's mistake; anything else is the job's.
          const flag = isInvalidOption(error) ? FLAG_OF_OPTION.get(error.option) : undefined;
          if (flag !== undefined) throw new UsageError(COMMAND, `${flag}: ${(error as Error).message}`);
          throw error;
        }
      },
    });
  },
};
