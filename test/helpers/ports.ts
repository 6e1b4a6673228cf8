/**
 * A TCP port on 127.0.0.1 that nothing listens on: taken from the system, then freed, for a
 * server a test starts or for a connection that must find nobody there.
 */
import { createServer } from 'node:net';

export async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
