/**
 * Runs the `sluice` command as a user would, `node bin/sluice.js …` from the project's root, and
 * reports how it ended: exit status, signal, standard output and standard error, whole.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { projectRoot } from '../docs/markdown.js';

export interface Ended {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A `sluice` process under way: the child, the lines of its stderr as they come, and how it ends. */
export interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves once a line of stderr equals `line`; rejects when stderr ends first. */
  stderrLine(line: string): Promise<void>;
  readonly ended: Promise<Ended>;
}

/** Starts `sluice ...args`, with `env` over this process's environment (SLUICE_DEBUG unset unless it says). */
export function startSluice(args: readonly string[], env: Readonly<Record<string, string>> = {}): Running {
  const child = spawn(process.execPath, ['bin/sluice.js', ...args], { cwd: projectRoot, env: { ...process.env, SLUICE_DEBUG: '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const lines = createInterface({ input: child.stderr });
  const waiting: { line: string; resolve: () => void }[] = [];
  lines.on('line', (line) => {
    stderr += `${line}\n`;
    for (const wait of waiting.filter((w) => w.line === line)) wait.resolve();
  });
  const closed = once(lines, 'close');
  const ended = (async (): Promise<Ended> => {
    // 'close', not 'exit': it comes once stdout and stderr have ended too.
    const [[code, signal]] = await Promise.all([once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>, closed]);
    return { code, signal, stdout, stderr };
  })();
  return {
    child,
    ended,
    stderrLine: (line) =>
      new Promise((resolve, reject) => {
        if (stderr.split('\n').includes(line)) return resolve();
        waiting.push({ line, resolve });
        void closed.then(() => reject(new Error(`sluice's stderr ended without the line ${JSON.stringify(line)}:\n${stderr}`)));
      }),
  };
}

/** Runs `sluice ...args` to its end. */
export function sluice(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Ended> {
  return startSluice(args, env).ended;
}
