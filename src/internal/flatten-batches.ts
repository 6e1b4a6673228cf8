/**
 * The items of an async iterable of arrays, one at a time: a source that reads in blocks
 * (`readBatches`) read item by item. Stopping early stops the batches too.
 */
export async function* flattenBatches<T>(batches: AsyncIterable<readonly T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}
