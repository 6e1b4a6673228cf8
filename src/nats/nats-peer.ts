/**
 * The NATS client packages are optional peer dependencies: `sluice/nats` loads them when it is
 * first used, so an application that never uses NATS installs none of them, and one that uses it
 * without them gets an error that says what to install.
 */
import { MissingPeerDependencyError } from '../errors.js';

export const NATS_PACKAGES = ['@nats-io/transport-node', '@nats-io/jetstream', '@nats-io/kv'] as const;

type Transport = typeof import('@nats-io/transport-node');
type JetStream = typeof import('@nats-io/jetstream');
type Kv = typeof import('@nats-io/kv');

/** The client packages, once loaded. */
export interface NatsClient {
  readonly transport: Transport;
  readonly jetstream: JetStream;
  readonly kv: Kv;
}

let loading: Promise<NatsClient> | undefined;

/**
 * The NATS client packages.
 * @throws (rejects) MissingPeerDependencyError naming the packages to install, when one is missing.
 */
export function natsClient(): Promise<NatsClient> {
  loading ??= Promise.all([import('@nats-io/transport-node'), import('@nats-io/jetstream'), import('@nats-io/kv')]).then(
    ([transport, jetstream, kv]) => ({ transport, jetstream, kv }),
    (error: unknown) => {
      loading = undefined;
      throw new MissingPeerDependencyError('sluice/nats', NATS_PACKAGES, error);
    },
  );
  return loading;
}
