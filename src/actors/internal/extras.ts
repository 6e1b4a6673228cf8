/**
 * What an actor's restart point holds besides its state and link numbers — its behaviour, stash,
 * timers and open pipes — as the recovery and persistence code see it: an opaque snapshot, and
 * the calls that mark, capture, restore and save it. The implementation is `cell-extras.ts`.
 */
declare const extrasBrand: unique symbol;

/** The extras at one moment; undefined wherever it appears means "as a fresh actor has them". */
export interface ExtrasSnapshot {
  readonly [extrasBrand]: true;
}

/** The calls the recovery code makes, beside those it makes on the state and the sequence book. */
export interface RestartExtras<TEntry> {
  /**
   * The entry taken under `ordinal` is about to be handled: notes where the extras are, for a
   * failed handler to be undone, and returns what the log of entries taken keeps for it (a marker
   * for one taken from the stash's front, since the stash itself comes back with a rollback).
   * `logged`: the actor keeps a log, so any message taken since its last snapshot may be
   * processed again (without one, only the message in progress).
   */
  taking(entry: TEntry, ordinal: number, logged: boolean): TEntry;
  /** The extras now, for a snapshot. */
  capture(): ExtrasSnapshot | undefined;
  /** Goes back to `snapshot` (a rollback, or a snapshot restored from a store). */
  restore(snapshot: ExtrasSnapshot | undefined): void;
  /** The entry taken under `ordinal` was given up, and a rollback may bring it back: drop it then. */
  giveUp(ordinal: number): void;
  /** A fresh start: the extras of a new actor, except that what was stashed is put back. */
  startAfresh(): ExtrasSnapshot | undefined;
  /** A replay is over: numbers handed out from now on are above every one used before. */
  replayDone(): void;
}

/** How the extras travel to a snapshot store and back. */
export interface ExtrasCodec {
  /** What a store keeps of `snapshot`; undefined when there is nothing to keep. */
  save(snapshot: ExtrasSnapshot | undefined): unknown;
  /**
   * `saved`, as `save` made it, back as a snapshot.
   * @throws Error naming `origin` when it is malformed or does not fit the definition.
   */
  load(saved: unknown, origin: string): ExtrasSnapshot | undefined;
}
