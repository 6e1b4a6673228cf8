/**
 * One read of a journal: walks the segments from an offset, frame by frame, checking the record
 * sequence as it goes (each frame starts where the last ended, each segment where the previous one
 * ended), and at the durable end either waits for the next commit or stops. Lazy: one buffer of
 * one segment is read ahead of the consumer, and records are decoded as they are taken.
 *
 * Stopping: returning the iterator, or aborting the signal, ends a read even while it waits for
 * an append — a plain async generator could not, since `return()` would queue behind that wait.
 */
import { JournalCorruptedError, JournalTruncatedError } from '../../errors.js';
import type { SourceItem } from '../../streams/sources/source.js';
import type { JournalCodec } from '../codec.js';
import { FrameReader } from './frame-reader.js';
import type { Segment } from './segment-log.js';

/** What a read needs of its journal. */
export interface ReaderHost<TRecord> {
  /** The live list of segments, oldest first. */
  readonly segments: readonly Segment[];
  readonly start: number;
  /** Whether no more records will come (closed, after its last commit). */
  readonly finished: boolean;
  readonly codec: JournalCodec<TRecord>;
  /** Resolves at the next commit, truncation or close. */
  changed(): Promise<void>;
  /** Open frame readers, so closing the journal can release their files. */
  readonly frameReaders: Set<FrameReader>;
}

/** How one read goes. */
export interface ReadPlan {
  readonly from: number;
  /** Stop before this offset (a `follow: false` read), or read on. */
  readonly until: number | undefined;
  readonly bufferBytes: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * The items of the records from `plan.from` on.
 *
 * @example
 * ```ts
 * for await (const item of readJournal(host, { from: 0, until: undefined, bufferBytes: 65536, signal })) use(item);
 * ```
 */
export function readJournal<TRecord>(host: ReaderHost<TRecord>, plan: ReadPlan): AsyncIterableIterator<SourceItem<TRecord, number>> {
  const control: Control = { stopped: false, wake: undefined };
  const halt = (): void => {
    control.stopped = true;
    control.wake?.();
  };
  const items = walk(host, plan, control);
  if (plan.signal?.aborted === true) halt();
  plan.signal?.addEventListener('abort', halt, { once: true });
  const detach = (): void => plan.signal?.removeEventListener('abort', halt);
  return {
    async next() {
      const step = await items.next();
      if (step.done === true) detach();
      return step;
    },
    async return(value?: unknown) {
      halt();
      detach();
      return items.return(value as undefined);
    },
    async throw(error?: unknown) {
      halt();
      detach();
      return items.throw(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/** How a read is told to stop, and woken if it waits. */
interface Control {
  stopped: boolean;
  wake: (() => void) | undefined;
}

async function* walk<TRecord>(host: ReaderHost<TRecord>, plan: ReadPlan, control: Control): AsyncGenerator<SourceItem<TRecord, number>, undefined, undefined> {
  const { until } = plan;
  let index = plan.from; // of the next record to hand out
  let segment = segmentHolding(host, index);
  let frames = new FrameReader(segment.path, segment.first, plan.bufferBytes);
  let expected = segment.first; // first record of the next frame
  host.frameReaders.add(frames);
  try {
    for (;;) {
      if (control.stopped || (until !== undefined && index >= until)) return undefined;
      const result = await readFrame(host, frames, segment, expected);
      if (result.kind === 'damaged') throw new JournalCorruptedError(segment.path, result.position, result.reason);
      if (result.kind === 'frame') {
        if (result.first !== expected) {
          throw new JournalCorruptedError(segment.path, result.position, `frame holds records from ${result.first} where ${expected} was expected`);
        }
        expected += result.records.length;
        for (let k = Math.max(0, index - result.first); k < result.records.length; k++) {
          const at = result.first + k;
          if (until !== undefined && at >= until) return undefined;
          yield decode(host.codec, result.records[k] as Buffer, at + 1);
          index = at + 1;
          if (control.stopped) return undefined;
        }
        continue;
      }
      const next = host.segments.find((candidate) => candidate.first > segment.first);
      if (next !== undefined) {
        if (next.first !== expected) {
          if (expected < host.start) throw new JournalTruncatedError(expected, host.start);
          throw new JournalCorruptedError(segment.path, result.position, `the segment ends before record ${expected} but the next one starts at ${next.first}`);
        }
        host.frameReaders.delete(frames);
        await frames.close();
        segment = next;
        frames = new FrameReader(segment.path, segment.first, plan.bufferBytes);
        host.frameReaders.add(frames);
        continue;
      }
      if (host.finished || until !== undefined) return undefined;
      // A promise per wait, not a race against one long-lived "stopped" promise: that would gain a
      // reaction per commit for as long as a tailing read lives.
      await new Promise<void>((resolve) => {
        if (control.stopped) return resolve(); // stopped while reading the last frame
        control.wake = resolve;
        void host.changed().then(resolve);
      });
      control.wake = undefined;
    }
  } finally {
    host.frameReaders.delete(frames);
    await frames.close();
  }
}

/** The segment that holds record `index` (or, at the end, the last one). */
function segmentHolding<TRecord>(host: ReaderHost<TRecord>, index: number): Segment {
  if (index < host.start) throw new JournalTruncatedError(index, host.start);
  let holding = host.segments[0] as Segment;
  for (const segment of host.segments) {
    if (segment.first > index) break;
    holding = segment;
  }
  return holding;
}

/** The next frame of `segment`, turning the deletion of its file into the error it means. */
async function readFrame<TRecord>(host: ReaderHost<TRecord>, frames: FrameReader, segment: Segment, expected: number) {
  try {
    return await frames.next(segment.size);
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT' && !host.segments.includes(segment)) {
      throw new JournalTruncatedError(expected, host.start);
    }
    throw error;
  }
}

function decode<TRecord>(codec: JournalCodec<TRecord>, bytes: Buffer, next: number): SourceItem<TRecord, number> {
  try {
    return { kind: 'record', value: codec.decode(bytes), next };
  } catch (error) {
    return { kind: 'malformed', raw: bytes.toString(codec.text === true ? 'utf8' : 'base64'), error, next };
  }
}
