/**
 * The sink actor: writes batches to the pipeline's sink one at a time, awaited, so a slow sink
 * holds everything upstream back. It closes the sink once every upstream partition has ended.
 * With checkpoints, it aligns barriers like a partition, pre-commits the sink at each, and commits
 * when told the checkpoint completed; the job's last checkpoint commits, then closes, the sink.
 */
import { defineActor, type ActorDefinition } from '../../actors/behavior.js';
import { thenOrNow } from '../../internal/then-or-now.js';
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
  const preCommit = (id: number): void | Promise<void> => thenOrNow(sink.preCommit?.(id), (token) => setup.preCommitted?.(id, token));
  const close = (): void | Promise<void> =>
    thenOrNow(sink.close?.(), () => {
      setup.completed();
    });
  /**
   * Handles a message, synchronously when the sink answers synchronously (a sink writing to
   * memory): the actor then takes its next message in the same slice, with no promise per batch.
   */
  const receive = (ended: number, message: StageMessage<unknown>): number | Promise<number> => {
    if (mustWait(alignment, message)) {
      alignment = withWaiting(alignment as Alignment, message);
      return ended;
    }
    switch (message.type) {
      case 'batch': {
        const count = message.entries.length;
        counters.recordsIn += count;
        return thenOrNow(sink.write(message.entries, origins[message.from]), () => {
          counters.recordsOut += count;
          return ended;
        });
      }
      case 'barrier': {
        const next = withBarrier(alignment, message.id, message.from, upstreams);
        alignment = next;
        if (next.count < upstreams) return ended;
        alignment = undefined;
        return thenOrNow(preCommit(message.id), () => receiveAll(ended, next.waiting, 0));
      }
      case 'end':
        if (ended + 1 < upstreams) return ended + 1;
        return thenOrNow(message.checkpoint === undefined ? close() : preCommit(message.checkpoint), () => ended + 1);
      case 'commit':
        return thenOrNow(sink.commit?.(message.token), () => thenOrNow(message.completed ? close() : undefined, () => ended));
      default:
        return ended;
    }
  };
  /** Handles `messages` from `from` on, in order: what waited behind an alignment. */
  const receiveAll = (ended: number, messages: readonly StageMessage<unknown>[], from: number): number | Promise<number> =>
    from === messages.length ? ended : thenOrNow(receive(ended, messages[from] as StageMessage<unknown>), (count) => receiveAll(count, messages, from + 1));
  const failed = (ended: number, message: StageMessage<unknown>, error: unknown): number => {
    setup.failed(error);
    return message.type === 'end' ? ended + 1 : ended;
  };
  return defineActor<number, StageMessage<unknown>>({
    initialState: () => 0,
    receive(ended, message) {
      let next: number | Promise<number>;
      try {
        next = receive(ended, message);
      } catch (error) {
        return failed(ended, message, error);
      }
      return next instanceof Promise ? next.catch((error: unknown) => failed(ended, message, error)) : next;
    },
  });
}
