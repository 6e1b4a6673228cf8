/**
 * The word count's Sluice pipeline, in a module of its own: the one-thread rows build it directly,
 * and the word count's job module builds it in every worker thread, which thus loads neither the
 * peers nor the case.
 */
import { pipeline, type Keyed, type Pipeline, type Sink, type Source } from '../../src/index.js';

/** Keyed partitions of the Sluice pipeline. */
export const PARTITIONS = 4;

/** `words` counted per word in {@link PARTITIONS} keyed partitions, each final count written to `sink`. */
export function wordcountPipeline(words: Source<string, unknown>, sink: Sink<Keyed<string, number>>): Pipeline {
  return pipeline(words)
    .keyBy((word) => word, { partitions: PARTITIONS })
    .reduce(
      (count: number) => count + 1,
      () => 0,
      { emit: 'final' },
    )
    .to(sink);
}
