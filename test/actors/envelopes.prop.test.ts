/**
 * Properties of bare messages and envelopes sharing one mailbox. An actor tells them apart without
 * an `instanceof` per message while it counts no envelope queued: whatever mix of tells, asks and
 * sequenced messages (`ctx.tell` from another actor) arrives, under any overflow policy and
 * capacity, and whatever the policy drops, a handler receives the user's own message (never an
 * envelope), an ask it handled is answered, and a sequenced message arrives once and in order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, type ActorRef, type OverflowPolicy } from '../../src/index.js';

type Msg = { readonly kind: 'tell' | 'ask' | 'relayed'; readonly id: number };
type Op = { readonly op: 'tell' | 'ask' | 'relay' } | { readonly op: 'settle' };

/** Waits, one event-loop turn at a time, until both mailboxes are empty and nothing is in progress. */
async function settled(refs: readonly ActorRef<never>[]): Promise<void> {
  const idle = () => refs.every((ref) => ref.metrics().depth === 0 && ref.metrics().waitingSenders === 0);
  do await new Promise<void>((resolve) => setImmediate(resolve));
  while (!idle());
  await new Promise<void>((resolve) => setImmediate(resolve));
}

const ops = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.constant<Op>({ op: 'tell' }) },
    { weight: 2, arbitrary: fc.constant<Op>({ op: 'ask' }) },
    { weight: 2, arbitrary: fc.constant<Op>({ op: 'relay' }) },
    { weight: 1, arbitrary: fc.constant<Op>({ op: 'settle' }) },
  ),
  { maxLength: 60 },
);

describe('ActorRef', () => {
  describe('tell, ask and ctx.tell into one mailbox', () => {
    it('hands every handler the message that was sent, answers every ask it handled, relays each sequenced message once in order', async () => {
      await fc.assert(
        fc.asyncProperty(
          ops,
          fc.constantFrom<OverflowPolicy>('backpressure', 'drop-newest', 'drop-oldest', 'fail'),
          fc.integer({ min: 1, max: 4 }),
          async (script, overflow, capacity) => {
            const system = createSystem({ name: 'envelopes' });
            try {
              const sent = new Set<Msg>();
              const handled: unknown[] = [];
              const receiver = system.spawn(
                defineActor<null, Msg>({
                  initialState: () => null,
                  receive(state, msg, ctx) {
                    handled.push(msg);
                    if (msg.kind === 'ask') ctx.reply(msg.id);
                    return state;
                  },
                }),
                { mailbox: { capacity, overflow } },
              );
              const relay = system.spawn(
                defineActor<null, Msg>({
                  initialState: () => null,
                  receive(state, msg, ctx) {
                    ctx.tell(receiver, msg);
                    return state;
                  },
                }),
              );
              const asks: { readonly msg: Msg; readonly answer: Promise<unknown> }[] = [];
              let id = 0;
              for (const step of script) {
                if (step.op === 'settle') {
                  await settled([receiver, relay] as ActorRef<never>[]);
                  continue;
                }
                const msg: Msg = { kind: step.op === 'relay' ? 'relayed' : step.op, id: id++ };
                sent.add(msg);
                if (step.op === 'ask') asks.push({ msg, answer: receiver.ask(msg, { timeoutMs: Infinity }).catch((error: unknown) => error) });
                else if (step.op === 'relay') relay.tell(msg);
                else {
                  try {
                    receiver.tell(msg);
                  } catch {
                    // The 'fail' policy throws to a teller that finds the mailbox full.
                  }
                }
              }
              await settled([receiver, relay] as ActorRef<never>[]);
              // Asks still waiting for room under backpressure were admitted as room was made.
              const answers = await Promise.all(asks.map(({ answer }) => answer));

              for (const msg of handled) expect(sent.has(msg as Msg)).toBe(true);
              expect(new Set(handled).size).toBe(handled.length);
              asks.forEach(({ msg }, i) => {
                if (handled.includes(msg)) expect(answers[i]).toBe(msg.id);
                else expect(answers[i]).toBeInstanceOf(Error);
              });
              const relayed = handled.filter((msg) => (msg as Msg).kind === 'relayed').map((msg) => (msg as Msg).id);
              expect(relayed).toEqual([...relayed].sort((a, b) => a - b));
            } finally {
              await system.shutdown();
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});
