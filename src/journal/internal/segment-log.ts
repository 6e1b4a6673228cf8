/**
 * The segment files of a journal folder and the one being written. Segments are named by their
 * first record's index (`0000000000001234.seg`, 16 digits so names sort like numbers), hold
 * consecutive records, and only the last one is ever written.
 *
 * Invariants the recovery rule rests on:
 * - a segment file appears only complete: header written to a temp file, fsync'd, renamed, folder
 *   fsync'd;
 * - every write is fsync'd before the next write starts, and a write is at most `maxBatchBytes`;
 *   so after a crash, only the last `maxBatchBytes` of the last segment can be torn, and every
 *   other segment is whole.
 *
 * Recovery (on open) therefore checks the last segment frame by frame: a frame that does not check
 * out within `maxBatchBytes` of the file's end is a torn tail and is cut off (and the cut fsync'd);
 * further from the end it is damage to data that was durable, and opening fails with
 * `JournalCorruptedError`. Earlier segments are checked frame by frame when they are read.
 */
import { open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { JournalCorruptedError } from '../../errors.js';
import { FrameReader } from './frame-reader.js';
import { syncFolder } from '../../internal/durable-files.js';
import { encodeSegmentHeader, HEADER_BYTES } from './segment-format.js';

/** One segment file. */
export interface Segment {
  /** Index of its first record. */
  readonly first: number;
  readonly path: string;
  /** Bytes that are durable and readable: the whole file once it is no longer the last segment. */
  size: number;
}

/** Counters shared with the journal's stats. */
export interface LogCounters {
  fsyncs: number;
  bytes: number;
}

const SEGMENT_NAME = /^(\d{16})\.seg$/;
const SEGMENT_TEMP = /^\.\d{16}\.seg\.[\w-]+\.tmp$/;
const DIGITS = 16;
// Bytes read at a time while recovering the last segment.
const RECOVERY_BUFFER_BYTES = 1024 * 1024;

/** What opening found. */
export interface OpenedLog {
  readonly log: SegmentLog;
  /** Index after the last record. */
  readonly end: number;
  /** Bytes of torn tail cut off the last segment (0 after a clean shutdown). */
  readonly truncatedBytes: number;
}

/** The segments of one journal folder; the caller holds the folder's lock. */
export class SegmentLog {
  readonly dir: string;
  /** Oldest first; the last one is being written. Shared, live, with readers. */
  readonly segments: Segment[];
  readonly #counters: LogCounters;
  #handle: FileHandle;

  private constructor(dir: string, segments: Segment[], handle: FileHandle, counters: LogCounters) {
    this.dir = dir;
    this.segments = segments;
    this.#handle = handle;
    this.#counters = counters;
  }

  /**
   * Opens the segments of `dir`, recovering the last one (see the file comment), or starts the
   * first segment at index 0. Removes temp files of segments a crash left behind.
   * @throws (rejects) JournalCorruptedError for damage that is not a torn tail; a file system error.
   */
  static async open(dir: string, tolerance: number, counters: LogCounters): Promise<OpenedLog> {
    const segments: Segment[] = [];
    for (const name of await readdir(dir)) {
      const match = SEGMENT_NAME.exec(name);
      if (match !== null) segments.push({ first: Number(match[1]), path: join(dir, name), size: 0 });
      else if (SEGMENT_TEMP.test(name)) await rm(join(dir, name), { force: true });
    }
    segments.sort((a, b) => a.first - b.first);
    const last = segments.at(-1);
    if (last === undefined) {
      const { segment, handle } = await createSegment(dir, 0, counters);
      return { log: new SegmentLog(dir, [segment], handle, counters), end: 0, truncatedBytes: 0 };
    }
    for (const segment of segments.slice(0, -1)) segment.size = (await stat(segment.path)).size;
    const recovered = await recoverSegment(dir, last, tolerance, counters);
    return {
      log: new SegmentLog(dir, segments, recovered.handle, counters),
      end: recovered.end,
      truncatedBytes: recovered.truncatedBytes,
    };
  }

  /** The segment being written. */
  get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }

  /** Index of the oldest record kept. */
  get start(): number {
    return (this.segments[0] as Segment).first;
  }

  /**
   * Appends `bytes` (whole frames) to the active segment and fsyncs it; only then does the
   * segment's readable size grow.
   */
  async write(bytes: Buffer): Promise<void> {
    const segment = this.active;
    await writeAll(this.#handle, bytes, segment.size);
    // fdatasync: the data and the file size, which is all a reader after a crash needs.
    await this.#handle.datasync();
    this.#counters.fsyncs++;
    this.#counters.bytes += bytes.length;
    segment.size += bytes.length;
  }

  /** Starts a new segment at record `first`; everything before it is durable already. */
  async roll(first: number): Promise<void> {
    const { segment, handle } = await createSegment(this.dir, first, this.#counters);
    const previous = this.#handle;
    this.#handle = handle;
    this.segments.push(segment);
    await previous.close();
  }

  /**
   * Deletes the segments whose records all come before `offset` — never the active one — oldest
   * first (a crash midway leaves a shorter prefix deleted, still consistent), and makes the
   * deletions durable. Returns the index of the oldest record kept.
   */
  async deleteBefore(offset: number): Promise<number> {
    let n = 0;
    while (n < this.segments.length - 1 && (this.segments[n + 1] as Segment).first <= offset) n++;
    if (n === 0) return this.start;
    // Out of the list first, so no reader starts on a segment about to go.
    const doomed = this.segments.splice(0, n);
    for (const segment of doomed) await rm(segment.path, { force: true });
    await syncFolder(this.dir);
    this.#counters.fsyncs++;
    return this.start;
  }

  /** Closes the active segment's file. */
  async close(): Promise<void> {
    await this.#handle.close();
  }
}

/** Creates the segment of `first`, complete and durable, and opens it for writing. */
async function createSegment(dir: string, first: number, counters: LogCounters): Promise<{ segment: Segment; handle: FileHandle }> {
  const name = `${String(first).padStart(DIGITS, '0')}.seg`;
  const path = join(dir, name);
  const temp = join(dir, `.${name}.${nanoid(8)}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await writeAll(handle, encodeSegmentHeader(first), 0);
    await handle.datasync();
    await rename(temp, path);
    await syncFolder(dir);
    counters.fsyncs += 2;
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  return { segment: { first, path, size: HEADER_BYTES }, handle };
}

/**
 * Reads the last segment to its last whole frame, cutting off a torn tail. A segment whose header
 * itself is torn (only possible if the file system broke the rename's promise) is started afresh
 * when the whole file is within the tolerance.
 */
async function recoverSegment(
  dir: string,
  segment: Segment,
  tolerance: number,
  counters: LogCounters,
): Promise<{ handle: FileHandle; end: number; truncatedBytes: number }> {
  const size = (await stat(segment.path)).size;
  const reader = new FrameReader(segment.path, segment.first, Math.min(RECOVERY_BUFFER_BYTES, tolerance));
  let end = segment.first;
  let cut: { position: number; reason: string } | undefined;
  try {
    for (;;) {
      const result = await reader.next(size);
      if (result.kind === 'end') break;
      if (result.kind === 'damaged') {
        cut = result;
        break;
      }
      if (result.first !== end) {
        cut = { position: result.position, reason: `frame holds records from ${result.first} where ${end} was expected` };
        break;
      }
      end += result.records.length;
    }
  } finally {
    await reader.close();
  }
  if (cut !== undefined && size - cut.position > tolerance) {
    throw new JournalCorruptedError(
      segment.path,
      cut.position,
      `${cut.reason} (${size - cut.position} bytes before the end, more than maxBatchBytes = ${tolerance} a torn write can reach)`,
    );
  }
  if (cut !== undefined && cut.position === 0) {
    // The rename replaces the damaged file in one step.
    const created = await createSegment(dir, segment.first, counters);
    segment.size = HEADER_BYTES;
    return { handle: created.handle, end, truncatedBytes: size };
  }
  const handle = await open(segment.path, 'r+');
  try {
    if (cut !== undefined) {
      await handle.truncate(cut.position);
      await handle.datasync();
      counters.fsyncs++;
    }
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  segment.size = cut?.position ?? size;
  return { handle, end, truncatedBytes: cut === undefined ? 0 : size - cut.position };
}

/** Writes every byte of `bytes` at `position`: a write may take fewer than asked. */
async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    if (bytesWritten === 0) throw new Error(`Wrote 0 of ${bytes.length - done} bytes to a journal segment`);
    done += bytesWritten;
  }
}
