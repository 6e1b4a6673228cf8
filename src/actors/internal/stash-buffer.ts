/**
 * An actor's stash as the runtime keeps it: what its handlers set aside (a list, newest first) and
 * what `unstashAll` put back but the actor has not taken yet (the front: an array with a read
 * position, taken before the mailbox). Both are immutable values, so capturing them for a snapshot
 * copies nothing, and a restart puts back exactly what was stashed and put back at the snapshot;
 * the messages taken since are then processed again and stash again what they stashed.
 *
 * Every stashed message gets a number, rising from the snapshot as a replay takes the same steps,
 * so a message given up after it was taken from the front (dead-lettered by its directive) is
 * recognised and dropped when a later restart puts it back. Invariant: stashed plus put back never
 * exceeds the capacity (the front is taken before the mailbox, so only the front feeds the stash
 * while it is not empty).
 */

/** One stashed message. */
export interface StashRecord<TEntry> {
  readonly entry: TEntry;
  readonly key: number;
}

interface StashNode<TEntry> {
  readonly record: StashRecord<TEntry>;
  readonly next: StashNode<TEntry> | undefined;
  /** Records in this node and those after it. */
  readonly size: number;
}

/** The stash at one moment: what a snapshot keeps. */
export interface StashSnapshot<TEntry> {
  readonly stashed: StashNode<TEntry> | undefined;
  readonly front: readonly StashRecord<TEntry>[];
  readonly read: number;
  readonly key: number;
}

const NOTHING_PUT_BACK: readonly StashRecord<never>[] = [];
/** The mark of every stash not marked yet: empty, shared, never written. */
const EMPTY_MARK: StashSnapshot<never> = Object.freeze({ stashed: undefined, front: NOTHING_PUT_BACK, read: 0, key: 0 });

export class StashBuffer<TEntry> {
  readonly capacity: number;
  #stashed: StashNode<TEntry> | undefined;
  #front: readonly StashRecord<TEntry>[] = NOTHING_PUT_BACK;
  #read = 0;
  #key = 0;
  /** The highest number handed out, so numbers are not reused once a replay is over. */
  #highestKey = 0;
  /** Keys of messages given up since the last snapshot (a rollback may bring them back). */
  #givenUp: Set<number> | undefined;
  #mark: StashSnapshot<TEntry> = EMPTY_MARK;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get size(): number {
    return this.#stashed?.size ?? 0;
  }

  /** Messages put back and not taken yet. */
  get unstashed(): number {
    return this.#front.length - this.#read;
  }

  /** Sets `entry` aside; false when the stash is full. */
  add(entry: TEntry): boolean {
    if (this.size >= this.capacity) return false;
    const key = ++this.#key;
    if (key > this.#highestKey) this.#highestKey = key;
    this.#stashed = { record: { entry, key }, next: this.#stashed, size: this.size + 1 };
    return true;
  }

  /** Puts every stashed message back, oldest first, before those put back earlier; returns how many. */
  unstashAll(): number {
    const stashed = this.#stashed;
    if (stashed === undefined) return 0;
    const moved = new Array<StashRecord<TEntry>>(stashed.size);
    let index = stashed.size;
    for (let node: StashNode<TEntry> | undefined = stashed; node !== undefined; node = node.next) moved[--index] = node.record;
    const waiting = this.#front.slice(this.#read);
    this.#front = waiting.length === 0 ? moved : moved.concat(waiting);
    this.#read = 0;
    this.#stashed = undefined;
    return moved.length;
  }

  /** The next message put back, passing over those given up; undefined when none is left. */
  takeFront(): StashRecord<TEntry> | undefined {
    for (;;) {
      const front = this.#front;
      const read = this.#read;
      if (read >= front.length) return undefined;
      const record = front[read] as StashRecord<TEntry>;
      if (read + 1 < front.length) {
        this.#read = read + 1;
      } else {
        // Let go of what was taken (a snapshot that shares the array keeps its own hold).
        this.#front = NOTHING_PUT_BACK;
        this.#read = 0;
      }
      if (this.#givenUp?.has(record.key) !== true) return record;
    }
  }

  /** The message numbered `key`, taken from the front, was given up: drop it if a rollback brings it back. */
  giveUp(key: number): void {
    (this.#givenUp ??= new Set()).add(key);
  }

  /** The stash now, for a snapshot; what was given up is left out of it, so no rollback brings it back. */
  capture(): StashSnapshot<TEntry> {
    this.#purgeGivenUp();
    return { stashed: this.#stashed, front: this.#front, read: this.#read, key: this.#key };
  }

  /** Goes back to `snapshot` (undefined: empty). */
  restore(snapshot: StashSnapshot<TEntry> | undefined): void {
    this.#stashed = snapshot?.stashed;
    this.#front = snapshot?.front ?? NOTHING_PUT_BACK;
    this.#read = snapshot?.read ?? 0;
    this.#key = snapshot?.key ?? 0;
  }

  /** Notes the stash as a handler starts, for {@link rewind} if it fails. */
  mark(): void {
    const mark = this.#mark;
    if (mark.stashed !== this.#stashed || mark.front !== this.#front || mark.read !== this.#read || mark.key !== this.#key) {
      this.#mark = { stashed: this.#stashed, front: this.#front, read: this.#read, key: this.#key };
    }
  }

  /** Undoes what a failed handler did to the stash. */
  rewind(): void {
    this.restore(this.#mark);
  }

  /** After a replay: never number a message with a number handed out before. */
  resumeAboveHighest(): void {
    if (this.#key < this.#highestKey) this.#key = this.#highestKey;
  }

  /** A fresh start: what is stashed is put back, in front of what was put back before. */
  startAfresh(): void {
    this.unstashAll();
    this.#purgeGivenUp();
  }

  /**
   * Takes out what was given up, which a rollback (or the replay after it) brought back and which
   * is still here, before a snapshot would keep it.
   */
  #purgeGivenUp(): void {
    const givenUp = this.#givenUp;
    if (givenUp === undefined) return;
    this.#givenUp = undefined;
    const kept = (record: StashRecord<TEntry>) => !givenUp.has(record.key);
    const front = this.#front.slice(this.#read).filter(kept);
    this.#front = front.length === 0 ? NOTHING_PUT_BACK : front;
    this.#read = 0;
    const stashed: StashRecord<TEntry>[] = [];
    for (let node = this.#stashed; node !== undefined; node = node.next) if (kept(node.record)) stashed.push(node.record);
    this.#stashed = undefined;
    for (let index = stashed.length - 1; index >= 0; index--) {
      this.#stashed = { record: stashed[index] as StashRecord<TEntry>, next: this.#stashed, size: this.size + 1 };
    }
  }

  /** Empties the stash: what was put back and not taken, then what is stashed, oldest first. */
  drain(): TEntry[] {
    this.unstashAll();
    const entries: TEntry[] = [];
    for (let record = this.takeFront(); record !== undefined; record = this.takeFront()) entries.push(record.entry);
    return entries;
  }
}
