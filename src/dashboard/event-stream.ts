/**
 * The open feeds of a dashboard, as Server-Sent Events: each gets the recent samples at once (one
 * `history` event), then one `sample` event per interval. A comment line now and then keeps proxies
 * and load balancers from closing a feed they think idle. A client that stops reading is cut off
 * rather than buffered for without end.
 */
import type { ServerResponse } from 'node:http';
import type { DashboardSample } from './dashboard-view.js';
import { SECURITY_HEADERS } from './http-answers.js';

/** Milliseconds between keep-alive comments: under the 30 to 60 s idle timeouts proxies use. */
export const HEARTBEAT_MS = 15_000;

/** Bytes a slow client may leave unread before its feed is closed: minutes of samples. */
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

/** How long an EventSource waits before it connects again, once a feed ended. */
const RETRY_MS = 2000;

/** One event of the stream: JSON keeps the data on one line, so it needs a single `data:` field. */
export function eventText(event: 'history' | 'sample', data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

export class EventStreamFeeds {
  readonly #open = new Set<ServerResponse>();
  #heartbeat: NodeJS.Timeout | undefined;

  /** How many feeds are open. */
  get size(): number {
    return this.#open.size;
  }

  /** Opens a feed on `response` and sends it `history`. */
  open(response: ServerResponse, history: readonly DashboardSample[]): void {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      // nginx buffers responses by default, which would hold the events back.
      'x-accel-buffering': 'no',
    });
    response.socket?.setNoDelay(true);
    this.#open.add(response);
    response.once('close', () => this.#closed(response));
    this.#write(response, `retry: ${RETRY_MS}\n\n${eventText('history', history)}`);
    if (this.#heartbeat === undefined) {
      this.#heartbeat = setInterval(() => this.#broadcast(':\n\n'), HEARTBEAT_MS);
      this.#heartbeat.unref();
    }
  }

  /** Sends `sample` to every open feed. */
  send(sample: DashboardSample): void {
    if (this.#open.size > 0) this.#broadcast(eventText('sample', sample));
  }

  /** Ends every open feed. */
  close(): void {
    for (const response of [...this.#open]) {
      this.#closed(response);
      response.end();
    }
  }

  #broadcast(text: string): void {
    for (const response of [...this.#open]) this.#write(response, text);
  }

  #write(response: ServerResponse, text: string): void {
    if (response.writableLength > MAX_UNREAD_BYTES) {
      this.#closed(response);
      response.destroy();
      return;
    }
    response.write(text);
  }

  #closed(response: ServerResponse): void {
    this.#open.delete(response);
    if (this.#open.size === 0 && this.#heartbeat !== undefined) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }
}
