import { describe, expect, it } from 'vitest';
import { defineActor, type ActorRef } from '../../src/index.js';
import { createTestKit } from '../../src/testing/index.js';

type Msg = { type: 'inc' } | { type: 'report'; to: ActorRef<number> } | { type: 'fail' } | { type: 'later'; to: ActorRef<string>; ms: number };

const counter = defineActor<number, Msg>({
  initialState: () => 0,
  async receive(count, msg, ctx) {
    switch (msg.type) {
      case 'inc':
        return count + 1;
      case 'report':
        await Promise.resolve(); // an async step: settle() must wait it out
        ctx.tell(msg.to, count);
        return count;
      case 'fail':
        throw new Error('boom');
      case 'later':
        ctx.clock.setTimeout(() => ctx.tell(msg.to, `after ${msg.ms} ms`), msg.ms);
        return count;
    }
  },
});

describe('createTestKit', () => {
  describe('settle', () => {
    it('runs nothing until the test settles, then everything that was ready', async () => {
      const kit = createTestKit();
      const probe = kit.probe<number>('probe');
      const ref = kit.system.spawn(counter);
      ref.tell({ type: 'inc' });
      ref.tell({ type: 'inc' });
      ref.tell({ type: 'report', to: probe.ref });
      expect(probe.received).toEqual([]);
      await kit.settle();
      expect(probe.received).toEqual([2]);
      await kit.shutdown();
    });

    it('rejects a loop of two actors pinging each other with the default maxTurns, naming the limit and how to raise it', async () => {
      // A turn used to be a whole 5 ms dispatcher window: the default took minutes to trip, and
      // this test ran into the runner's time-out instead.
      type Ping = { readonly from: ActorRef<Ping> };
      const kit = createTestKit();
      const player = defineActor<null, Ping>({
        initialState: () => null,
        receive(state, msg, ctx) {
          msg.from.tell({ from: ctx.self });
          return state;
        },
      });
      const ping = kit.system.spawn(player, { name: 'ping' });
      const pong = kit.system.spawn(player, { name: 'pong' });
      ping.tell({ from: pong });
      const error = await kit.settle().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/^TestKit: actors still busy after 100000 turns \(maxTurns\), a message loop\?/);
      expect(error?.message).toMatch(/Busy: \/user\/(ping|pong) \(1 queued, 50000 processed\)\./);
      expect(error?.message).toContain('raise the limit: createTestKit({ maxTurns: 1000000 })');
      await kit.shutdown();
    });

    it('rejects when actors keep each other busy past maxTurns', async () => {
      const kit = createTestKit({ maxTurns: 50 });
      const pinger: ActorRef<'ping'> = kit.system.spawn(
        defineActor<null, 'ping'>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            ctx.self.tell('ping');
            return state;
          },
        }),
      );
      pinger.tell('ping');
      await expect(kit.settle()).rejects.toThrow('still busy after 50 turns (maxTurns)');
      await pinger.stop();
      await kit.shutdown();
    });
  });

  describe('probe', () => {
    it('hands out received messages one by one and notices unexpected ones', async () => {
      const kit = createTestKit();
      const probe = kit.probe<number>('probe');
      const ref = kit.system.spawn(counter);
      ref.tell({ type: 'report', to: probe.ref });
      ref.tell({ type: 'inc' });
      ref.tell({ type: 'report', to: probe.ref });
      await expect(probe.expectMessage()).resolves.toBe(0);
      await expect(probe.expectMessage()).resolves.toBe(1);
      await expect(probe.expectMessage()).rejects.toThrow('has none');
      ref.tell({ type: 'report', to: probe.ref });
      await expect(probe.expectNoMessage()).rejects.toThrow('expected no message');
      await kit.shutdown();
    });
  });

  describe('advance', () => {
    it('fires timers on virtual time and settles the actors they wake', async () => {
      const kit = createTestKit();
      const probe = kit.probe<string>('probe');
      kit.system.spawn(counter).tell({ type: 'later', to: probe.ref, ms: 60_000 });
      await kit.settle();
      await kit.advance(59_999);
      await probe.expectNoMessage();
      await kit.advance(1);
      await expect(probe.expectMessage()).resolves.toBe('after 60000 ms');
      await kit.shutdown();
    });
  });

  describe('events and deadLetters', () => {
    it('records restarts and dead letters for assertions', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(counter, { name: 'fragile', supervision: { maxRetries: 2 } });
      ref.tell({ type: 'fail' });
      await kit.settle();
      expect(kit.events.filter((e) => e.type === 'actor-restarted')).toHaveLength(1);
      expect(kit.deadLetters).toMatchObject([{ reason: 'poison', recipient: '/user/fragile' }]);
      await kit.shutdown();
    });

    it('repeats backoff jitter exactly for the same seed', async () => {
      const delays = async (seed: number) => {
        const kit = createTestKit({ seed });
        const ref = kit.system.spawn(counter, { supervision: { maxRetries: 3, backoff: { minMs: 100, jitter: 0.5 } } });
        ref.tell({ type: 'fail' });
        await kit.settle();
        const pending = kit.clock.pendingTimers;
        await kit.advance(10_000);
        const restarts = kit.events.filter((e) => e.type === 'actor-restarted').map((e) => e.at);
        await kit.shutdown();
        return { pending, restarts };
      };
      const first = await delays(7);
      expect(first.pending).toBe(1);
      expect(first.restarts).toHaveLength(2);
      expect(await delays(7)).toEqual(first);
    });
  });

  it('rejects a seed that is not an integer, naming it', () => {
    expect(() => createTestKit({ seed: 0.5 })).toThrow('`seed`');
  });
});
