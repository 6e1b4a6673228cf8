/**
 * One end of the two-way channel a link, or a thread's control messages, travel on: between
 * threads a `MessagePort`, between processes a pair of NATS subjects. Links and threads use only
 * this much of a port, so the same runtime runs a job on threads of one process or on processes.
 */
export interface LinkPort {
  /** Sends `value` to the other end; `transfer` lists buffers handed over rather than copied, where that means anything. */
  postMessage(value: unknown, transfer?: readonly ArrayBuffer[]): void;
  /**
   * `message`: each value from the other end, in order. `close`: once, when the channel is gone
   * (closed at either end, or the other end's thread or process went away). The listener takes
   * `any` as a `MessagePort`'s does, so that one is a LinkPort as it is.
   */
  on(event: 'message' | 'close', listener: (value: any) => void): unknown;
  /** Closes this end; the other end hears `close`. */
  close(): void;
  /** Lets the process exit while this end is still open. */
  unref(): void;
}

/** Makes the two ends of a new channel. */
export type ChannelMaker = () => { readonly port1: LinkPort; readonly port2: LinkPort };
