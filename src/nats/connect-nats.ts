/**
 * Connecting to NATS with every option the client takes (user and password, token, NKey,
 * credentials file, TLS with a CA, …) passed through as it is, plus two conveniences for files that
 * hold secrets. A failure names the servers tried, never a credential.
 */
import { readFile } from 'node:fs/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import type { NodeConnectionOptions } from '@nats-io/transport-node';
import { InvalidOptionError, NatsUnreachableError } from '../errors.js';
import { natsClient } from './nats-peer.js';
import { describeServers } from './nats-servers.js';

/**
 * Options of a NATS connection: the client's own (`servers`, `user`, `pass`, `token`,
 * `authenticator`, `tls: { caFile, certFile, keyFile }`, `name`, reconnection settings, …), and
 * files to read credentials from.
 */
export type NatsConnectOptions = NodeConnectionOptions & {
  /** A credentials file (a user JWT and its NKey seed, as `nsc` writes them). */
  readonly credsFile?: string | undefined;
  /** A file holding a user's NKey seed (`SU…`). */
  readonly nkeySeedFile?: string | undefined;
};

/**
 * Connects to NATS. Unless the options say otherwise, the connection reconnects without limit
 * (a server restarted mid-job is waited for) every 250 ms.
 * @throws (rejects) NatsUnreachableError naming the servers (without credentials) when none
 *   answers or the server refuses the connection; InvalidOptionError naming `credsFile` or
 *   `nkeySeedFile` when that file cannot be read; MissingPeerDependencyError when the client
 *   packages are not installed.
 * @example
 * ```ts
 * const nc = await connectNats({ servers: 'nats://127.0.0.1:4222', credsFile: '/etc/sluice/worker.creds' });
 * ```
 */
export async function connectNats(options: NatsConnectOptions): Promise<NatsConnection> {
  const { transport } = await natsClient();
  const { credsFile, nkeySeedFile, ...client } = options;
  const authenticators = [];
  if (credsFile !== undefined) authenticators.push(transport.credsAuthenticator(await secretFile('credsFile', credsFile)));
  if (nkeySeedFile !== undefined) {
    const seed = await secretFile('nkeySeedFile', nkeySeedFile);
    authenticators.push(transport.nkeyAuthenticator(seed.subarray(0, trimmedLength(seed))));
  }
  if (client.authenticator !== undefined) authenticators.push(...(Array.isArray(client.authenticator) ? client.authenticator : [client.authenticator]));
  const servers = describeServers(client.servers);
  try {
    return await transport.connect({
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      ...client,
      ...(authenticators.length === 0 ? {} : { authenticator: authenticators }),
    });
  } catch (error) {
    throw new NatsUnreachableError(servers, withoutSecrets(error instanceof Error ? error.message : String(error), options), error);
  }
}

async function secretFile(option: string, path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new InvalidOptionError(option, `a readable file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`, path);
  }
}

/** The length of `bytes` without trailing white space (a seed file ends with a newline). */
function trimmedLength(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1] as number) <= 0x20) end--;
  return end;
}

/** `message` with the password and token of `options` replaced, should the client have echoed them. */
function withoutSecrets(message: string, options: NatsConnectOptions): string {
  let safe = message;
  for (const secret of [options.pass, options.token]) if (typeof secret === 'string' && secret !== '') safe = safe.split(secret).join('***');
  return safe;
}
