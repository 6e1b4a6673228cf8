/**
 * Sluice's public entry: named exports only. Everything not listed here is internal and may change.
 */
export { createSystem } from './actors/system.js';
export type { ActorSystem, DispatcherOptions, ShutdownOptions, SystemOptions, SystemStatus } from './actors/actor-system.js';
export { defineActor } from './actors/behavior.js';
export type { ActorDefinition, DraftActorDefinition } from './actors/behavior.js';
export { defineBehaviors } from './actors/named-behaviors.js';
export type { BehaviorContext, BehaviorHandler, BehaviorsDefinition } from './actors/named-behaviors.js';
export type { ActorTimers, TimerKey } from './actors/timers.js';
export type { ActorStash, StashOptions } from './actors/stash.js';
export type { StateMigration } from './actors/state-version.js';
export type { ActorContext } from './actors/context.js';
export type { ActorRef, ActorStatus, AnyActorRef, AskOptions } from './actors/actor-ref.js';
export type { SpawnOptions } from './actors/spawn-options.js';
export type { StopReason, Terminated } from './actors/terminated.js';
export type { Exit, ExitReason } from './actors/exit.js';
export type {
  ActorEscalatedEvent,
  ActorFailedEvent,
  ActorRestartedEvent,
  ActorStartedEvent,
  ActorStoppedEvent,
  EventChannel,
  HookFailedEvent,
  PoisonMessageEvent,
  SnapshotFailedEvent,
  SnapshotRestoredEvent,
  SnapshotSavedEvent,
  EventsDeletedEvent,
  EventsDeleteFailedEvent,
  EventsRecoveredEvent,
  SystemEvent,
  SystemTerminatedEvent,
} from './actors/events.js';
export type { Unsubscribe } from './internal/topic.js';
export type { ActorMetrics, SystemMetrics } from './actors/actor-metrics.js';
export { spawnPool } from './actors/routing/pool.js';
export type { Pool, PoolMetrics, PoolParent } from './actors/routing/pool.js';
export type { PoolOptions, RouteeOptions } from './actors/routing/pool-options.js';
export { createGroup } from './actors/routing/group.js';
export type { Group, GroupOptions } from './actors/routing/group.js';
export { ROUTING_STRATEGIES } from './actors/routing/routing-ref.js';
export type { RouteeMetrics, RoutingMetrics, RoutingOptions, RoutingRef, RoutingStrategy } from './actors/routing/routing-ref.js';
export type { ResizerOptions } from './actors/routing/resizer.js';
export { spawnEntities } from './actors/entities/entities.js';
export type { Entities, EntitiesMetrics, EntitiesParent } from './actors/entities/entities.js';
export type { EntitiesOptions, EntityOptions, EntitySnapshotOptions } from './actors/entities/entities-options.js';

export { RingBuffer } from './mailbox/ring-buffer.js';
export { OVERFLOW_POLICIES } from './mailbox/overflow.js';
export type { OverflowPolicy } from './mailbox/overflow.js';
export { DEFAULT_MAILBOX_CAPACITY } from './mailbox/mailbox.js';
export type { MailboxMetrics, MailboxOptions } from './mailbox/mailbox.js';
export type { DeadLetter, DeadLetterOffice, DeadLetterReason } from './mailbox/dead-letters.js';

export { DIRECTIVES } from './supervision/directive.js';
export type { Decider, Directive } from './supervision/directive.js';
export type { SupervisionOptions } from './supervision/supervision.js';
export { RESTART_TYPES } from './supervision/restart-type.js';
export type { RestartType } from './supervision/restart-type.js';
export { STRATEGIES } from './supervision/strategy.js';
export type { SupervisionStrategy, SupervisorOptions } from './supervision/strategy.js';
export type { RestartIntensity } from './supervision/intensity.js';
export type { BackoffOptions } from './supervision/backoff.js';
export { defineSupervisor, whichChildren } from './supervision/define-supervisor.js';
export type { DefineSupervisorOptions, SupervisedChild, SupervisorMessage } from './supervision/define-supervisor.js';
export type { AnyActorDefinition, ChildSpawnOptions, ChildSpec, ChildStart } from './supervision/child-spec.js';

