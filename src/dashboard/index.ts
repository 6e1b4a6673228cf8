/**
 * `sluice/dashboard`: a live, read-only page of running pipelines, served by a request handler for
 * `node:http` (see docs/dashboard.md).
 */
export { dashboard } from './dashboard.js';
export type { DashboardHandler } from './dashboard.js';
export type { DashboardHandles, DashboardOptions } from './dashboard-options.js';
export type { CheckpointView, DashboardSample, DeadLetterView, JobView, PartitionView, StageView } from './dashboard-view.js';
