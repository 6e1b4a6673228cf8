/**
 * Window arithmetic for the windowed query models, written out here rather than taken from
 * src/streams/time so that the models stay an independent check on the engine's windows.
 * Windows are half-open [start, start + size) and aligned to the epoch, as in Beam and Flink.
 */

/** The start of the tumbling window of `size` ms that holds `time`. */
export function tumblingStart(time: number, size: number): number {
  return Math.floor(time / size) * size;
}

/**
 * The starts of the sliding windows of `size` ms, one every `slide` ms, that hold `time`, oldest
 * first: ⌈size / slide⌉ of them when slide divides size.
 */
export function slidingStarts(time: number, size: number, slide: number): number[] {
  const starts: number[] = [];
  for (let start = Math.floor(time / slide) * slide; start > time - size; start -= slide) starts.unshift(start);
  return starts;
}
