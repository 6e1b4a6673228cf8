/**
 * Runs examples/http-service/server.ts as a child process on an ephemeral loopback port, for the
 * whole-program tests: resolves once it prints its `listening on` line, and keeps its stderr for
 * failure messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { projectRoot } from '../docs/markdown.js';

export interface ServiceProcess {
  readonly url: string;
  readonly child: ChildProcess;
  /** Resolves with the exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals | null>;
  stderr(): string;
}

export async function startServiceProcess(stateDir: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/http-service/server.ts'], {
    cwd: projectRoot,
    env: { ...process.env, PORT: '0', STATE_DIR: stateDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const url = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (match !== null) resolve(match[1] as string);
    });
    void exited.then((how) => reject(new Error(`the service exited (${String(how)}) before listening: ${stderr}`)));
  });
  return { url, child, exited, stderr: () => stderr };
}

/** Sends SIGTERM and waits for the exit. */
export async function stopServiceProcess(service: ServiceProcess): Promise<number | NodeJS.Signals | null> {
  service.child.kill('SIGTERM');
  return service.exited;
}

/** POSTs JSON lines to /events. */
export function postEvents(url: string, records: readonly unknown[]): Promise<Response> {
  return fetch(`${url}/events`, { method: 'POST', body: records.map((r) => JSON.stringify(r)).join('\n') });
}

/** GETs /stats/:key: the JSON body, or the status for anything but 200. */
export async function getStats(url: string, key: string): Promise<{ key: string; count: number; sum: number } | number> {
  const response = await fetch(`${url}/stats/${encodeURIComponent(key)}`);
  if (response.status !== 200) {
    await response.body?.cancel();
    return response.status;
  }
  return (await response.json()) as { key: string; count: number; sum: number };
}
