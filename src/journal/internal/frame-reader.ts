/**
 * Reads the frames of one segment file in order, a buffer at a time, never past a limit the caller
 * gives per call (the durable size, for a segment still being written). Every frame is checked
 * before it is handed out; the first thing wrong ends the reading with where and why.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { checkSegmentHeader, decodeFrame, FRAME_HEADER_BYTES, frameLength, HEADER_BYTES } from './segment-format.js';

/** What {@link FrameReader.next} found. */
export type FrameResult =
  | { readonly kind: 'frame'; readonly position: number; readonly first: number; readonly records: readonly Buffer[] }
  | { readonly kind: 'end'; readonly position: number }
  | { readonly kind: 'damaged'; readonly position: number; readonly reason: string };

const EMPTY = Buffer.alloc(0);

/**
 * A cursor over the frames of the segment at `path` whose first record is `first`. The file is
 * opened on the first read and may be closed between reads ({@link detach}); it is opened again
 * when needed, so closing a journal can release every handle without ending its readers.
 */
export class FrameReader {
  readonly path: string;
  readonly #first: number;
  readonly #bufferBytes: number;
  #handle: FileHandle | undefined;
  #buffer: Buffer = EMPTY;
  #bufferAt = 0; // file position of #buffer[0]
  #position = 0; // of the next frame, once the header is checked
  #headerChecked = false;

  /**
   * @param bufferBytes - bytes read at a time (more only for a frame that is larger).
   */
  constructor(path: string, first: number, bufferBytes: number) {
    this.path = path;
    this.#first = first;
    this.#bufferBytes = bufferBytes;
  }

  /** File position after the last frame handed out (the header's end before the first one). */
  get position(): number {
    return this.#headerChecked ? this.#position : 0;
  }

  /**
   * The next frame, `end` when the next one would start at `limit`, or `damaged` when the bytes
   * before `limit` are not a frame (including a frame cut short by `limit` or by the file's end).
   * @throws (rejects) the file system's error (ENOENT for a deleted segment).
   */
  async next(limit: number): Promise<FrameResult> {
    if (!this.#headerChecked) {
      const header = await this.#load(0, Math.min(HEADER_BYTES, limit), limit);
      const problem = checkSegmentHeader(header, this.#first);
      if (problem !== undefined) return { kind: 'damaged', position: 0, reason: problem };
      this.#headerChecked = true;
      this.#position = HEADER_BYTES;
    }
    const at = this.#position;
    if (at >= limit) return { kind: 'end', position: at };
    const left = limit - at;
    if (left < FRAME_HEADER_BYTES) return damaged(at, `${left} bytes, shorter than a frame header`);
    const head = await this.#load(at, FRAME_HEADER_BYTES, limit);
    if (head.length < FRAME_HEADER_BYTES) return damaged(at, `the file ends ${head.length} bytes into a frame header`);
    const length = frameLength(head);
    if (length > left) return damaged(at, `a frame of ${length} bytes runs past the end (${left} bytes left)`);
    const bytes = await this.#load(at, length, limit);
    if (bytes.length < length) return damaged(at, `the file ends ${bytes.length} bytes into a frame of ${length}`);
    const frame = decodeFrame(bytes);
    if (typeof frame === 'string') return damaged(at, frame);
    this.#position = at + length;
    return { kind: 'frame', position: at, first: frame.first, records: frame.records };
  }

  /** Closes the file for now; the next read opens it again. */
  async detach(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    // FileHandle.close waits for a read in flight, which then completes normally.
    await handle?.close();
  }

  /** Closes the file and drops the buffer. */
  async close(): Promise<void> {
    this.#buffer = EMPTY;
    await this.detach();
  }

  /**
   * `length` bytes from file position `at` (fewer only when the file ends sooner), from the
   * buffer or by reading one more buffer's worth, never past `limit`.
   */
  async #load(at: number, length: number, limit: number): Promise<Buffer> {
    const offset = at - this.#bufferAt;
    if (offset >= 0 && offset + length <= this.#buffer.length) return this.#buffer.subarray(offset, offset + length);
    const size = Math.min(Math.max(this.#bufferBytes, length), limit - at);
    // A fresh buffer each time: the records of frames already handed out are views of the old one.
    const buffer = Buffer.allocUnsafe(size);
    let filled = 0;
    while (filled < size) {
      // Looked up each time: a `detach` while a read was in flight closed the handle.
      const handle = (this.#handle ??= await open(this.path, 'r'));
      const { bytesRead } = await handle.read(buffer, filled, size - filled, at + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    this.#buffer = buffer.subarray(0, filled);
    this.#bufferAt = at;
    return this.#buffer.subarray(0, Math.min(length, filled));
  }
}

function damaged(position: number, reason: string): FrameResult {
  return { kind: 'damaged', position, reason };
}
