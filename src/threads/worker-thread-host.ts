/**
 * The host of a job's threads within one process: each thread is a `Worker` started on an eval'd
 * bootstrap that imports the job module and starts the job its `defineJob` registered there, and
 * each link is a `MessageChannel` whose ports are transferred to the threads that use them.
 */
import { Worker, type MessagePort, type ResourceLimits } from 'node:worker_threads';
import { WorkerThreadError } from '../errors.js';
import { threadChannel } from './thread-links.js';
import type { ThreadHost } from './thread-host.js';

/**
 * Started in each worker: imports the job module (after registering a TypeScript loader when it
 * needs one), then starts the job its `defineJob` registered in that thread. Only dynamic imports,
 * so it runs whether the process treats eval'd code as a script or a module (`--input-type`).
 */
const BOOTSTRAP = `
(async () => {
  const { workerData } = await import('node:worker_threads');
  if (workerData.loader !== undefined) (await import(workerData.loader)).register();
  await import(workerData.url);
  const jobs = globalThis[Symbol.for('sluice.jobModules')];
  const start = jobs === undefined ? undefined : (jobs.get(workerData.url) ?? [])[workerData.job];
  if (typeof start !== 'function') throw new Error('the job module ' + workerData.url + ' defined no job number ' + (workerData.job + 1) + ' when imported in a worker thread');
  await start(workerData);
})();
`;

/** Threads of this process, each with V8's heap limits `resourceLimits` when given. */
export function workerThreadHost(resourceLimits: ResourceLimits | undefined): ThreadHost {
  return {
    channel: threadChannel,
    start(_number, setup, transfer) {
      const transferList = transfer as MessagePort[];
      return new Worker(BOOTSTRAP, { eval: true, workerData: setup, transferList, ...(resourceLimits === undefined ? {} : { resourceLimits }) });
    },
    describe: (number) => `thread ${number}`,
    lost: (number, partitions, problem, cause) => new WorkerThreadError(number, partitions, problem, cause),
  };
}
