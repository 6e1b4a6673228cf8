/**
 * The ends of a threaded run's message channels that stay in the main thread. When the run is over
 * its threads are gone, but an end of a channel leaves the process's active resources only once
 * its `close` event has fired, a turn of the event loop or more after the other end went away. So
 * the run closes every one of them itself and waits for their `close` events before it settles:
 * a host that looks right after `done` finds nothing of the run left.
 */
import { MessagePort } from 'node:worker_threads';
import type { LinkPort } from './link-port.js';

export class MainPorts {
  readonly #ports: MessagePort[] = [];
  readonly #closed: Promise<void>[] = [];

  /** Keeps `ports` that are MessagePorts (a cluster's NATS channels end otherwise, with their run). */
  add(ports: Iterable<LinkPort>): void {
    for (const port of ports) {
      if (!(port instanceof MessagePort)) continue;
      this.#ports.push(port);
      this.#closed.push(new Promise<void>((resolve) => port.once('close', () => resolve())));
    }
  }

  /** Closes every end kept and resolves once each has heard its `close`. */
  async close(): Promise<void> {
    for (const port of this.#ports) port.close();
    await Promise.all(this.#closed);
  }
}