export { KeyedState, KeyedStateView } from './state/keyed-state.js';
export type { SnapshotOptions } from './state/snapshot-options.js';
export type { LoadResult, RestoredSnapshot, SkippedSnapshot, Snapshot, SnapshotEntry, SnapshotStore } from './state/snapshot-store.js';
export { MemorySnapshotStore } from './state/memory-store.js';
export type { MemorySnapshotStoreOptions } from './state/memory-store.js';
export { FileSnapshotStore } from './state/file-store.js';
export type { FileSnapshotStoreOptions } from './state/file-store.js';

export { canonicalKeyBytes, keyFromCanonicalBytes } from './streams/partitioning/canonical-key.js';
export type { PartitionKey } from './streams/partitioning/canonical-key.js';
export { murmur3 } from './streams/partitioning/murmur3.js';
export { DEFAULT_MAX_PARALLELISM, hashKey, keyGroupOf, keyGroupRange, partitionOfKeyGroup } from './streams/partitioning/key-groups.js';
export type { KeyGroupRange } from './streams/partitioning/key-groups.js';
export { createHashPartitioner, createRangePartitioner, createRoundRobinPartitioner } from './streams/partitioning/partitioner.js';
export type { HashPartitionerOptions, Partitioner, RangePartitionerOptions } from './streams/partitioning/partitioner.js';

export type { FeedReader, ItemFeed, MalformedInput, RecordChunk, Source, SourceItem, SourceRecord } from './streams/sources/source.js';
export { fromArray, fromGenerator, fromIterable } from './streams/sources/collection-sources.js';
export { fromFileLines, fromJsonLines } from './streams/sources/file-sources.js';
export type { FileSourceOptions, LineOffset } from './streams/sources/file-sources.js';
export { fromReadable } from './streams/sources/readable-source.js';

export { END_OF_TIME, NO_WATERMARK, WatermarkTracker, boundedWatermark, combineWatermarks } from './streams/time/watermarks.js';
export type { WatermarkOptions } from './streams/time/watermarks.js';
export { assignWindows, maxTimestamp, mergeWindows, session, sliding, tumbling } from './streams/time/windows.js';
export type { TimeWindow, WindowAssigner } from './streams/time/windows.js';
export { WindowState } from './streams/time/window-state.js';
export type { AddOutcome, WindowAggregate, WindowFiring, WindowStateOptions } from './streams/time/window-state.js';

export { Pipeline, Stream, pipeline } from './streams/pipeline.js';
export { defineJob } from './jobs/define-job.js';
export type { DefineJobOptions, JobModule, JobRunOptions } from './jobs/define-job.js';
export { isJobModule } from './jobs/is-job-module.js';
export { createThreadPool } from './threads/thread-pool.js';
export type { ThreadPool, ThreadPoolOptions } from './threads/thread-pool.js';
export type { CrossingOptions, KeyByOptions, RebalanceOptions, TimestampOptions } from './streams/pipeline.js';
export type { RecordCodec } from './streams/internal/logical-plan.js';
export { KeyedStream } from './streams/keyed-stream.js';
export type { Keyed, KeyedAggregate, KeyedOutputOptions } from './streams/keyed-stream.js';
export type { StageStateOptions } from './streams/stage-state.js';
export { WindowedStream } from './streams/windowed-stream.js';
export type { WindowOptions, WindowResult, WindowedAggregate } from './streams/windowed-stream.js';
export type { DraftProcessFunction, EventTimeOf, FiredTimer, ProcessContext, ProcessFunction, ProcessOptions, TimeDomain } from './streams/process-function.js';
export type {
  OperatorMetrics,
  PipelineHandle,
  PipelineMetrics,
  PipelineResult,
  PipelineStatus,
  RunnableVersion,
  StageMetrics,
  StopOptions,
  UpgradeArguments,
  UpgradeOptions,
} from './streams/pipeline-handle.js';
export type { SavepointInfo } from './streams/checkpoint/savepoint.js';
export type { QueryOptions, RunOptions } from './streams/run-options.js';
export type { CheckpointCompletedEvent, CheckpointFailedEvent, PipelineEvent, PipelineFinishedEvent } from './streams/run/pipeline-events.js';
export type { CheckpointOptions } from './streams/checkpoint/checkpoint-options.js';
export type { CheckpointStorage, RestoredCheckpoint } from './streams/checkpoint/checkpoint-storage.js';
export type { Manifest as CheckpointManifest, PartitionSnapshotRef, StageManifest } from './streams/checkpoint/manifest.js';
export { MemoryCheckpointStorage } from './streams/checkpoint/memory-checkpoint-storage.js';
export type { CheckpointStats } from './streams/checkpoint/coordinator.js';
export type { ChaosOptions, ChaosTarget, CrashPlan } from './streams/run/chaos.js';
export type { PipelineDeadLetter, PipelineDeadLetterReason } from './streams/run/messages.js';
export type { Sink, SinkBatchOrigin, SinkContext } from './streams/sinks/sink.js';
export { toArray, toCallback } from './streams/sinks/basic-sinks.js';
export type { ArraySink } from './streams/sinks/basic-sinks.js';
export { toWritable } from './streams/sinks/writable-sinks.js';
export { toAsyncIterable } from './streams/sinks/async-iterable-sink.js';
export type { AsyncIterableSink, AsyncIterableSinkOptions } from './streams/sinks/async-iterable-sink.js';
export { toJsonLinesFile } from './streams/sinks/json-lines-file.js';
export type { WritableSinkOptions } from './streams/sinks/writable-sinks.js';

