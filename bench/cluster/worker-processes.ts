/**
 * One pass of the cluster case: N `sluice worker` processes started together on one job, awaited
 * until every one has exited. Every process is accounted for however the pass ends: a process that
 * fails, or a pass past its time, has every process still running killed and awaited before the
 * pass rejects, and the time-out's timer is cleared either way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_BUILD_ENV, jobModuleUrl } from '../harness/bench-entry.js';
import { firstRecordAt } from './first-record.js';

/** What {@link runWorkerProcesses} starts. */
export interface WorkerPassOptions {
  /** How many worker processes: `w1` to `wN`. */
  readonly processes: number;
  readonly natsUrl: string;
  /** A job id no other pass used. */
  readonly jobId: string;
  /** The job's own arguments, after `--`. */
  readonly jobArgs: readonly string[];
  /** How long the pass may take before its processes are killed and it fails. */
  readonly timeoutMs: number;
}

/** When things happened in a pass, as Unix times in ms (`Date.now()`, the clock the processes share). */
export interface WorkerPass {
  /** Just before the first process was started. */
  readonly startedAt: number;
  /** When the first record reached a process, as the earliest process says; `undefined` if none said. */
  readonly firstRecordAt: number | undefined;
  /** When the first process said the job was complete (the leader: its output is in place then). */
  readonly completeAt: number;
  /** When the last process exited. */
  readonly endedAt: number;
  /** How many runs the job started, the first included: more than one when it started on fewer than all its workers. */
  readonly runs: number;
}

/** How a process started the way a user starts `sluice worker`, and what it said. */
interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Resolves once the process exited and its output ended; never rejects. */
  readonly ended: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stderr: string; readonly error?: Error }>;
}

/**
 * The command line that starts `sluice worker` on the cluster job: once the bench is built, the
 * built command (`cluster/sluice-cli.js`, see there why not bin/sluice.js) and the built job module,
 * the one the in-process rows import; from source, bin/sluice.js and the job module's source,
 * which bin/sluice.js runs through tsx.
 */
function workerCommandLine(): { readonly file: string; readonly job: string } {
  const built = process.env[BENCH_BUILD_ENV];
  const job = fileURLToPath(jobModuleUrl('cases/cluster.job'));
  if (built !== undefined && built !== '') return { file: join(built, 'cluster', 'sluice-cli.js'), job };
  return { file: fileURLToPath(new URL('../../bin/sluice.js', import.meta.url)), job };
}

function startWorker(id: string, args: readonly string[], onStdoutLine: (line: string) => void): WorkerProcess {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (let end = stdout.indexOf('\n'); end !== -1; end = stdout.indexOf('\n')) {
      onStdoutLine(stdout.slice(0, end));
      stdout = stdout.slice(end + 1);
    }
  });
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; error?: Error }>((resolve) => {
    // 'close', not 'exit': it comes once stdout and stderr have ended too, so nothing said is missed.
    child.once('close', (code, signal) => resolve({ code, signal, stderr }));
    child.once('error', (error) => resolve({ code: null, signal: null, stderr, error }));
  });
  return { id, child, ended };
}

/** The last lines of `text`, for an error message. */
function tail(text: string, lines = 12): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts `options.processes` worker processes of the cluster job at once and resolves when every
 * one has exited 0 after saying the job is complete.
 * @throws (rejects) Error naming the process and quoting its standard error when one exits
 *   otherwise or cannot start, or when the pass outlives `options.timeoutMs`; every process still
 *   running is killed (SIGKILL) and awaited first.
 * @example
 * ```ts
 * const pass = await runWorkerProcesses({ processes: 2, natsUrl: 'nats://127.0.0.1:4222', jobId: 'bench-1', jobArgs: ['--input', 'log', '--output', 'out'], timeoutMs: 60_000 });
 * pass.completeAt - pass.startedAt; // ms until the leader said `job bench-1 complete`
 * ```
 */
export async function runWorkerProcesses(options: WorkerPassOptions): Promise<WorkerPass> {
  const { file, job } = workerCommandLine();
  const complete = `job ${options.jobId} complete`;
  let completeAt: number | undefined;
  const onStdoutLine = (line: string): void => {
    if (line === complete) completeAt ??= Date.now();
  };
  const startedAt = Date.now();
  const workers: WorkerProcess[] = [];
  for (let i = 1; i <= options.processes; i++) {
    const id = `w${i}`;
    const args = [file, 'worker', job, '--nats', options.natsUrl, '--job', options.jobId, '--worker-id', id, '--', ...options.jobArgs];
    workers.push(startWorker(id, args, onStdoutLine));
  }
  const killAll = (): void => {
    for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timed out'>((resolve) => {
    timer = setTimeout(() => resolve('timed out'), options.timeoutMs);
  });
  try {
    // The first process to fail ends the pass at once: the others may wait for it for ever.
    const failed = Promise.race(
      workers.map(async (worker) => {
        const end = await worker.ended;
        if (end.code === 0 && end.error === undefined) return new Promise<never>(() => undefined);
        return { worker, end };
      }),
    );
    const outcome = await Promise.race([Promise.all(workers.map((worker) => worker.ended)), failed, timedOut]);
    if (outcome === 'timed out') {
      killAll();
      const ends = await Promise.all(workers.map((worker) => worker.ended));
      const said = workers.map((worker, i) => `${worker.id}:\n${tail(ends[i]?.stderr ?? '')}`).join('\n');
      throw new Error(`the ${options.processes} worker processes of job ${options.jobId} had not ended after ${options.timeoutMs / 1000} s: killed\n${said}`);
    }
    if (!Array.isArray(outcome)) {
      killAll();
      await Promise.all(workers.map((worker) => worker.ended));
      const { worker, end } = outcome;
      const how =
        end.error !== undefined ? `could not start (${end.error.message})` : end.signal !== null ? `was killed by ${end.signal}` : `exited ${end.code}`;
      throw new Error(`worker process ${worker.id} of job ${options.jobId} ${how}:\n${tail(end.stderr)}`);
    }
    const endedAt = Date.now();
    if (completeAt === undefined) throw new Error(`the worker processes of job ${options.jobId} all exited 0, but none said "${complete}"`);
    const stderr = outcome.map((end) => end.stderr).join('\n');
    return { startedAt, firstRecordAt: firstRecordAt(stderr), completeAt, endedAt, runs: runsStarted(stderr, options.jobId) };
  } finally {
    clearTimeout(timer);
    killAll();
  }
}

/**
 * How many runs the leaders of job `jobId` started, by their `… leads job ID: a run on …` lines
 * (at least 1: a job that completed ran at least once).
 */
function runsStarted(stderr: string, jobId: string): number {
  const starts = stderr.split('\n').filter((line) => line.includes(` leads job ${jobId}: a run on `)).length;
  return Math.max(1, starts);
}
