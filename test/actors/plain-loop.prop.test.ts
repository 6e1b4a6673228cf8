/**
 * Properties of the mailbox loop across the change from an actor with nothing around its handler
 * (the loop for plain actors) to one with collaborators (the general loop): whatever each message
 * makes its handler do — return at once, return a promise, throw once, send to another actor (a
 * log of sequence numbers), ask for a snapshot, ask the actor itself, look at its timers (which makes
 * its extras) — and wherever the sends pause,
 * every message is handled once, in order, the state counts each once, and `processed` counts each
 * message taken from the mailbox once (a retry after a restart is not taken again).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSystem, defineActor } from '../../src/index.js';

type Behaviour = 'sync' | 'async' | 'throw-once' | 'tell' | 'snapshot' | 'ask-self' | 'timers';
type Msg = { readonly kind: 'work'; readonly id: number; readonly behaviour: Behaviour } | { readonly kind: 'echo' } | { readonly kind: 'get' };

const steps = fc.array(
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc.record({ send: fc.constantFrom<Behaviour>('sync', 'sync', 'sync', 'async', 'throw-once', 'tell', 'snapshot', 'ask-self', 'timers') }),
    },
    { weight: 1, arbitrary: fc.record({ pause: fc.integer({ min: 1, max: 3 }) }) },
  ),
  { maxLength: 40 },
);

describe('ActorRef', () => {
  describe('tell to an actor that gains collaborators as it goes', () => {
    it('handles every message once and in order, counts each in its state, and counts each as processed once', async () => {
      await fc.assert(
        fc.asyncProperty(steps, async (script) => {
          const system = createSystem({ name: 'plain-loop' });
          try {
            const handled: number[] = [];
            const failed = new Set<number>();
            let calls = 0;
            const sink = system.spawn(defineActor<null, number>({ initialState: () => null, receive: (state) => state }));
            const ref = system.spawn(
              defineActor<number, Msg>({
                initialState: () => 0,
                receive(count, msg, ctx) {
                  calls++;
                  if (msg.kind === 'get') {
                    ctx.reply(count);
                    return count;
                  }
                  if (msg.kind === 'echo') {
                    ctx.reply('echo');
                    return count;
                  }
                  switch (msg.behaviour) {
                    case 'async':
                      return Promise.resolve().then(() => {
                        handled.push(msg.id);
                        return count + 1;
                      });
                    case 'throw-once':
                      if (!failed.has(msg.id)) {
                        failed.add(msg.id);
                        throw new Error(`first try of ${msg.id}`);
                      }
                      break;
                    case 'tell':
                      ctx.tell(sink, msg.id);
                      break;
                    case 'snapshot':
                      void ctx.snapshot();
                      break;
                    case 'ask-self':
                      void ctx.self.ask({ kind: 'echo' });
                      break;
                    case 'timers':
                      ctx.timers.cancel('none');
                      break;
                    case 'sync':
                      break;
                  }
                  handled.push(msg.id);
                  return count + 1;
                },
              }),
            );
            let sent = 0;
            for (const step of script) {
              if ('pause' in step) {
                for (let i = 0; i < step.pause; i++) await new Promise<void>((resolve) => setImmediate(resolve));
              } else {
                expect(ref.tell({ kind: 'work', id: sent++, behaviour: step.send })).toBe(true);
              }
            }
            const count = await ref.ask<number>({ kind: 'get' });
            const echoes = script.filter((step) => 'send' in step && step.send === 'ask-self').length;
            // Every echo was asked before `get` was handled, and is handled before it or right after.
            while (calls < sent + failed.size + echoes + 1) await new Promise<void>((resolve) => setImmediate(resolve));

            expect(handled).toEqual(Array.from({ length: sent }, (_, i) => i));
            expect(count).toBe(sent);
            expect(ref.metrics().processed).toBe(sent + echoes + 1);
            expect(ref.status).toBe('running');
          } finally {
            await system.shutdown();
          }
        }),
        { numRuns: 150 },
      );
    });
  });

  describe('tell to an actor whose first stash is made by one of its handlers', () => {
    it('takes what unstashAll put back before anything else in the mailbox, as a model of the stash says', async () => {
      type StashMsg = { readonly kind: 'work' | 'park' | 'release'; readonly id: number };
      const kinds = fc.array(fc.constantFrom<StashMsg['kind']>('work', 'work', 'park', 'release'), { maxLength: 30 });
      await fc.assert(
        fc.asyncProperty(kinds, fc.integer({ min: 1, max: 40 }), async (sequence, pauseAfter) => {
          const messages = sequence.map((kind, id): StashMsg => ({ kind, id }));
          // The model: a parked message is stashed the first time it is handled; a release puts the stash back in front.
          const expected: number[] = [];
          const parked = new Set<number>();
          let stash: StashMsg[] = [];
          const front: StashMsg[] = [];
          const queue = [...messages];
          for (let msg = front.shift() ?? queue.shift(); msg !== undefined; msg = front.shift() ?? queue.shift()) {
            if (msg.kind === 'park' && !parked.has(msg.id)) {
              parked.add(msg.id);
              stash.push(msg);
              continue;
            }
            expected.push(msg.id);
            if (msg.kind === 'release') {
              front.unshift(...stash);
              stash = [];
            }
          }

          const system = createSystem({ name: 'plain-loop-stash' });
          try {
            const handled: number[] = [];
            const stashedOnce = new Set<number>();
            const ref = system.spawn(
              defineActor<number, StashMsg>({
                initialState: () => 0,
                receive(count, msg, ctx) {
                  if (msg.kind === 'park' && !stashedOnce.has(msg.id)) {
                    stashedOnce.add(msg.id);
                    ctx.stash.add();
                    return count;
                  }
                  handled.push(msg.id);
                  if (msg.kind === 'release') ctx.stash.unstashAll();
                  return count + 1;
                },
              }),
            );
            for (const msg of messages) {
              expect(ref.tell(msg)).toBe(true);
              if (msg.id === pauseAfter) await new Promise<void>((resolve) => setImmediate(resolve));
            }
            while (handled.length < expected.length) await new Promise<void>((resolve) => setImmediate(resolve));
            expect(handled).toEqual(expected);
          } finally {
            await system.shutdown();
          }
        }),
        { numRuns: 150 },
      );
    });
  });
});
