/**
 * A live source for tests: records arrive when the test pushes them, and the input ends when it
 * says so; reading waits in between, as a socket or a queue would.
 */
import type { Source, SourceItem } from '../../../src/index.js';

export interface ControlledSource<T> extends Source<T, number> {
  push(...records: T[]): void;
  end(): void;
}

export function controlledSource<T>(): ControlledSource<T> {
  const queue: T[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  return {
    name: 'controlled',
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
    async *read(): AsyncGenerator<SourceItem<T, number>> {
      let offset = 0;
      for (;;) {
        const record = queue.shift();
        if (record !== undefined) {
          yield { kind: 'record', value: record, next: ++offset };
          continue;
        }
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}
