/**
 * A ref target that is not an actor cell of this thread (a partition running on another thread)
 * but takes sequenced messages all the same: it carries the sender's path and number across, and
 * the receiving cell admits or drops the message there, so a restarted sender's repeats reach
 * nobody twice, wherever the receiver runs.
 */
/** The brand a sequenced target carries, as `readonly [SEQUENCED] = true`. */
export const SEQUENCED = Symbol('sequenced target');

export interface SequencedTarget<TMessage> {
  readonly [SEQUENCED]: true;
  /** Delivers `message` as number `seq` from `sender`; waits for room when `wait`, as `ctx.send` does. */
  deliverSequenced(message: TMessage, sender: string, seq: number, wait: boolean): boolean | Promise<void>;
}

export function isSequencedTarget(target: unknown): target is SequencedTarget<unknown> {
  return typeof target === 'object' && target !== null && (target as Partial<SequencedTarget<unknown>>)[SEQUENCED] === true;
}
