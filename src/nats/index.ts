/**
 * `sluice/nats`: Sluice on NATS JetStream. The NATS client packages (`@nats-io/transport-node`,
 * `@nats-io/jetstream`, `@nats-io/kv`, `@nats-io/obj`, 3.3.x) are optional peer dependencies: install
 * them next to Sluice to use anything here.
 */
export { connectNats } from './connect-nats.js';
export type { NatsConnectOptions } from './connect-nats.js';
export { natsName, publishSubject } from './nats-names.js';
export { redactUrl } from './redact-url.js';
export { runClusterWorker } from '../cluster/cluster-worker.js';
export type { ClusterWorkerOptions, ClusterWorkerResult } from '../cluster/cluster-worker.js';
export { formatJobStatus, readJobStatus } from '../cluster/job-status.js';
export type { ClusterJobStatus } from '../cluster/job-status.js';
export type { JobState, ProgressRecord, RunRecord } from '../cluster/job-record.js';
