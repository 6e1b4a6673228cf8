import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemorySnapshotStore, defineActor, type ActorRef, type ActorSystem, type RestartType } from '../../src/index.js';
import { Sequenced } from '../../src/actors/internal/envelope.js';
import { targetOf } from '../../src/actors/internal/local-actor-ref.js';
import { nextEvent, recordEvents, useSystems } from '../actors/helpers.js';

const newSystem = useSystems();

type ReceiverMsg = { readonly type: 'value'; readonly n: number } | { readonly type: 'get' };

/** Keeps every value it takes, in order. */
const receiver = defineActor<readonly number[], ReceiverMsg>({
  initialState: () => [],
  receive(state, msg, ctx) {
    if (msg.type === 'get') {
      ctx.reply(state);
      return state;
    }
    return [...state, msg.n];
  },
});

type SenderMsg =
  /** Tells (or sends) `n` to the receiver, then fails its first `failures` attempts. */
  | { readonly type: 'forward'; readonly n: number; readonly failures: number; readonly attempts: { n: number }; readonly via?: 'send' }
  | { readonly type: 'stop-self' }
  /** Replies with how many forwards it handled. */
  | { readonly type: 'count' };

function forward(n: number, failures = 0, via?: 'send'): SenderMsg {
  return via === undefined ? { type: 'forward', n, failures, attempts: { n: 0 } } : { type: 'forward', n, failures, attempts: { n: 0 }, via };
}

/**
 * Forwards to whatever actor lives at `target` now (looked up each time, so a receiver that was
 * replaced is found). Its state counts the forwards it handled. A `send` forward is handled
 * asynchronously, a `tell` forward synchronously.
 */
function sender(target: string) {
  return defineActor<number, SenderMsg>({
    initialState: () => 0,
    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'stop-self':
          ctx.stop();
          return state;
        case 'count':
          ctx.reply(state);
          return state;
        case 'forward': {
          const ref = ctx.system.lookup(target) as ActorRef<ReceiverMsg> | undefined;
          if (ref === undefined) throw new Error(`nobody at ${target}`);
          const value: ReceiverMsg = { type: 'value', n: msg.n };
          const done = (): number => {
            msg.attempts.n++;
            if (msg.attempts.n <= msg.failures) throw new Error(`forwarding ${msg.n} failed`);
            return state + 1;
          };
          if (msg.via === 'send') return ctx.send(ref, value).then(done);
          ctx.tell(ref, value);
          return done();
        }
      }
    },
  });
}

/** Waits until `ref` has handled everything sent to it so far, then returns what it holds. */
function valuesOf(ref: ActorRef<ReceiverMsg>): Promise<readonly number[]> {
  return ref.ask<readonly number[]>({ type: 'get' });
}

/** A sender and a receiver, the sender snapshotting every `everyMessages` messages. */
function pair(system: ActorSystem, everyMessages?: number, restart?: RestartType) {
  const rx = system.spawn(receiver, { name: 'rx' });
  const tx = system.spawn(sender(rx.path), {
    name: 'tx',
    ...(everyMessages === undefined ? {} : { snapshot: { everyMessages } }),
    ...(restart === undefined ? {} : { supervision: { restart } }),
  });
  return { rx, tx };
}

/** Waits until the sender has handled everything sent to it so far; returns how many forwards it counted. */
function settled(tx: ActorRef<SenderMsg>): Promise<number> {
  return tx.ask<number>({ type: 'count' });
}

