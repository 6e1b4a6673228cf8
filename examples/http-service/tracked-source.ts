/**
 * A source wrapper that reports how far the pipeline has taken records. The pipeline's source
 * driver asks for the next item only after it has taken the one before — and takes it in the same
 * synchronous step — so "asked for the next" means "took the last": the reported offset never runs
 * ahead of the pipeline, and anyone woken by it (a promise continuation) runs after the take.
 */
import type { Source, SourceItem } from '../../src/index.js';

export function trackConsumption<TRecord>(source: Source<TRecord, number>, consumed: (offset: number) => void): Source<TRecord, number> {
  return {
    name: source.name,
    replayable: source.replayable,
    start: source.start,
    read(from?: number): AsyncIterable<SourceItem<TRecord, number>> {
      const items = source.read(from);
      return {
        [Symbol.asyncIterator]() {
          const inner = items[Symbol.asyncIterator]();
          let taken = from ?? source.start;
          return {
            next() {
              consumed(taken);
              return inner.next().then((step) => {
                if (step.done !== true) taken = step.value.next;
                return step;
              });
            },
            return(value?: unknown) {
              return inner.return?.(value) ?? Promise.resolve({ done: true as const, value: undefined });
            },
          };
        },
      };
    },
  };
}
