/**
 * `sluice/postgres`: Sluice with PostgreSQL. The client, node-postgres (`pg`, 8.11 or later), is an
 * optional peer dependency: install it next to Sluice to use anything here.
 */
export { connectPostgres } from './connect-postgres.js';
export type { OpenedPool } from './connect-postgres.js';
export { fromPostgres } from './from-postgres.js';
export type { FromPostgresOptions, PostgresOffset, PostgresQueryInput, PostgresReadOptions, PostgresTableInput } from './from-postgres.js';
export type {
  PostgresArrayQuery,
  PostgresArrayResult,
  PostgresClient,
  PostgresConnectOptions,
  PostgresConnectionChoice,
  PostgresPool,
  PostgresQueryConfig,
  PostgresQueryResult,
  PostgresTlsOptions,
} from './postgres-pool.js';
export { describePostgres } from './postgres-where.js';
export { PostgresSnapshotStore } from './postgres-snapshot-store.js';
export type { PostgresSnapshotStoreOptions } from './postgres-snapshot-store.js';
export { PostgresEventJournal } from './postgres-event-journal.js';
export type { PostgresEventJournalOptions } from './postgres-event-journal.js';
export { PostgresCheckpointStorage } from './postgres-checkpoint-storage.js';
export type { PostgresCheckpointStorageOptions } from './postgres-checkpoint-storage.js';
export { quoteIdentifier } from './sql-names.js';
export type { PostgresTableName } from './sql-names.js';
export { PostgresCommitConflictError, PostgresRowRejectedError, PostgresUnreachableError } from '../errors.js';
export { toPostgres } from './to-postgres.js';
export type { PostgresRow, PostgresTableSink, ToPostgresOptions } from './to-postgres.js';
export type { PostgresSinkStats } from './postgres-sink.js';
