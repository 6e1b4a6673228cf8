/**
 * Worker threads kept between runs of job modules. Starting a thread costs a few hundred
 * milliseconds (Node resolving the job module and the library in it), which a service that runs a
 * job again and again, or a test that runs hundreds of short cases, pays on every run. A pool keeps
 * the threads of a run that ended well, idle and unreferenced, and hands them to the next run of
 * the same job module; a thread idle for `idleMs` ends, and `close()` ends them all.
 *
 * A kept thread keeps its job module's module-level variables from one run to the next, as a
 * process that runs a job twice keeps them: the runtime's own state (actors, links, timers) is
 * made afresh for each run. A run that fails leaves none of its threads in the pool.
 */
import { EventEmitter } from 'node:events';
import { MessageChannel, Worker, type MessagePort, type ResourceLimits, type TransferListItem } from 'node:worker_threads';
import { InvalidOptionError } from '../errors.js';
import { isObject, nonNegativeNumber, withDefault } from '../internal/validate.js';
import type { LinkPort } from './link-port.js';
import type { ThreadHandle, ThreadHost } from './thread-host.js';
import type { ThreadSetup } from './thread-protocol.js';
import { workerThreadHost } from './worker-thread-host.js';

/** Options of {@link createThreadPool}. */
export interface ThreadPoolOptions {
  /** How long a thread waits idle in the pool for another run before it ends. @defaultValue 30000 */
  idleMs?: number | undefined;
}

/** Worker threads kept between runs of job modules: pass it as `job.run({ workers, threads })`. */
export interface ThreadPool {
  /** Threads the pool holds now, idle or running a job. */
  readonly size: number;
  /** Threads waiting idle for a run. */
  readonly idle: number;
  /** Ends every idle thread now, and every running one as its run ends; the pool then starts no more. Resolves once the idle ones are gone. */
  close(): Promise<void>;
}

/**
 * Started in each pooled worker: imports the job module once (after registering a TypeScript
 * loader when it needs one), then runs one job at a time as the main thread asks, each over a
 * control port of its own, and says when a run is over. An error a run throws ends the thread.
 */
const POOLED_BOOTSTRAP = `
(async () => {
  const { workerData, parentPort } = await import('node:worker_threads');
  if (workerData.loader !== undefined) (await import(workerData.loader)).register();
  await import(workerData.url);
  const jobs = globalThis[Symbol.for('sluice.jobModules')];
  parentPort.on('message', (message) => {
    if (message === null || typeof message !== 'object' || message.type !== 'sluice-run') return;
    const start = jobs === undefined ? undefined : (jobs.get(workerData.url) ?? [])[message.setup.job];
    if (typeof start !== 'function') throw new Error('the job module ' + workerData.url + ' defined no job number ' + (message.setup.job + 1) + ' when imported in a worker thread');
    start(message.setup, message.control).then(
      () => parentPort.postMessage({ type: 'sluice-idle' }),
      (error) => setImmediate(() => { throw error; }),
    );
  });
})();
`;

/** One thread of the pool, and the run that has it now, if any. */
interface PooledThread {
  readonly worker: Worker;
  readonly key: string;
  use: PooledUse | undefined;
  idleTimer: NodeJS.Timeout | undefined;
  gone: boolean;
}

export class Pool implements ThreadPool {
  readonly #idleMs: number;
  readonly #idle = new Map<string, PooledThread[]>();
  readonly #all = new Set<PooledThread>();
  #closed = false;

  constructor(idleMs: number) {
    this.#idleMs = idleMs;
  }

  get size(): number {
    return this.#all.size;
  }

