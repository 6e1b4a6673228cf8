/** A tally per entity, and what the entities tests share to read its state and await its answers. */
import { defineActor, MemorySnapshotStore } from '../../../src/index.js';
import type { TestKit } from '../../../src/testing/index.js';
export { useKits } from '../routing/helpers.js';

/** What a tally takes: a number to add, a question about its total, or a request to stop itself. */
export type TallyMessage = { readonly type: 'add'; readonly n: number } | { readonly type: 'total' } | { readonly type: 'quit' };

export interface Tally {
  readonly total: number;
  readonly count: number;
}

/** Adds what it is told, answers its total, stops itself on `'quit'`. */
export const tally = defineActor<Tally, TallyMessage>({
  initialState: () => ({ total: 0, count: 0 }),
  receive(state, message, ctx) {
    switch (message.type) {
      case 'add':
        return { total: state.total + message.n, count: state.count + 1 };
      case 'total':
        ctx.reply(state.total);
        return state;
      case 'quit':
        ctx.stop();
        return state;
    }
  },
});

export const add = (n: number): TallyMessage => ({ type: 'add', n });
export const TOTAL: TallyMessage = { type: 'total' };

/** The total saved for `key` in `store`, or undefined when nothing is saved there. */
export async function savedTotal(store: MemorySnapshotStore, key: string): Promise<number | undefined> {
  const { snapshot } = await store.load(key);
  if (snapshot === undefined) return undefined;
  return (snapshot.meta as { state?: Tally } | undefined)?.state?.total;
}

/** `promise` once `kit` has run everything it can: the way to await an ask on a kit's system. */
export async function settled<T>(kit: TestKit, promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  await kit.settle();
  return promise;
}
