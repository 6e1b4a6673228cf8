/**
 * The events a job publishes on its handle: every system event of its actors passed on (restarts
 * counted, a job actor that escalates or a poison batch failing the run), and one
 * `checkpoint-completed` per checkpoint, with the offset a restart would read from.
 */
import type { ActorSystem } from '../../actors/actor-system.js';
import { PipelineFailedError } from '../../errors.js';
import type { Topic } from '../../internal/topic.js';
import type { RunCheckpoints } from '../checkpoint/run-checkpoints.js';
import type { CheckpointCompletedEvent, CheckpointFailedEvent, PipelineEvent } from '../run/pipeline-events.js';
import type { JobCounters } from './job-counters.js';

/** A checkpoint begun: its id, and a promise that settles when it completes or is abandoned. */
export interface BegunCheckpoint {
  readonly id: number;
  readonly done: Promise<void>;
}

/** Passes the system's events on, counts restarts, and calls `fail` when the job gives up; returns the unsubscribe. */
export function bridgeSystemEvents(
  system: ActorSystem,
  events: Topic<PipelineEvent>,
  counters: JobCounters,
  jobName: string,
  fail: (error: unknown) => void,
): () => void {
  const jobPath = `/user/${jobName}`;
  return system.events.subscribe((event) => {
    if (events.hasSubscribers) events.publish(event);
    if (event.type === 'actor-restarted') counters.restarts++;
    if (event.type === 'actor-escalated' && event.path === jobPath) fail(event.error);
    // A batch that keeps failing the actor itself (not a record a user function threw on, which is
    // dead-lettered one by one) would be lost: fail the run instead.
    if (event.type === 'poison-message') fail(new PipelineFailedError(event.path, event.error));
  });
}

/** Publishes `begun`'s completion, with the offset a restart would read from; returns `begun`. */
export function announceCompletion(
  begun: BegunCheckpoint,
  offset: unknown,
  checkpoints: RunCheckpoints,
  events: Topic<PipelineEvent>,
  pipeline: string,
  system: ActorSystem,
): BegunCheckpoint {
  begun.done.then(
    () => {
      const stats = checkpoints.stats;
      if (!events.hasSubscribers || stats?.lastId !== begun.id) return;
      const event: CheckpointCompletedEvent = {
        type: 'checkpoint-completed',
        pipeline,
        id: begun.id,
        offset,
        durationMs: stats.lastDurationMs ?? 0,
        bytes: stats.lastBytes ?? 0,
        at: system.clock.now(),
      };
      events.publish(event);
    },
    (error: unknown) => {
      if (!events.hasSubscribers) return;
      const event: CheckpointFailedEvent = { type: 'checkpoint-failed', pipeline, id: begun.id, error, at: system.clock.now() };
      events.publish(event);
    },
  );
  return begun;
}
