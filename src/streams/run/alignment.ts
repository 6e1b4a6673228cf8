/**
 * Barrier alignment: once a partition has a checkpoint's barrier from one input, what that input
 * sends next belongs after the checkpoint, so it waits until the barrier has come from every
 * input; then the partition snapshots, passes the barrier on, and takes what waited, in order.
 * Immutable, and kept in the partition's state: a restart rolls back what was waiting too.
 * Only a single source feeds a pipeline and it waits whenever any first-stage mailbox is full, so
 * what waits here stays bounded by the mailboxes upstream.
 */
import type { StageMessage } from './messages.js';

export interface Alignment {
  /** The checkpoint being aligned. */
  readonly id: number;
  /** Which inputs' barriers have arrived. */
  readonly arrived: readonly boolean[];
  readonly count: number;
  /** Messages from inputs past the barrier, in arrival order. */
  readonly waiting: readonly StageMessage<unknown>[];
}

/** The sender of `message`, when it has one (ticks come from the partition itself, queries from outside). */
export function senderOf(message: StageMessage<unknown>): number | undefined {
  return message.type === 'tick' || message.type === 'commit' || message.type === 'query' ? undefined : message.from;
}

/** Whether `message` must wait for the alignment to finish. */
export function mustWait(alignment: Alignment | undefined, message: StageMessage<unknown>): boolean {
  if (alignment === undefined) return false;
  const from = senderOf(message);
  return from !== undefined && alignment.arrived[from] === true;
}

/** The alignment after checkpoint `id`'s barrier arrived from `from`. */
export function withBarrier(alignment: Alignment | undefined, id: number, from: number, inputs: number): Alignment {
  const arrived = alignment?.arrived.slice() ?? new Array<boolean>(inputs).fill(false);
  arrived[from] = true;
  return { id, arrived, count: (alignment?.count ?? 0) + 1, waiting: alignment?.waiting ?? [] };
}

export function withWaiting(alignment: Alignment, message: StageMessage<unknown>): Alignment {
  return { ...alignment, waiting: [...alignment.waiting, message] };
}
