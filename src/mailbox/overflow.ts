/**
 * What a full mailbox does with one more message. Kept apart from the storage (the ring buffer) so
 * the policy is a pure decision: given a full mailbox and a policy, which message is lost, if any.
 */

/**
 * How a mailbox behaves when it is full.
 * - `'backpressure'`: `tell` returns false and keeps nothing; `send` and `ask` wait for room, in order.
 * - `'drop-newest'`: the new message is dropped to dead letters; `tell` returns false.
 * - `'drop-oldest'`: the oldest queued message is dropped to dead letters and the new one enqueued.
 * - `'fail'`: `tell` throws `MailboxOverflowError` carrying the message.
 */
export type OverflowPolicy = 'backpressure' | 'drop-newest' | 'drop-oldest' | 'fail';

/** Every overflow policy, for validation and documentation. */
export const OVERFLOW_POLICIES: readonly OverflowPolicy[] = ['backpressure', 'drop-newest', 'drop-oldest', 'fail'];

/**
 * The outcome of offering a message to a full mailbox:
 * - `'wait'`: keep the message out; the producer may wait for room.
 * - `'drop-new'`: dead-letter the offered message.
 * - `'evict-oldest'`: dead-letter the head, then enqueue the offered message.
 * - `'throw'`: refuse with an error that hands the message back.
 */
export type OverflowAction = 'wait' | 'drop-new' | 'evict-oldest' | 'throw';

/** The action `policy` takes when a message meets a full mailbox. */
export function overflowAction(policy: OverflowPolicy): OverflowAction {
  switch (policy) {
    case 'backpressure':
      return 'wait';
    case 'drop-newest':
      return 'drop-new';
    case 'drop-oldest':
      return 'evict-oldest';
    case 'fail':
      return 'throw';
  }
}