describe('ActorContext', () => {
  describe('tell', () => {
    it('stamps each message so the receiver drops a number it already took from that sender', async () => {
      const system = newSystem();
      const rx = system.spawn(receiver, { name: 'rx' });
      // Delivered as the runtime delivers ctx.tell, to repeat numbers on purpose.
      const cell = targetOf(rx as ActorRef<never>) as unknown as { deliver(entry: unknown): boolean };
      const value = (n: number): ReceiverMsg => ({ type: 'value', n });
      cell.deliver(new Sequenced(value(1), '/user/a', 1));
      cell.deliver(new Sequenced(value(2), '/user/a', 2));
      cell.deliver(new Sequenced(value(-2), '/user/a', 2));
      cell.deliver(new Sequenced(value(-1), '/user/a', 1));
      cell.deliver(new Sequenced(value(10), '/user/b', 1)); // another sender's numbers are its own
      cell.deliver(new Sequenced(value(3), '/user/a', 3));
      rx.tell(value(100)); // an unsequenced tell is never dropped
      rx.tell(value(100));
      await expect(valuesOf(rx)).resolves.toEqual([1, 2, 10, 3, 100, 100]);
    });

    it('numbers messages so that a receiver takes every new one', async () => {
      const system = newSystem();
      const { rx, tx } = pair(system);
      for (let n = 1; n <= 5; n++) tx.tell(forward(n));
      await settled(tx);
      await expect(valuesOf(rx)).resolves.toEqual([1, 2, 3, 4, 5]);
    });

    it('reaches the receiver once when the sender restarts from an older snapshot and sends again', async () => {
      const system = newSystem();
      const { rx, tx } = pair(system, 4);
      const restarted = nextEvent(system, 'actor-restarted', (event) => event.path === tx.path);
      tx.tell(forward(1));
      tx.tell(forward(2));
      tx.tell(forward(3));
      tx.tell(forward(4, 1)); // tells, then fails once: the restart replays 1, 2, 3 and 4
      tx.tell(forward(5));
      await expect(restarted).resolves.toMatchObject({ from: 'snapshot', replayed: 4 });
      await expect(settled(tx)).resolves.toBe(5);
      await expect(valuesOf(rx)).resolves.toEqual([1, 2, 3, 4, 5]);
    });

    it('does not make the receiver drop what comes after a poison message', async () => {
      const system = newSystem();
      const { rx, tx } = pair(system, 5);
      const poisoned = nextEvent(system, 'poison-message');
      tx.tell(forward(1));
      tx.tell(forward(2, 3)); // fails every time (maxRetries 3): poison, but its tell went out once
      tx.tell(forward(3));
      tx.tell(forward(4));
      await poisoned;
      await expect(settled(tx)).resolves.toBe(3);
      await expect(valuesOf(rx)).resolves.toEqual([1, 2, 3, 4]);
    });

    it('keeps sequence numbers rising after a fresh restart of a permanent actor', async () => {
      for (const everyMessages of [undefined, 3]) {
        const system = newSystem();
        const { rx, tx } = pair(system, everyMessages, 'permanent');
        const events = recordEvents(system);
        tx.tell(forward(1));
        tx.tell(forward(2));
        tx.tell({ type: 'stop-self' });
        tx.tell(forward(3));
        tx.tell(forward(4));
        await expect(settled(tx)).resolves.toBe(2);
        expect(events).toContainEqual(expect.objectContaining({ type: 'actor-restarted', path: tx.path, from: 'initial-state' }));
        await expect(valuesOf(rx), `everyMessages ${String(everyMessages)}`).resolves.toEqual([1, 2, 3, 4]);
      }
    });

    it('keeps the numbers a receiver took in its snapshot, so a receiver restored from a store still drops repeats', async () => {
      const store = new MemorySnapshotStore();
      const system = newSystem();
      const rx = system.spawn(receiver, { name: 'rx', snapshot: { store } });
      const tx = system.spawn(sender(rx.path), { name: 'tx', snapshot: { everyMessages: 10 } });
      tx.tell(forward(1));
      tx.tell(forward(2));
      await settled(tx);
      await expect(valuesOf(rx)).resolves.toEqual([1, 2]);
      await rx.stop(); // a graceful stop saves the receiver's final snapshot

      const successor = system.spawn(receiver, { name: 'rx', snapshot: { store } });
      const restarted = nextEvent(system, 'actor-restarted', (event) => event.path === tx.path);
      tx.tell(forward(3, 1)); // the restart replays 1, 2, the count and 3: 1 and 2 go to the successor again
      await expect(restarted).resolves.toMatchObject({ replayed: 4 });
      await settled(tx);
      await expect(valuesOf(successor)).resolves.toEqual([1, 2, 3]);
    });

    it('reaches each receiver once per message, whatever fails and however often the sender snapshots', async () => {
      const maxRetries = 3;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxRetries })), { minLength: 1, maxLength: 12 }),
          fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }),
          async (failures, everyMessages) => {
            const system = newSystem({ supervisor: { maxRestarts: 200 } });
            try {
              const rx = system.spawn(receiver, { name: 'rx' });
              const tx = system.spawn(sender(rx.path), {
                name: 'tx',
                supervision: { maxRetries },
                ...(everyMessages === undefined ? {} : { snapshot: { everyMessages } }),
              });
              failures.forEach((f, i) => tx.tell(forward(i + 1, f)));
              await expect(settled(tx)).resolves.toBe(failures.filter((f) => f < maxRetries).length);
              // Every message told its value before failing, so each value went out at least once.
              await expect(valuesOf(rx)).resolves.toEqual(failures.map((_, i) => i + 1));
            } finally {
              await system.shutdown();
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });

  describe('send', () => {
    it('reaches the receiver once when the sender restarts and sends again', async () => {
      const system = newSystem();
      const { rx, tx } = pair(system, 3);
      tx.tell(forward(1, 0, 'send'));
      tx.tell(forward(2, 2, 'send'));
      tx.tell(forward(3, 0, 'send'));
      await settled(tx);
      await expect(valuesOf(rx)).resolves.toEqual([1, 2, 3]);
    });
  });
});
