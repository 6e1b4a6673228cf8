/**
 * A test's side of the dashboard over real HTTP: a server on an ephemeral port around a handler,
 * plain requests, and a Server-Sent Events reader that hands over events as they arrive.
 */
import { createServer, get, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DashboardHandler } from '../../src/dashboard/dashboard.js';

export interface Served {
  readonly server: Server;
  readonly base: string;
  /** Resolves once the server has closed: every connection ended. */
  close(): Promise<void>;
}

/** Serves `board`, with everything not the dashboard's answered 418 by the host. */
export async function serve(board: DashboardHandler): Promise<Served> {
  const server = createServer((request, response) => {
    board(request, response, () => response.writeHead(418).end('host'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error === undefined ? resolve() : reject(error)))),
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One request, its whole answer. */
export function request(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end();
  });
}

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

/** An open feed: its response, and its events (comments included, as event `comment`) in order. */
export interface Feed {
  readonly response: IncomingMessage;
  /** The next event, waiting for it to arrive; rejects when the stream ends first. */
  next(): Promise<SseEvent>;
  /** The next event that is not a comment. */
  nextEvent(): Promise<SseEvent>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/** Opens the feed at `url` and parses its events as they come. */
export function openFeed(url: string, headers: Record<string, string> = {}): Promise<Feed> {
  return new Promise((resolve, reject) => {
    const sent = get(url, { headers, agent: false }, (response) => {
      const queue: SseEvent[] = [];
      const waiters: { resolve: (event: SseEvent) => void; reject: (error: Error) => void }[] = [];
      let buffer = '';
      let done = false;
      const ended = new Promise<void>((resolveEnd) => response.once('close', resolveEnd));
      const deliver = (event: SseEvent): void => {
        const waiter = waiters.shift();
        if (waiter === undefined) queue.push(event);
        else waiter.resolve(event);
      };
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          const data: string[] = [];
          let comment = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comment = true;
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
            else if (line.startsWith('retry: ')) event = 'retry';
          }
          deliver({ event: comment && data.length === 0 ? 'comment' : event, data: data.join('\n') });
        }
      });
      void ended.then(() => {
        done = true;
        for (const waiter of waiters.splice(0)) waiter.reject(new Error('the feed ended'));
      });
      const next = (): Promise<SseEvent> => {
        const queued = queue.shift();
        if (queued !== undefined) return Promise.resolve(queued);
        if (done) return Promise.reject(new Error('the feed ended'));
        return new Promise((resolveNext, rejectNext) => waiters.push({ resolve: resolveNext, reject: rejectNext }));
      };
      const nextEvent = async (): Promise<SseEvent> => {
        for (;;) {
          const event = await next();
          if (event.event !== 'comment' && event.event !== 'retry') return event;
        }
      };
      resolve({ response, next, nextEvent, ended, close: () => response.destroy() });
    });
    sent.on('error', reject);
  });
}
