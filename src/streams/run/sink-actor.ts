/**
 * The sink actor: writes batches to the pipeline's sink one at a time, awaited, so a slow sink
 * holds everything upstream back. It closes the sink once every upstream partition has ended.
 */
import { defineActor, type ActorDefinition } from '../../actors/behavior.js';
import type { Sink } from '../sinks/sink.js';
import type { StageMessage } from './messages.js';
import type { OperatorCounters } from './partition-actor.js';

export interface SinkSetup {
  readonly sink: Sink<unknown>;
  readonly upstreams: number;
  readonly counters: OperatorCounters;
  /** The input has ended and the sink is closed. */
  readonly completed: () => void;
  /** The sink failed: the run fails with this error. */
  readonly failed: (error: unknown) => void;
}

export function sinkActor(setup: SinkSetup): ActorDefinition<number, StageMessage<unknown>> {
  return defineActor<number, StageMessage<unknown>>({
    initialState: () => 0,
    async receive(ended, message) {
      try {
        if (message.type === 'batch') {
          setup.counters.recordsIn += message.entries.length;
          await setup.sink.write(message.entries);
          setup.counters.recordsOut += message.entries.length;
          return ended;
        }
        if (message.type === 'end' && ended + 1 === setup.upstreams) {
          await setup.sink.close?.();
          setup.completed();
        }
      } catch (error) {
        setup.failed(error);
      }
      return message.type === 'end' ? ended + 1 : ended;
    },
  });
}
