/**
 * Frames between a head thread and a receiver on another thread: the last message a unit sends a
 * receiver carries the end of the thread's turn with it (one message where two would do), and a
 * unit that sent a receiver nothing ends the turn with a bare marker.
 */
import type { RecordCodec } from '../streams/internal/logical-plan.js';
import type { StageMessage } from '../streams/run/messages.js';
import { decodeRecords } from './remote-partition.js';
import { TURN_OVER, type HeadFrame, type TurnMerger } from './turn-merger.js';

/** `message` as the last of its unit: it ends the sending thread's turn. */
export function lastOfTurn(message: StageMessage<unknown>): StageMessage<unknown> {
  const last: StageMessage<unknown> & { readonly $turn: true } = { ...message, $turn: true };
  return last;
}

/** Offers what `frame`, from head thread `input`, holds to `merger`: its message (decoded with `codec`), and the end of the turn. */
export function offerHeadFrame(
  merger: TurnMerger<StageMessage<unknown>>,
  input: number,
  frame: HeadFrame<StageMessage<unknown>>,
  codec: RecordCodec | undefined,
): Promise<void> {
  if (frame.type === 'turn') return merger.offer(input, TURN_OVER);
  const { $turn, ...message } = frame as StageMessage<unknown> & { readonly $turn?: true };
  return merger.offer(input, decodeRecords(message as StageMessage<unknown>, codec), $turn === true);
}
