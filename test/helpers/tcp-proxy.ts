/**
 * A TCP proxy on 127.0.0.1 in front of a service, which a test can cut: every connection through it
 * is dropped and new ones are refused until it is restored — the service restarting, as its
 * clients see it, without touching the service itself (which other tests share).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  /** The port the proxy listens on. */
  readonly port: number;
  /** Connections refused since the last `cut()`. */
  readonly refused: number;
  /** Drops every open connection, and refuses new ones until `restore()`. */
  cut(): void;
  /** Lets connections through again. */
  restore(): void;
  /** Resolves once `count` connections have been refused since the last `cut()`. */
  refusals(count: number): Promise<void>;
  /** Closes the proxy and every connection through it. */
  close(): Promise<void>;
}

/** A proxy to `host:port`. */
export async function tcpProxy(host: string, port: number): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let down = false;
  let refused = 0;
  let waiters: { count: number; resolve: () => void }[] = [];
  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    if (down) {
      client.destroy();
      refused++;
      waiters = waiters.filter((waiter) => (refused >= waiter.count ? (waiter.resolve(), false) : true));
      return;
    }
    const upstream = connect({ host, port });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const listening = (server.address() as { port: number }).port;
  return {
    port: listening,
    get refused() {
      return refused;
    },
    cut() {
      down = true;
      refused = 0;
      for (const socket of open) socket.destroy();
    },
    restore() {
      down = false;
    },
    refusals(count) {
      return refused >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