  get idle(): number {
    let idle = 0;
    for (const threads of this.#idle.values()) idle += threads.length;
    return idle;
  }

  get closed(): boolean {
    return this.#closed;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const idle = [...this.#idle.values()].flat();
    this.#idle.clear();
    await Promise.all(idle.map((thread) => this.#end(thread)));
  }

  /** A thread for `key`: an idle one, or one started now. */
  take(key: string, url: string, loader: string | undefined, resourceLimits: ResourceLimits | undefined): PooledThread {
    const idle = this.#idle.get(key);
    const kept = idle?.pop();
    if (kept !== undefined) {
      clearTimeout(kept.idleTimer);
      kept.idleTimer = undefined;
      kept.worker.ref();
      return kept;
    }
    const worker = new Worker(POOLED_BOOTSTRAP, { eval: true, workerData: { url, loader }, ...(resourceLimits === undefined ? {} : { resourceLimits }) });
    const thread: PooledThread = { worker, key, use: undefined, idleTimer: undefined, gone: false };
    this.#all.add(thread);
    worker.on('error', (error) => thread.use?.threadError(error));
    worker.on('message', (message: { type?: string }) => {
      if (message?.type === 'sluice-idle') thread.use?.runEnded();
    });
    worker.once('exit', (code) => {
      thread.gone = true;
      this.#forget(thread);
      thread.use?.threadExited(code);
    });
    return thread;
  }

  /** Takes `thread` back after a run that ended well; ends it when the pool is closed. */
  park(thread: PooledThread): void {
    thread.use = undefined;
    if (this.#closed || thread.gone) {
      void this.#end(thread);
      return;
    }
    thread.worker.unref();
    thread.idleTimer = setTimeout(() => {
      this.#forget(thread);
      void this.#end(thread);
    }, this.#idleMs);
    thread.idleTimer.unref();
    const idle = this.#idle.get(thread.key) ?? [];
    idle.push(thread);
    this.#idle.set(thread.key, idle);
  }

  async #end(thread: PooledThread): Promise<void> {
    clearTimeout(thread.idleTimer);
    this.#forget(thread);
    if (!thread.gone) await thread.worker.terminate();
  }

  #forget(thread: PooledThread): void {
    this.#all.delete(thread);
    const idle = this.#idle.get(thread.key);
    const at = idle?.indexOf(thread) ?? -1;
    if (idle !== undefined && at >= 0) idle.splice(at, 1);
  }
}

/**
 * One run's hold on a pooled thread, as the run's side sees a thread: its control messages go over
 * a port of the run's own; `terminate()` gives the thread back to the pool when its run stopped
 * well (it said `stopped`, and its job returned), and ends it otherwise.
 */
class PooledUse implements ThreadHandle {
  readonly #pool: Pool;
  readonly #thread: PooledThread;
  readonly #control: MessagePort;
  readonly #events = new EventEmitter();
  #stopped = false;
  #over = false;
  #ended!: () => void;
  readonly #runEnded = new Promise<void>((resolve) => (this.#ended = resolve));
  #exited = false;

  constructor(pool: Pool, thread: PooledThread, setup: ThreadSetup, transfer: readonly LinkPort[]) {
    this.#pool = pool;
    this.#thread = thread;
    const { port1, port2 } = new MessageChannel();
    this.#control = port1;
    port1.on('message', (message: { type?: string }) => {
      if (message?.type === 'stopped') this.#stopped = true;
      this.#events.emit('message', message);
    });
    thread.use = this;
    thread.worker.postMessage({ type: 'sluice-run', setup, control: port2 }, [...(transfer as unknown as TransferListItem[]), port2]);
  }

  postMessage(message: unknown): void {
    this.#control.postMessage(message);
  }

  on(event: 'message' | 'error' | 'exit', listener: (value: any) => void): this {
    this.#events.on(event, listener);
    return this;
  }

  once(event: 'exit', listener: (code: number) => void): this {
    this.#events.once(event, listener);
    return this;
  }

  async terminate(): Promise<void> {
    if (this.#exited) return;
    const thread = this.#thread;
    if (this.#stopped && !this.#pool.closed && !thread.gone) {
      // The run stopped well: its job returns a moment later, and the thread is free again.
      await this.#runEnded;
    }
    if (this.#exited) return;
    this.#control.close();
    if (this.#stopped && this.#over && !thread.gone) {
      this.#exit(0);
      this.#pool.park(thread);
      return;
    }
    thread.use = undefined;
    await thread.worker.terminate();
    this.#exit(1);
  }

  runEnded(): void {
    this.#over = true;
    this.#ended();
  }

  threadError(error: unknown): void {
    this.#events.emit('error', error);
  }

  threadExited(code: number): void {
    this.#ended();
    this.#exit(code);
  }

  #exit(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#events.emit('exit', code);
  }
}

const POOLS = new WeakMap<ThreadPool, Pool>();

/**
 * A pool of worker threads kept between runs of job modules. Give it to each run that may reuse
 * threads (`job.run({ workers, threads: pool })`); close it when done.
 * @throws InvalidOptionError naming `idleMs` when it is not a number of 0 or more.
 * @example
 * ```ts
 * const threads = createThreadPool();
 * for (const day of days) await job.run({ workers: 4, threads, args: { day } }).done;
 * await threads.close();
 * ```
 */
export function createThreadPool(options: ThreadPoolOptions = {}): ThreadPool {
  isObject('options', options);
  const pool = new Pool(withDefault(options.idleMs, 30_000, (v) => nonNegativeNumber('idleMs', v)));
  POOLS.set(pool, pool);
  return pool;
}

/**
 * `pool`'s own side.
 * @throws InvalidOptionError naming `threads` when `pool` was not made by {@link createThreadPool}.
 */
export function checkThreadPool(pool: ThreadPool): Pool {
  const own = POOLS.get(pool);
  if (own === undefined) throw new InvalidOptionError('threads', 'a pool made by createThreadPool()', pool);
  return own;
}

/**
 * Where a run's threads come from when it has a pool: the pool's threads for the job module `url`,
 * started there when none is idle.
 * @throws InvalidOptionError naming `threads` when `pool` was not made by {@link createThreadPool}.
 */
export function pooledThreadHost(pool: ThreadPool, url: string, loader: string | undefined, resourceLimits: ResourceLimits | undefined): ThreadHost {
  const own = checkThreadPool(pool);
  const key = JSON.stringify([url, loader ?? null, resourceLimits ?? null]);
  return {
    ...workerThreadHost(resourceLimits),
    start(_number, setup, transfer) {
      if (own.closed) throw new InvalidOptionError('threads', 'a pool that is not closed', pool);
      return new PooledUse(own, own.take(key, url, loader, resourceLimits), setup, transfer);
    },
  };
}
