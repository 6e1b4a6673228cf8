import { describe, expect, it } from 'vitest';
import type { KeyedStep } from '../../../src/streams/internal/logical-plan.js';
import { assignmentFor } from '../../../src/streams/run/assign.js';
import type { StageMessage } from '../../../src/streams/run/messages.js';
import { Router } from '../../../src/streams/run/router.js';
import { ACCEPTED } from '../../../src/internal/accepted.js';
import { UNVERSIONED } from '../../../src/streams/stage-state.js';
import { guardHost, nextMacrotask } from '../../helpers/host-guard.js';

function keyedStep(partitions: number): KeyedStep {
  return {
    kind: 'keyed',
    name: 'count',
    keyOf: (word) => word as string,
    partitions,
    maxParallelism: 128,
    boundaries: undefined,
    state: UNVERSIONED,
    operator: { kind: 'aggregate' } as never,
  };
}

describe('Router', () => {
  describe('route', () => {
    it('observes a full batch’s send at once: a caller that stops routing leaves no unhandled rejection when the receiver refuses it later', async () => {
      const guard = guardHost();
      try {
        const refusals: ((error: Error) => void)[] = [];
        const router = new Router({
          next: assignmentFor(keyedStep(1)),
          batchSize: 2,
          retries: 0,
          send: () => new Promise<void>((_, reject) => void refusals.push(reject)),
          deadLetter: () => undefined,
          from: 0,
          timed: false,
        });
        router.route('a');
        router.route('b');
        expect(router.sending).toBe(true);
        // The caller is gone (its run failed); the receiver stops and refuses the waiting send.
        for (const refuse of refusals) refuse(new Error('receiver stopped'));
        await nextMacrotask();
        expect(guard.unhandled).toEqual([]);
      } finally {
        guard.stop();
      }
    });

    it('still rejects settle with a refused send when the caller waits for it', async () => {
      const router = new Router({
        next: undefined,
        batchSize: 1,
        retries: 0,
        send: (): Promise<void> => Promise.reject(new Error('refused')),
        deadLetter: () => undefined,
        from: 0,
        timed: false,
      });
      router.route('a');
      await expect(router.settle()).rejects.toThrow('refused');
    });
    it('sends a destination’s first batch at 16 records, so the full-batch path runs early, and every later one at the batch size', () => {
      const sizes: number[][] = [[], []];
      const router = new Router({
        next: assignmentFor(keyedStep(2)),
        batchSize: 100,
        retries: 0,
        send: (index, message) => {
          if (message.type === 'batch') sizes[index]?.push(message.entries.length);
          return ACCEPTED;
        },
        deadLetter: () => undefined,
        from: 0,
        timed: false,
      });
      const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
      for (let i = 0; i < 1_000; i++) router.route(words[i % words.length]);
      for (const sent of sizes) {
        expect(sent[0]).toBe(16);
        expect(sent.slice(1).every((size) => size === 100)).toBe(true);
      }
      expect(sizes.flat().reduce((sum, size) => sum + size, 0) + router.buffered).toBe(1_000);
    });
  });

  describe('flush', () => {
    it('sends every part-filled batch, one per destination, with the records in order', async () => {
      const sent: { index: number; message: StageMessage<unknown> }[] = [];
      const router = new Router({
        next: undefined,
        batchSize: 10,
        retries: 0,
        send: async (index, message) => void sent.push({ index, message }),
        deadLetter: () => undefined,
        from: 3,
        timed: true,
      });
      router.route('x', 5);
      router.route('y', 7);
      expect(router.buffered).toBe(2);
      await router.flush();
      expect(router.buffered).toBe(0);
      expect(sent).toEqual([{ index: 0, message: { type: 'batch', from: 3, entries: ['x', 'y'], keys: undefined, timestamps: [5, 7] } }]);
    });

    it('resolves to ACCEPTED itself when every send was accepted at once, and waits for one that was not', async () => {
      let room!: () => void;
      const full = new Promise<void>((resolve) => (room = resolve));
      const router = new Router({
        next: undefined,
        batchSize: 1,
        retries: 0,
        send: (_index, message) => (message.type === 'batch' && message.entries[0] === 'wait' ? full : ACCEPTED),
        deadLetter: () => undefined,
        from: 0,
        timed: false,
      });
      router.route('now');
      expect(router.sending).toBe(true);
      expect(router.flush()).toBe(ACCEPTED);
      expect(router.flush()).toBe(ACCEPTED);
      router.route('wait');
      const flushed = router.flush();
      expect(flushed).not.toBe(ACCEPTED);
      let done = false;
      void flushed.then(() => (done = true));
      await Promise.resolve();
      expect(done).toBe(false);
      room();
      await flushed;
    });
  });

  describe('barrier', () => {
    /** A router to three partitions whose sends are accepted when `accept` says so. */
    function threeWay(accept: (index: number) => Promise<void>) {
      const sent: string[] = [];
      const router = new Router({
        next: assignmentFor(keyedStep(3)),
        batchSize: 2,
        retries: 0,
        send: (index, message) => {
          sent.push(`${index}:${message.type}`);
          return accept(index);
        },
        deadLetter: () => undefined,
        from: 1,
        timed: false,
      });
      return { router, sent };
    }

    it('reaches every destination at once when nothing waits to be accepted, and resolves once all took it', async () => {
      const { router, sent } = threeWay(() => Promise.resolve());
      const done = router.barrier(4);
      expect(sent).toEqual(['0:barrier', '1:barrier', '2:barrier']);
      await expect(done).resolves.toBeUndefined();
    });

    it('goes out only once the batches before it were accepted, and rejects when a destination refuses it', async () => {
      let accept!: () => void;
      const held = new Promise<void>((resolve) => (accept = resolve));
      const { router, sent } = threeWay((index) => (sent.length === 1 ? held : index === 2 ? Promise.reject(new Error('stopped')) : Promise.resolve()));
      // Two records to one key fill its batch: that send waits for room.
      router.route('a');
      router.route('a');
      expect(router.sending).toBe(true);
      const done = router.barrier(4);
      expect(sent).toHaveLength(1);
      accept();
      await expect(done).rejects.toThrow('stopped');
      expect(sent.slice(1).sort()).toEqual(['0:barrier', '1:barrier', '2:barrier']);
    });
  });
});
