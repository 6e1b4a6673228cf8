import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { ActorStoppedError, MailboxOverflowError, createSystem, defineActor, type ActorSystem, type DeadLetter, type OverflowPolicy } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { catchError } from './helpers.js';

const NOW = 1234;

/** A system on a virtual clock (no real timers), and every dead letter it posts, in order. */
function systemWithLetters(deadLetterBuffer?: number): { system: ActorSystem; letters: DeadLetter[] } {
  const system = createSystem({ clock: new VirtualClock(NOW), ...(deadLetterBuffer === undefined ? {} : { deadLetterBuffer }) });
  const letters: DeadLetter[] = [];
  system.deadLetters.subscribe((letter) => letters.push(letter));
  return { system, letters };
}

/**
 * Spawns an actor at /user/sink with a mailbox of `capacity` under `overflow`; it records each
 * message it handles in `seen`, and `handled` resolves once it has handled `expected` of them.
 */
function spawnSink(system: ActorSystem, capacity: number, overflow: OverflowPolicy, expected = 0) {
  const seen: number[] = [];
  let done: () => void = () => {};
  const handled = new Promise<void>((resolve) => {
    done = resolve;
  });
  const definition = defineActor<null, number>({
    initialState: () => null,
    receive: (state, message) => {
      if (seen.push(message) === expected) done();
      return state;
    },
  });
  const ref = system.spawn(definition, { name: 'sink', mailbox: { capacity, overflow } });
  return { ref, seen, handled };
}

/** 0, 1, ..., n - 1 */
function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

// Messages told in one synchronous loop all queue before the actor's first turn (a later
// setImmediate), so more than `capacity` of them overflow deterministically.
const overflowArb = fc.integer({ min: 1, max: 8 }).chain((capacity) => fc.tuple(fc.constant(capacity), fc.integer({ min: capacity + 1, max: capacity + 12 })));

