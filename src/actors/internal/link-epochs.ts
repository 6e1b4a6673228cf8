/**
 * Sequence numbers by checkpoint epoch. A partition's sequenced sends after checkpoint C's barrier
 * are numbered from C's floor up (`C · EPOCH_SPAN + 1`, `+ 2`, …), so the numbers depend only on
 * where the partition is in the input, not on how it got there: a partition restored from
 * checkpoint C on another process sends what its predecessor sent after the barrier under the very
 * numbers its predecessor used, and a receiver that took them already drops them. That is what
 * lets one partition restart alone while its neighbours go on.
 *
 * An epoch holds 2^26 sends of one actor (batches, not records) and 2^27 epochs fit below 2^53;
 * an actor that sends more between two barriers spills into the next epoch's numbers, which stays
 * increasing (nothing is lost on one process) but is no longer a restart point of its own
 * (`SequenceBook.raiseTo` says so).
 */

/** Sequence numbers in one checkpoint epoch. */
export const EPOCH_SPAN = 2 ** 26;

/** The largest checkpoint id numbers can be made for. */
export const MAX_EPOCH = Math.floor(Number.MAX_SAFE_INTEGER / EPOCH_SPAN) - 1;

/** The number before the first send of `epoch` (the sends after checkpoint `epoch`'s barrier). */
export function epochFloor(epoch: number): number {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH) throw new RangeError(`Expected a checkpoint epoch from 0 to ${MAX_EPOCH}, got ${epoch}`);
  return epoch * EPOCH_SPAN;
}

/** The epoch that sequence number `seq` (1 up) belongs to. */
export function epochOf(seq: number): number {
  return Math.floor((seq - 1) / EPOCH_SPAN);
}