export { LatencyHistogram } from './metrics/latency-histogram.js';
export type { LatencyHistogramOptions, LatencySummary } from './metrics/latency-histogram.js';
export type { Metric, MetricAttributes, MetricPoint, SummaryPoint } from './metrics/metric.js';
export { PROMETHEUS_CONTENT_TYPE, prometheusName, toPrometheus } from './metrics/prometheus.js';
export { fromPipelineMetrics, fromSystemMetrics } from './metrics/sluice-metrics.js';
export { describeEvent, logEvents } from './metrics/event-log.js';
export type { EventLogger, EventLogRecord, LogEventsOptions, LogLevel } from './metrics/event-log.js';

export { systemClock } from './clock.js';
export type { Clock, TimerHandle, TimerOptions } from './clock.js';

export {
  ActorFailedError,
  ActorStoppedError,
  AskTimeoutError,
  InvalidKeyError,
  InvalidOptionError,
  InvalidPipelineError,
  CheckpointUnusableError,
  DroppedStateError,
  StateMigrationError,
  StateVersionError,
  JobMismatchError,
  MissingPeerDependencyError,
  NatsUnreachableError,
  MalformedMessageError,
  MessageTooLargeError,
  JetStreamWriteError,
  JetStreamTruncatedError,
  PostgresCommitConflictError,
  PostgresRowRejectedError,
  PostgresUnreachableError,
  UncrossableRecordError,
  UpgradeFailedError,
  WorkerThreadError,
  WorkerProcessError,
  MailboxOverflowError,
  PipelineFailedError,
  RestartIntensityExceededError,
  SluiceError,
  StashOverflowError,
  SystemStoppedError,
  ViewReleasedError,
  isSluiceError,
} from './errors.js';
export type { SluiceErrorCode } from './errors.js';

export { openJournal } from './journal/journal.js';
export type { Journal, JournalOffset, JournalOptions, JournalSourceOptions, JournalStats } from './journal/journal.js';
export { jsonCodec, msgpackCodec } from './journal/codec.js';
export type { JournalCodec } from './journal/codec.js';
export { JournalClosedError, JournalCorruptedError, JournalLockedError, JournalTruncatedError } from './errors.js';

export { defineEventSourcedActor } from './event-sourcing/event-sourced-actor.js';
export type {
  CommandResult,
  EventSourcedActorDefinition,
  EventSourcedActorOptions,
  EventSourcedContext,
  EventSourcedHolder,
  Persist,
} from './event-sourcing/event-sourced-actor.js';
export type { EventJournal, EventLog, PersistedEvent } from './event-sourcing/event-journal.js';
export { MemoryEventJournal } from './event-sourcing/memory-event-journal.js';
export { FileEventJournal } from './event-sourcing/file-event-journal.js';
export type { FileEventJournalOptions } from './event-sourcing/file-event-journal.js';
export { EventJournalConflictError, EventPersistError, EventRecoveryError } from './errors.js';
