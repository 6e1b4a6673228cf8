/**
 * The stash against a model, as a property: an actor that sets items aside while it is closed and
 * puts them back when it opens handles each item exactly when the model does — whatever the order
 * of items, opens and closes, whichever items fail on their way (retried after a restart from a
 * snapshot taken every message or every few, or given up as poison once they were put back), with
 * handlers sync or async — and every item is either handled once or a dead letter once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSystem, defineBehaviors, type DeadLetter } from '../../src/index.js';

/** How an item fails when it is handled open: never, its first `times` handlings, or every time. */
type Fault = number;

type Msg =
  { readonly type: 'item'; readonly id: number; readonly fault: Fault } | { readonly type: 'open' } | { readonly type: 'close' } | { readonly type: 'get' };

const msgArb: fc.Arbitrary<Msg> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      type: fc.constant('item' as const),
      id: fc.constant(0),
      fault: fc.oneof(
        { weight: 6, arbitrary: fc.constant(0) },
        { weight: 2, arbitrary: fc.constantFrom(1, 2) },
        { weight: 1, arbitrary: fc.constant(Infinity) },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.constant<Msg>({ type: 'open' }) },
  { weight: 1, arbitrary: fc.constant<Msg>({ type: 'close' }) },
);

const messagesArb = fc.array(msgArb, { maxLength: 40 }).map((messages) => messages.map((msg, id) => (msg.type === 'item' ? { ...msg, id } : msg)));

interface Outcome {
  readonly handled: readonly number[];
  readonly poison: readonly number[];
  readonly unprocessed: readonly number[];
}

/** The stash's semantics, run directly. */
function model(messages: readonly Msg[]): Outcome {
  const handled: number[] = [];
  const poison: number[] = [];
  let open = false;
  let stash: Msg[] = [];
  let front: Msg[] = [];
  const queue = [...messages];
  for (let msg = front.shift() ?? queue.shift(); msg !== undefined; msg = front.shift() ?? queue.shift()) {
    if (msg.type === 'open' && !open) {
      open = true;
      front = [...stash, ...front];
      stash = [];
    } else if (msg.type === 'close') {
      open = false;
    } else if (msg.type === 'item') {
      if (!open) stash.push(msg);
      else if (msg.fault === Infinity) poison.push(msg.id);
      else handled.push(msg.id);
    }
  }
  const ids = (list: Msg[]) => list.flatMap((msg) => (msg.type === 'item' ? [msg.id] : []));
  return { handled, poison, unprocessed: [...ids(front), ...ids(stash)] };
}

const MAX_RETRIES = 3;

function opener(attempts: Map<number, number>, async: boolean) {
  const handle = (handled: readonly number[], msg: Extract<Msg, { type: 'item' }>): readonly number[] => {
    const attempt = (attempts.get(msg.id) ?? 0) + 1;
    attempts.set(msg.id, attempt);
    if (attempt <= msg.fault) throw new Error(`item ${msg.id} fails, attempt ${attempt}`);
    return [...handled, msg.id];
  };
  return defineBehaviors<readonly number[], Msg, 'closed' | 'open'>({
    initialState: () => [],
    initialBehavior: 'closed',
    behaviors: {
      closed(handled, msg, ctx) {
        if (msg.type === 'get') ctx.reply(handled);
        if (msg.type === 'item') ctx.stash.add();
        if (msg.type === 'open') {
          ctx.become('open');
          ctx.stash.unstashAll();
        }
        return handled;
      },
      open(handled, msg, ctx) {
        if (msg.type === 'get') ctx.reply(handled);
        if (msg.type === 'close') ctx.become('closed');
        if (msg.type !== 'item') return handled;
        return async ? Promise.resolve().then(() => handle(handled, msg)) : handle(handled, msg);
      },
    },
  });
}

describe('ActorStash', () => {
  it('handles each item when the model does, or dead-letters it once, whatever fails and restarts on the way', async () => {
    await fc.assert(
      fc.asyncProperty(messagesArb, fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), fc.boolean(), async (messages, everyMessages, async) => {
        const system = createSystem({ supervisor: { maxRestarts: Infinity } });
        const letters: DeadLetter[] = [];
        system.deadLetters.subscribe((letter) => letters.push(letter));
        const ref = system.spawn(opener(new Map(), async), {
          mailbox: { capacity: 8 },
          stash: { capacity: 64 },
          supervision: { maxRetries: MAX_RETRIES },
          snapshot: everyMessages === undefined ? undefined : { everyMessages },
        });
        for (const msg of messages) if (!ref.tell(msg)) await ref.send(msg);
        const handled = await ref.ask<number[]>({ type: 'get' });
        await system.shutdown();
        const idsOf = (reason: string) =>
          letters.filter((letter) => letter.reason === reason).map((letter) => (letter.message as Extract<Msg, { type: 'item' }>).id);
        const expected = model(messages);
        expect({ handled, poison: idsOf('poison'), unprocessed: idsOf('unprocessed') }).toEqual(expected);
        expect(letters.filter((letter) => letter.reason !== 'poison' && letter.reason !== 'unprocessed')).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
