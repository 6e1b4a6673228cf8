/**
 * A live source for tests: records arrive when the test pushes them, and the input ends when it
 * says so; reading waits in between, as a socket or a queue would.
 */
import type { Source, SourceItem } from '../../../src/index.js';

export interface ControlledSource<T> extends Source<T, number> {
  push(...records: T[]): void;
  end(): void;
  /** Whether the reader let go of the source before its end (a stopped run does). */
  readonly returned: boolean;
}

export function controlledSource<T>(): ControlledSource<T> {
  const queue: T[] = [];
  let ended = false;
  let returned = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  return {
    name: 'controlled',
    get returned() {
      return returned;
    },
    replayable: false,
    start: 0,
    push(...records) {
      queue.push(...records);
      notify();
    },
    end() {
      ended = true;
      notify();
    },
    read(): AsyncIterator<SourceItem<T, number>> & AsyncIterable<SourceItem<T, number>> {
      let offset = 0;
      // A hand-written iterator, so `return()` ends it even while it waits for a record.
      const iterator = {
        async next(): Promise<IteratorResult<SourceItem<T, number>>> {
          for (;;) {
            if (returned) return { done: true, value: undefined };
            const record = queue.shift();
            if (record !== undefined) return { done: false, value: { kind: 'record', value: record, next: ++offset } };
            if (ended) return { done: true, value: undefined };
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
          }
        },
        async return(): Promise<IteratorResult<SourceItem<T, number>>> {
          returned = true;
          notify();
          return { done: true, value: undefined };
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
  };
}
