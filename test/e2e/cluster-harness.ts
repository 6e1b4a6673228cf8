/**
 * Worker processes of a word-count job for the cluster tests, started exactly as the contract
 * writes them (`sluice worker examples/wordcount.job.ts --nats URL --job ID -- --input FILE
 * --output FILE`), with their exits, output and signals at hand.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { projectRoot } from '../docs/markdown.js';

export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it) and everything the process wrote. */
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly stdout: string; readonly stderr: string }>;
}

export interface WorkerSpec {
  readonly url: string;
  readonly job: string;
  readonly id: string;
  readonly input: string;
  readonly output: string;
  /** Extra worker flags (before `--`). */
  readonly flags?: readonly string[];
  readonly partitions?: number;
}

/** Every process a test started that has not exited yet. */
const running = new Set<ChildProcess>();

/**
 * Tracks `child` until it exits, so that a test that fails or times out leaves nothing running
 * ({@link killLeftovers} in an `afterEach`).
 */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Kills whatever a test left running and waits for it to exit. */
export async function killLeftovers(): Promise<void> {
  await Promise.all(
    [...running].map(async (child) => {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }),
  );
}

/** Starts one worker process. */
export function startWorker(spec: WorkerSpec): WorkerProcess {
  const args = [
    'bin/sluice.js',
    'worker',
    'examples/wordcount.job.ts',
    '--nats',
    spec.url,
    '--job',
    spec.job,
    '--worker-id',
    spec.id,
    ...(spec.flags ?? []),
    '--',
    '--input',
    spec.input,
    '--output',
    spec.output,
    ...(spec.partitions === undefined ? [] : ['--partitions', String(spec.partitions)]),
  ];
  const child = track(spawn(process.execPath, args, { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, stdout, stderr }));
  return { id: spec.id, child, exited };
}
