/**
 * The handle a run gives its caller, made of the run's answers, its status read through `statusOf`
 * at each look. A class, its `status` getter on the prototype, and not an object literal with a
 * `get status()`: V8 keeps a literal's getter in the literal's hidden class, which lives in the old
 * generation, so the getter's closure and everything of the run it reaches outlived the run in
 * every scavenge (a dead old object's reference to a young one is a scavenge's root), was promoted,
 * and waited for the next full GC.
 */
import type { EventChannel } from '../../actors/events.js';
import type { PipelineHandle, PipelineResult, PipelineStatus } from '../pipeline-handle.js';
import type { PipelineEvent } from '../run/pipeline-events.js';

/** What a run answers on its handle, its status as a function. */
export interface RunHandleParts extends Omit<PipelineHandle, 'status'> {
  readonly statusOf: () => PipelineStatus;
}

export class RunHandle implements PipelineHandle {
  readonly done: Promise<PipelineResult>;
  readonly started: Promise<boolean>;
  readonly events: EventChannel<PipelineEvent>;
  readonly metrics: PipelineHandle['metrics'];
  readonly query: PipelineHandle['query'];
  readonly deadLetters: PipelineHandle['deadLetters'];
  readonly stop: PipelineHandle['stop'];
  readonly checkpoint: PipelineHandle['checkpoint'];
  readonly savepoint: PipelineHandle['savepoint'];
  readonly upgrade: PipelineHandle['upgrade'];
  readonly #statusOf: () => PipelineStatus;

  constructor(parts: RunHandleParts) {
    this.done = parts.done;
    this.started = parts.started;
    this.events = parts.events;
    this.metrics = parts.metrics;
    this.query = parts.query;
    this.deadLetters = parts.deadLetters;
    this.stop = parts.stop;
    this.checkpoint = parts.checkpoint;
    this.savepoint = parts.savepoint;
    this.upgrade = parts.upgrade;
    this.#statusOf = parts.statusOf;
  }

  get status(): PipelineStatus {
    return this.#statusOf();
  }
}
