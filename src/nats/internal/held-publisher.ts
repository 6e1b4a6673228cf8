/**
 * An {@link AsyncPublisher} on a leased connection, and the options every JetStream writer shares
 * (the window, the acknowledgement timeout, the backoff of a full stream, the clock), checked once
 * at construction. Closing it closes both, the connection only when the lease opened it.
 */
import type { NatsConnection } from '@nats-io/nats-core';
import { systemClock, type Clock } from '../../clock.js';
import { isObject, positiveInteger, positiveNumber, withDefault } from '../../internal/validate.js';
import { resolveBackoff, type ResolvedBackoff } from '../../supervision/backoff.js';
import type { JetStreamWriteOptions } from '../jetstream-writing.js';
import type { NatsConnectionChoice } from '../nats-connection.js';
import { natsClient } from '../nats-peer.js';
import { AsyncPublisher } from './async-publisher.js';
import { inboxPrefixOf, leaseConnection } from './connection-lease.js';

/** {@link JetStreamWriteOptions}, checked, with their defaults. */
export interface PublishSettings {
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  readonly backoff: ResolvedBackoff;
  readonly clock: Clock;
}

/**
 * Checks `options`, naming each.
 * @throws InvalidOptionError naming `maxInFlight`, `ackTimeoutMs`, `retryBackoff…` or `clock`.
 */
export function publishSettings(options: JetStreamWriteOptions): PublishSettings {
  if (options.retryBackoff !== undefined) isObject('retryBackoff', options.retryBackoff);
  if (options.clock !== undefined) isObject('clock', options.clock);
  return {
    maxInFlight: withDefault(options.maxInFlight, 1024, (v) => positiveInteger('maxInFlight', v)),
    ackTimeoutMs: withDefault(options.ackTimeoutMs, 5_000, (v) => positiveNumber('ackTimeoutMs', v)),
    backoff: resolveBackoff({ minMs: 5, maxMs: 1_000, ...options.retryBackoff }, 'retryBackoff'),
    clock: options.clock ?? systemClock,
  };
}

/** A publisher with the connection it publishes on. */
export interface HeldPublisher {
  readonly nc: NatsConnection;
  readonly publisher: AsyncPublisher;
  /** Closes the publisher, then the connection if it is the lease's own. */
  close(): Promise<void>;
}

/**
 * A publisher on the connection `choice` names.
 * @throws (rejects) as `connectNats`.
 */
export async function holdPublisher(
  choice: NatsConnectionChoice,
  settings: PublishSettings,
  extra: { readonly expectedStream?: string | undefined; readonly onStream?: ((stream: string) => void) | undefined } = {},
): Promise<HeldPublisher> {
  const lease = await leaseConnection(choice);
  try {
    const { transport } = await natsClient();
    const publisher = new AsyncPublisher({
      nc: lease.nc,
      headers: () => transport.headers(),
      inbox: transport.createInbox(inboxPrefixOf(lease.nc)),
      ...settings,
      ...extra,
    });
    return {
      nc: lease.nc,
      publisher,
      close: async () => {
        publisher.close();
        await lease.release();
      },
    };
  } catch (error) {
    await lease.release();
    throw error;
  }
}
