/**
 * Cutting an encoded snapshot into rows of a fixed size as the encoder writes it, so a snapshot of
 * any size is sent with about two rows in memory, not whole. The encoder (`SnapshotWriter`) writes
 * the body in order, then the checksum after it, and last the preamble at byte 0: every row after
 * the one the body starts in is handed on as soon as it is full, and the rows up to that one (the
 * first alone, when rows are longer than the preamble) are held until the preamble arrives. Row 0 therefore
 * goes last, and with it the number of rows, which is known only then.
 */

/** Receives row `chunk` (0 first in the snapshot, last to arrive); `chunks` is set on row 0 only. */
export type RowSink = (chunk: number, data: Buffer, chunks: number | undefined) => Promise<void>;

/** One snapshot's rows, cut as it is encoded: `write` is its `SnapshotWriter`, `finish` ends it. */
export class SnapshotRows {
  readonly #rowBytes: number;
  readonly #sink: RowSink;
  /** What was written into the held rows' span, by position. */
  readonly #head: { readonly position: number; readonly bytes: Buffer }[] = [];
  #headBytes = 0;
  /** Where the held rows end: the first row boundary past where the first write starts. */
  #headEnd: number | undefined;
  /** Bytes past the held rows, not yet in a row: `#tail[0]` from `#tailOffset` on. */
  #tail: Buffer[] = [];
  #tailOffset = 0;
  #tailBytes = 0;
  /** Where the next byte past the held rows must be written. */
  #end = 0;
  #nextRow = 0;

  /** @param rowBytes - the size of every row but the last. */
  constructor(rowBytes: number, sink: RowSink) {
    this.#rowBytes = rowBytes;
    this.#sink = sink;
  }

  /**
   * Takes `parts` at `position` (a `SnapshotWriter`), handing on the rows they fill.
   * @throws (rejects) what the sink threw; an Error when bytes past the held rows come out of order.
   */
  async write(parts: readonly Buffer[], position: number): Promise<void> {
    if (this.#headEnd === undefined) {
      this.#headEnd = Math.max(1, Math.ceil(position / this.#rowBytes)) * this.#rowBytes;
      this.#end = this.#headEnd;
      this.#nextRow = this.#headEnd / this.#rowBytes;
    }
    const headEnd = this.#headEnd;
    let at = position;
    for (const part of parts) {
      let rest = part;
      if (at < headEnd) {
        const inHead = Math.min(rest.length, headEnd - at);
        this.#head.push({ position: at, bytes: rest.subarray(0, inHead) });
        this.#headBytes = Math.max(this.#headBytes, at + inHead);
        rest = rest.subarray(inHead);
      }
      if (rest.length > 0) {
        const from = at + part.length - rest.length;
        if (from !== this.#end) throw new Error(`Snapshot bytes at ${from} where ${this.#end} was next`);
        this.#tail.push(rest);
        this.#tailBytes += rest.length;
        this.#end += rest.length;
        while (this.#tailBytes >= this.#rowBytes) await this.#sink(this.#nextRow++, this.#take(this.#rowBytes), undefined);
      }
      at += part.length;
    }
  }

  /**
   * Hands on the last rows: what is left of the body, then the held rows, row 0 last with the
   * number of rows.
   * @returns the number of rows.
   */
  async finish(): Promise<number> {
    if (this.#tailBytes > 0) await this.#sink(this.#nextRow++, this.#take(this.#tailBytes), undefined);
    const head = Buffer.alloc(this.#headBytes);
    for (const { position, bytes } of this.#head) bytes.copy(head, position);
    const count = Math.max(this.#nextRow, Math.ceil(head.length / this.#rowBytes), 1);
    for (let row = Math.ceil(head.length / this.#rowBytes) - 1; row >= 1; row--) {
      await this.#sink(row, head.subarray(row * this.#rowBytes, (row + 1) * this.#rowBytes), undefined);
    }
    await this.#sink(0, head.subarray(0, this.#rowBytes), count);
    return count;
  }

  /** The first `length` bytes of the tail, copied into a row of their own. */
  #take(length: number): Buffer {
    const row = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const first = this.#tail[0] as Buffer;
      const copied = first.copy(row, filled, this.#tailOffset, Math.min(first.length, this.#tailOffset + length - filled));
      filled += copied;
      this.#tailOffset += copied;
      if (this.#tailOffset === first.length) {
        this.#tail.shift();
        this.#tailOffset = 0;
      }
    }
    this.#tailBytes -= length;
    return row;
  }
}
