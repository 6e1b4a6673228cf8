/**
 * How a connector gets to NATS: an open connection it borrows (and leaves open), or the options to
 * open its own with (which it closes when it is done). Never both, so it is clear who closes what.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { InvalidOptionError } from '../errors.js';
import { isObject } from '../internal/validate.js';
import type { NatsConnectOptions } from './connect-nats.js';

/**
 * The connection part of a connector's options: `{ connection }`, an open connection the connector
 * uses and leaves open; or every option of {@link NatsConnectOptions} (`servers`, `user`, `pass`,
 * `token`, `credsFile`, `nkeySeedFile`, `tls`, …), with which the connector opens a connection of
 * its own when it starts and closes it when it stops. With neither, it connects to
 * `nats://127.0.0.1:4222`.
 *
 * @example
 * ```ts
 * const shared = { connection: await connectNats({ servers: 'nats://10.0.0.5:4222' }) };
 * const own = { servers: 'tls://nats.internal:4222', credsFile: '/etc/sluice/job.creds' };
 * ```
 */
export type NatsConnectionChoice = { readonly connection: NatsConnection } | (NatsConnectOptions & { readonly connection?: undefined });

/**
 * Checks the connection part of `options` at construction.
 * @throws InvalidOptionError naming `options` when it is not an object, or `connection` when it is
 *   not a connection or comes with `servers`.
 */
export function checkConnectionChoice(options: unknown): void {
  isObject('options', options);
  const { connection, servers } = options as { connection?: unknown; servers?: unknown };
  if (connection === undefined) return;
  const candidate = connection as Partial<Record<'publish' | 'subscribe' | 'close', unknown>> | null;
  if (typeof candidate !== 'object' || candidate === null || [candidate.publish, candidate.subscribe, candidate.close].some((f) => typeof f !== 'function')) {
    throw new InvalidOptionError('connection', 'an open NATS connection (from connectNats)', connection);
  }
  if (servers !== undefined)
    throw new InvalidOptionError('connection', 'given alone: either an open connection or `servers` to connect to, not both', connection);
}
