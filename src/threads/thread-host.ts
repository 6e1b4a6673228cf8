/**
 * Where the threads of a job run: worker threads of this process, or worker processes of a
 * cluster. The main thread's side of a job asks its host for the channels between threads and
 * starts each thread through it; everything else (links, credits, placement, checkpoints) is the
 * same wherever the threads are.
 */
import type { SluiceError } from '../errors.js';
import type { DurableLinks } from './durable-links.js';
import type { ChannelMaker, LinkPort } from './link-port.js';
import type { ThreadSetup } from './thread-protocol.js';

/** A started thread, as the main thread sees it (a `Worker` is one). */
export interface ThreadHandle {
  /** Sends the thread a control message (`ToThread`). */
  postMessage(message: unknown): void;
  /**
   * `message`: each control message from the thread (`FromThread`); `error`: an error thrown
   * outside any handler there; `exit`: the thread is gone, with an exit code.
   */
  on(event: 'message' | 'error' | 'exit', listener: (value: any) => void): unknown;
  once(event: 'exit', listener: (code: number) => void): unknown;
  /** Stops the thread at once; resolves once it is gone. */
  terminate(): Promise<unknown>;
}

export interface ThreadHost {
  /** Makes the channel of one link, or of a thread's units. */
  readonly channel: ChannelMaker;
  /**
   * The run's durable links, when the host keeps them (a cluster that restarts a thread alone):
   * every link then goes through them, and `channel`'s ports are not used.
   */
  readonly links?: DurableLinks | undefined;
  /** Starts thread `number` (1 up) on `setup`, handing it `transfer`, the ports in `setup` that are its ends. */
  start(number: number, setup: ThreadSetup, transfer: readonly LinkPort[]): ThreadHandle;
  /** Who thread `number` is, for metrics and the dashboard: `thread 2`, or a cluster worker's id. */
  describe(number: number): string;
  /** The error a run fails with when thread `number`, which ran `partitions`, died or failed to start. */
  lost(number: number, partitions: readonly string[], problem: string, cause?: unknown): SluiceError;
}
