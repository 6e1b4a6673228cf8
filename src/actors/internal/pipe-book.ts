/**
 * The pipes an actor's handlers opened (`ctx.pipeToSelf`) whose results it has not taken yet. A
 * pipe is named after the message whose handler opened it (the ordinal it was taken under) and its
 * place among that handler's pipes, so a handler processed again after a restart opens pipes of the
 * same names: of two results that then arrive for one pipe, the first is taken and the other
 * dropped. The set is immutable between writes (copied on the first write after a capture), part of
 * every snapshot, and rewound with a failed handler, whose pipes are forgotten with the rest of what
 * it did: their results are dropped as they are taken.
 */
const NO_PIPES: ReadonlySet<string> = new Set();

export class PipeBook {
  /** Starts as the shared empty set, so an actor that opens no pipe allocates none. */
  #open = NO_PIPES as Set<string>;
  /** `#open` is shared with a snapshot, a mark or every other book: copy it before the next write. */
  #shared = true;
  #mark: ReadonlySet<string> = NO_PIPES;

  /** Opens the pipe named `pipe`. */
  open(pipe: string): void {
    this.#write().add(pipe);
  }

  /** Whether a result of `pipe` would be admitted now. */
  isOpen(pipe: string | undefined): boolean {
    return pipe === undefined || this.#open.has(pipe);
  }

  /**
   * The result of `pipe` is taken from the mailbox: false when that pipe is not open (its handler's
   * effects were undone, or another result for it was taken first). A pipe opened outside a
   * handler (undefined) is always admitted.
   */
  admit(pipe: string | undefined): boolean {
    if (!this.isOpen(pipe)) return false;
    if (pipe !== undefined) this.#write().delete(pipe);
    return true;
  }

  /** `pipe` will never deliver (its mapping threw): forget it. */
  forget(pipe: string | undefined): void {
    if (pipe !== undefined && this.#open.has(pipe)) this.#write().delete(pipe);
  }

  /** The open pipes now, for a snapshot; shared until the next write. */
  capture(): ReadonlySet<string> {
    this.#shared = true;
    return this.#open;
  }

  /** Goes back to `open` (undefined: none). */
  restore(open: ReadonlySet<string> | undefined): void {
    this.#open = (open ?? NO_PIPES) as Set<string>;
    this.#shared = true;
  }

  /** Notes the open pipes as a handler starts, for {@link rewind} if it fails. */
  mark(): void {
    this.#mark = this.capture();
  }

  /** Forgets the pipes a failed handler opened (and reopens those whose results it took). */
  rewind(): void {
    this.restore(this.#mark);
  }

  #write(): Set<string> {
    if (this.#shared) {
      this.#open = new Set(this.#open);
      this.#shared = false;
    }
    return this.#open;
  }
}