describe('DeadLetterOffice', () => {
  describe('subscribe', () => {
    it.prop([overflowArb], { numRuns: 30 })('receives each message dropped under drop-newest with reason dropped-newest', async ([capacity, count]) => {
      const { system, letters } = systemWithLetters();
      const { ref, seen, handled } = spawnSink(system, capacity, 'drop-newest', capacity);
      const accepted = range(count).map((message) => ref.tell(message));

      expect(accepted).toEqual(range(count).map((message) => message < capacity));
      expect(letters).toEqual(
        range(count)
          .slice(capacity)
          .map((message) => ({ reason: 'dropped-newest', recipient: '/user/sink', message, at: NOW })),
      );
      expect(ref.metrics().dropped).toBe(count - capacity);
      await handled;
      expect(seen).toEqual(range(capacity));
      await system.shutdown();
    });

    it.prop([overflowArb], { numRuns: 30 })('receives each message evicted under drop-oldest with reason dropped-oldest', async ([capacity, count]) => {
      const { system, letters } = systemWithLetters();
      const { ref, seen, handled } = spawnSink(system, capacity, 'drop-oldest', capacity);
      const accepted = range(count).map((message) => ref.tell(message));

      expect(accepted.every(Boolean)).toBe(true);
      expect(letters).toEqual(range(count - capacity).map((message) => ({ reason: 'dropped-oldest', recipient: '/user/sink', message, at: NOW })));
      expect(ref.metrics().dropped).toBe(count - capacity);
      await handled;
      expect(seen).toEqual(range(count).slice(count - capacity));
      await system.shutdown();
    });

    it.prop([overflowArb], { numRuns: 30 })('receives nothing when a full mailbox refuses under backpressure', async ([capacity, count]) => {
      const { system, letters } = systemWithLetters();
      const { ref, seen, handled } = spawnSink(system, capacity, 'backpressure', capacity);
      const accepted = range(count).map((message) => ref.tell(message));

      expect(accepted).toEqual(range(count).map((message) => message < capacity));
      expect(letters).toEqual([]);
      expect(system.deadLetters.count).toBe(0);
      expect(ref.metrics().dropped).toBe(0);
      await handled;
      expect(seen).toEqual(range(capacity));
      await system.shutdown();
    });

    it('receives the message of an ask evicted under drop-oldest, and the ask rejects', async () => {
      const { system, letters } = systemWithLetters();
      const { ref } = spawnSink(system, 1, 'drop-oldest');
      const reply = ref.ask(7);
      expect(ref.tell(8)).toBe(true);

      expect(letters).toEqual([{ reason: 'dropped-oldest', recipient: '/user/sink', message: 7, at: NOW }]);
      await expect(reply).rejects.toBeInstanceOf(MailboxOverflowError);
      await expect(reply).rejects.toMatchObject({ undelivered: 7, recipient: '/user/sink', capacity: 1 });
      await system.shutdown();
    });

    it('receives a message told to a stopped actor with reason recipient-stopped', async () => {
      const { system, letters } = systemWithLetters();
      const { ref } = spawnSink(system, 4, 'backpressure');
      await ref.stop();

      expect(ref.tell(5)).toBe(false);
      expect(letters).toEqual([{ reason: 'recipient-stopped', recipient: '/user/sink', message: 5, at: NOW }]);
      await system.shutdown();
    });

    it('receives a message sent to a stopped actor, and send rejects with ActorStoppedError', async () => {
      const { system, letters } = systemWithLetters();
      const { ref } = spawnSink(system, 4, 'backpressure');
      await ref.stop();

      const sent = ref.send(5);
      await expect(sent).rejects.toBeInstanceOf(ActorStoppedError);
      await expect(sent).rejects.toMatchObject({ undelivered: 5, recipient: '/user/sink' });
      expect(letters).toEqual([{ reason: 'recipient-stopped', recipient: '/user/sink', message: 5, at: NOW }]);
      await system.shutdown();
    });

    it('stops calling a listener after its unsubscribe', async () => {
      const { system, letters } = systemWithLetters();
      const late: DeadLetter[] = [];
      const unsubscribe = system.deadLetters.subscribe((letter) => late.push(letter));
      const { ref } = spawnSink(system, 1, 'drop-newest');
      ref.tell(0);
      ref.tell(1);
      unsubscribe();
      ref.tell(2);

      expect(late.map((letter) => letter.message)).toEqual([1]);
      expect(letters.map((letter) => letter.message)).toEqual([1, 2]);
      await system.shutdown();
    });
  });

  describe('count', () => {
    it('counts every dead letter, past the recent buffer and whatever the reason', async () => {
      const { system, letters } = systemWithLetters(2);
      const { ref } = spawnSink(system, 1, 'drop-newest');
      for (const message of range(6)) ref.tell(message);
      expect(system.deadLetters.count).toBe(5);

      await ref.stop(); // dead-letters the still-queued 0 as unprocessed
      ref.tell(99);
      expect(letters.map((letter) => letter.reason)).toEqual([...Array<string>(5).fill('dropped-newest'), 'unprocessed', 'recipient-stopped']);
      expect(system.deadLetters.count).toBe(7);
      expect(system.deadLetters.recent()).toHaveLength(2);
      await system.shutdown();
    });
  });

  describe('recent', () => {
    it.prop([fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 25 })], { numRuns: 30 })(
      'keeps the most recent deadLetterBuffer letters, oldest first',
      async (buffer, drops) => {
        const { system, letters } = systemWithLetters(buffer);
        const { ref } = spawnSink(system, 1, 'drop-newest');
        for (const message of range(drops + 1)) ref.tell(message);

        expect(system.deadLetters.count).toBe(drops);
        expect(system.deadLetters.recent()).toEqual(letters.slice(-buffer));
        expect(system.deadLetters.recent()).toHaveLength(Math.min(buffer, drops));
        await system.shutdown();
      },
    );

    it('keeps 100 letters by default', async () => {
      const { system } = systemWithLetters();
      const { ref } = spawnSink(system, 1, 'drop-newest');
      for (const message of range(151)) ref.tell(message);

      const recent = system.deadLetters.recent();
      expect(recent).toHaveLength(100);
      expect(recent.map((letter) => letter.message)).toEqual(range(151).slice(51));
      await system.shutdown();
    });
  });
});

describe('ActorRef', () => {
  describe('tell', () => {
    it('throws MailboxOverflowError carrying the message when full under fail, and dead-letters nothing', async () => {
      const { system, letters } = systemWithLetters();
      const { ref, seen, handled } = spawnSink(system, 2, 'fail', 2);
      expect(ref.tell(0)).toBe(true);
      expect(ref.tell(1)).toBe(true);

      const error = catchError(() => ref.tell(2));
      expect(error).toBeInstanceOf(MailboxOverflowError);
      const overflow = error as MailboxOverflowError<number>;
      expect(overflow.undelivered).toBe(2);
      expect(overflow.recipient).toBe('/user/sink');
      expect(overflow.capacity).toBe(2);
      expect(letters).toEqual([]);
      expect(ref.metrics()).toMatchObject({ depth: 2, dropped: 0 });
      await handled;
      expect(seen).toEqual([0, 1]);
      await system.shutdown();
    });
  });
});
