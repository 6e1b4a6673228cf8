/**
 * An actor's sequence bookkeeping for exactly-once links: the number of its last sequenced send,
 * and the highest number it has taken from each sender. Both are part of its snapshots, so a
 * restart rewinds them with the state; a replay then regenerates the same numbers, and receivers
 * drop what they already took. The high-water map is copy-on-write: a snapshot shares it until the
 * next write, so taking a snapshot copies nothing; it starts as a shared empty map, so an actor
 * that never takes a sequenced message allocates none.
 *
 * Numbers go up by checkpoint epoch too (`link-epochs.ts`): `raiseTo` moves the next number to an
 * epoch's floor, so what an actor sends after a checkpoint's barrier is numbered the same however
 * the actor got there.
 */
import { epochFloor } from './link-epochs.js';

/** The high-water map of every book before its first write: shared, so never written. */
const NO_HIGH_WATER: ReadonlyMap<string, number> = new Map();

export class SequenceBook {
  #seq = 0;
  /** `#seq` when the message in progress began, for a rollback of just that message. */
  #mark = 0;
  /**
   * The highest number ever handed out. A replay regenerates the numbers of what it sends again,
   * but a message it no longer replays (a poison one) used numbers too: once the replay is over,
   * sending resumes above all of them, so no new message reuses a number a receiver took.
   */
  #highest = 0;
  #highWater = NO_HIGH_WATER as Map<string, number>;
  #shared = true;

  /** The number for the next sequenced send. */
  next(): number {
    const seq = ++this.#seq;
    if (seq > this.#highest) this.#highest = seq;
    return seq;
  }

  /**
   * Numbers the sends from now on from checkpoint `epoch`'s floor up, unless they are there already.
   * Returns false when they were past it: the actor sent more than an epoch holds since the
   * previous barrier, so its numbers after this one are not the same as a restored actor's.
   * @throws RangeError when `epoch` is not a checkpoint id numbers can be made for.
   */
  raiseTo(epoch: number): boolean {
    const floor = epochFloor(epoch);
    if (this.#seq > floor) return false;
    this.#seq = floor;
    if (floor > this.#highest) this.#highest = floor;
    return true;
  }

  /** Notes where the message now starting begins. */
  mark(): void {
    this.#mark = this.#seq;
  }

  /** Takes `seq` from `sender` unless it was taken already (a sender's replay); false to drop it. */
  admit(sender: string, seq: number): boolean {
    const last = this.#highWater.get(sender);
    if (last !== undefined && seq <= last) return false;
    this.note(sender, seq);
    return true;
  }

  /** Records `seq` from `sender` as taken (an entry processed again in a replay). */
  note(sender: string, seq: number): void {
    if (this.#shared) {
      this.#highWater = new Map(this.#highWater);
      this.#shared = false;
    }
    this.#highWater.set(sender, seq);
  }

  /** What a snapshot keeps; the map is shared with it from now until the next write. */
  snapshot(): { readonly seq: number; readonly highWater: ReadonlyMap<string, number> } {
    this.#shared = true;
    return { seq: this.#seq, highWater: this.#highWater };
  }

  /** Goes back to a snapshot's numbers (the map stays shared with it). */
  restore(seq: number, highWater: ReadonlyMap<string, number>): void {
    this.#seq = seq;
    this.#highWater = highWater as Map<string, number>;
    this.#shared = true;
  }

  /** Goes back to where the message in progress began. */
  rewindToMark(): void {
    this.#seq = this.#mark;
  }

  /** After a replay: never hand out a number that was handed out before. */
  resumeAboveHighest(): void {
    if (this.#seq < this.#highest) this.#seq = this.#highest;
  }
}
