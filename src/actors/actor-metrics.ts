/**
 * Point-in-time counters of the actors of a system, for monitoring: what each actor processed,
 * how often it failed and restarted, and how full its mailbox is and was. Reading them costs a walk
 * of the actor tree and nothing on the hot path: every counter is one the runtime keeps anyway.
 */
import type { ActorStatus } from './actor-ref.js';
import type { MailboxMetrics } from '../mailbox/mailbox.js';
import type { SystemStatus } from './actor-system.js';

/** One live actor's counters: its mailbox's, plus failures and restarts. */
export interface ActorMetrics extends MailboxMetrics {
  /** The actor's path, e.g. `/user/job/reduce-0-partition-3`. */
  readonly path: string;
  readonly status: ActorStatus;
  /** Times a handler (or a child's escalation) failed this actor, retries included. */
  readonly failed: number;
  /** Times the actor was restarted. */
  readonly restarts: number;
}

/** What `system.metrics()` returns. */
export interface SystemMetrics {
  readonly name: string;
  readonly status: SystemStatus;
  /** Messages in dead letters since the system started. */
  readonly deadLetters: number;
  /** Every live actor, parents before their children, siblings in start order. */
  readonly actors: readonly ActorMetrics[];
}
