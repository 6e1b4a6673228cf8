/**
 * Properties of the mailbox loop across the change from an actor with nothing around its handler
 * (the loop for plain actors) to one with collaborators (the general loop): whatever each message
 * makes its handler do — return at once, return a promise, throw once, send to another actor (a
 * log of sequence numbers), ask for a snapshot, ask the actor itself — and wherever the sends pause,
 * every message is handled once, in order, the state counts each once, and `processed` counts each
 * message taken from the mailbox once (a retry after a restart is not taken again).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSystem, defineActor } from '../../src/index.js';

type Behaviour = 'sync' | 'async' | 'throw-once' | 'tell' | 'snapshot' | 'ask-self';
type Msg = { readonly kind: 'work'; readonly id: number; readonly behaviour: Behaviour } | { readonly kind: 'echo' } | { readonly kind: 'get' };

const steps = fc.array(
  fc.oneof(
    { weight: 8, arbitrary: fc.record({ send: fc.constantFrom<Behaviour>('sync', 'sync', 'sync', 'async', 'throw-once', 'tell', 'snapshot', 'ask-self') }) },
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
});
