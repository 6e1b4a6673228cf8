/**
 * The sink actor: writes batches to the pipeline's sink one at a time, awaited, so a slow sink
 * holds everything upstream back. It closes the sink once every upstream partition has ended.
 * With checkpoints, it aligns barriers like a partition, pre-commits the sink at each, and commits
 * when told the checkpoint completed; the job's last checkpoint commits, then closes, the sink.
 */
import { defineActor, type ActorDefinition } from '../../actors/behavior.js';
import type { Sink, SinkBatchOrigin } from '../sinks/sink.js';
import { mustWait, withBarrier, withWaiting, type Alignment } from './alignment.js';
import type { StageMessage } from './messages.js';
import type { OperatorCounters } from './operator-counters.js';

export interface SinkSetup {
  readonly sink: Sink<unknown>;
  readonly upstreams: number;
  readonly counters: OperatorCounters;
  /** The input has ended and the sink is closed. */
  readonly completed: () => void;
  /** The sink failed: the run fails with this error. */
  readonly failed: (error: unknown) => void;
  /** The sink pre-committed checkpoint `id`, with `token`; undefined when checkpoints are off. */
  readonly preCommitted?: ((id: number, token: unknown) => void) | undefined;
}

export function sinkActor(setup: SinkSetup): ActorDefinition<number, StageMessage<unknown>> {
  const { sink, upstreams, counters } = setup;
  const origins: readonly SinkBatchOrigin[] = Array.from({ length: upstreams }, (_, partition) => ({ partition, partitions: upstreams }));
  // The sink actor is never restarted (a failing sink fails the run), so this needs no rollback.
  let alignment: Alignment | undefined;
  const preCommit = async (id: number): Promise<void> => {
    const token = await sink.preCommit?.(id);
    setup.preCommitted?.(id, token);
  };
  const receive = async (ended: number, message: StageMessage<unknown>): Promise<number> => {
    if (mustWait(alignment, message)) {
      alignment = withWaiting(alignment as Alignment, message);
      return ended;
    }
    switch (message.type) {
      case 'batch':
        counters.recordsIn += message.entries.length;
        await sink.write(message.entries, origins[message.from]);
        counters.recordsOut += message.entries.length;
        return ended;
      case 'barrier': {
        const next = withBarrier(alignment, message.id, message.from, upstreams);
        alignment = next;
        if (next.count < upstreams) return ended;
        alignment = undefined;
        await preCommit(message.id);
        let count = ended;
        for (const waiting of next.waiting) count = await receive(count, waiting);
        return count;
      }
      case 'end':
        if (ended + 1 === upstreams) {
          if (message.checkpoint !== undefined) {
            await preCommit(message.checkpoint);
          } else {
            await sink.close?.();
            setup.completed();
          }
        }
        return ended + 1;
      case 'commit':
        await sink.commit?.(message.token);
        if (message.completed) {
          await sink.close?.();
          setup.completed();
        }
        return ended;
      default:
        return ended;
    }
  };
  return defineActor<number, StageMessage<unknown>>({
    initialState: () => 0,
    async receive(ended, message) {
      try {
        return await receive(ended, message);
      } catch (error) {
        setup.failed(error);
        return message.type === 'end' ? ended + 1 : ended;
      }
    },
  });
}
