/**
 * `sluice/nats`: Sluice on NATS JetStream. The NATS client packages (`@nats-io/transport-node`,
 * `@nats-io/jetstream`, `@nats-io/kv`, 3.3.x) are optional peer dependencies: install
 * them next to Sluice to use anything here.
 */
export { connectNats } from './connect-nats.js';
export type { NatsConnectOptions } from './connect-nats.js';
export type { NatsConnectionChoice } from './nats-connection.js';
export { filterSubject, natsName, publishSubject } from './nats-names.js';
export { redactUrl } from '../internal/redact-url.js';
export { fromJetStream } from './from-jetstream.js';
export type { FromJetStreamOptions, JetStreamMessageInfo } from './from-jetstream.js';
export { toJetStream } from './to-jetstream.js';
export type { JetStreamSink, ToJetStreamOptions } from './to-jetstream.js';
export type { JetStreamWriteOptions, JetStreamWriteStats } from './jetstream-writing.js';
export { partitionedPublisher, sluicePartition } from './partitioned-publisher.js';
export type { PartitionedPublisher, PartitionedPublisherOptions } from './partitioned-publisher.js';
export { JetStreamTruncatedError, JetStreamWriteError, MalformedMessageError, MessageTooLargeError, NatsUnreachableError } from '../errors.js';
export { runClusterWorker } from '../cluster/cluster-worker.js';
export type { ClusterWorkerOptions, ClusterWorkerResult } from '../cluster/cluster-worker.js';
export { formatJobStatus, readJobStatus } from '../cluster/job-status.js';
export type { ClusterJobStatus } from '../cluster/job-status.js';
export type { JobState, ProgressRecord, RunRecord } from '../cluster/job-record.js';
