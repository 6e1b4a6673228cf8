/**
 * Sinks into Node streams and files. Writes respect the stream's backpressure: when `write`
 * reports a full buffer, the sink waits for `drain` before taking more.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { InvalidOptionError } from '../../errors.js';
import { isFunction } from '../../internal/validate.js';
import type { Sink } from './sink.js';

/** Options of {@link toWritable}. */
export interface WritableSinkOptions<TRecord> {
  /** Turns a record into what the stream takes; by default records are written as they are. */
  serialize?: ((record: TRecord) => unknown) | undefined;
  /**
   * End the stream when the pipeline's input ends.
   * @defaultValue true
   */
  end?: boolean | undefined;
}

/**
 * Writes records to a Node `Writable`, waiting for `drain` whenever its buffer is full.
 *
 * @example
 * ```ts
 * const stdout = toWritable(process.stdout, { serialize: (line: string) => `${line}\n`, end: false });
 * await stdout.write(['hello', 'world']);
 * ```
 */
export function toWritable<TRecord>(stream: Writable, options: WritableSinkOptions<TRecord> = {}): Sink<TRecord> {
  if (typeof stream !== 'object' || stream === null || typeof (stream as Partial<Writable>).write !== 'function') {
    throw new InvalidOptionError('stream', 'a Node Writable', stream);
  }
  const serialize = options.serialize ?? ((record: TRecord) => record);
  isFunction('serialize', serialize);
  const end = options.end ?? true;
  let failure: unknown;
  const onError = (error: unknown): void => {
    failure ??= error;
  };
  stream.on('error', onError);
  const check = (): void => {
    if (failure !== undefined) throw failure;
  };
  return {
    name: 'writable',
    async write(batch) {
      check();
      for (const record of batch) {
        if (!stream.write(serialize(record))) {
          await drained(stream);
          check();
        }
      }
    },
    async close() {
      check();
      if (end) {
        stream.end();
        await once(stream, 'finish');
      }
      stream.off('error', onError);
      check();
    },
    release() {
      // The run failed or stopped: what was written is flushed and the stream let go, as `end` says.
      stream.off('error', onError);
      if (end) stream.end();
    },
  };
}

/**
 * Resolves at the stream's next `drain`, rejects at its next `error`; either way both listeners
 * go, so a long run that waits for room many times leaves none behind.
 */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      stream.off('error', onFailure);
      resolve();
    };
    const onFailure = (error: unknown): void => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onFailure);
  });
}
