/**
 * A connection held for as long as a connector runs: borrowed (released by doing nothing) or its
 * own (released by closing it), so every path that stops a connector ends with one `release`.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { connectNats, type NatsConnectOptions } from '../connect-nats.js';
import type { NatsConnectionChoice } from '../nats-connection.js';

/** A connection, and how to let go of it. */
export interface ConnectionLease {
  readonly nc: NatsConnection;
  /** Closes the connection if the lease opened it; idempotent. */
  release(): Promise<void>;
}

/**
 * The connection `choice` names, opened now when it gives options to connect with.
 * @throws (rejects) as {@link connectNats}.
 */
export async function leaseConnection(choice: NatsConnectionChoice): Promise<ConnectionLease> {
  if (choice.connection !== undefined) return { nc: choice.connection, release: () => Promise.resolve() };
  const { connection: _borrowed, ...options } = choice;
  const nc = await connectNats(options as NatsConnectOptions);
  let closing: Promise<void> | undefined;
  return {
    nc,
    release: () => (closing ??= nc.close()),
  };
}

/**
 * The connection's `inboxPrefix`, when it was opened with one (an account whose permissions allow
 * replies only under it): the client keeps its options on the connection, though its type does not
 * say so.
 */
export function inboxPrefixOf(nc: NatsConnection): string | undefined {
  const prefix = (nc as { readonly options?: { readonly inboxPrefix?: unknown } }).options?.inboxPrefix;
  return typeof prefix === 'string' && prefix !== '' ? prefix : undefined;
}
