import { describe, expect, it } from 'vitest';
import {
  ActorStoppedError,
  DEFAULT_MAILBOX_CAPACITY,
  InvalidOptionError,
  StashOverflowError,
  defineActor,
  defineBehaviors,
  isSluiceError,
  type ActorContext,
} from '../../src/index.js';
import { createTestKit } from '../../src/testing/index.js';
import { expectInvalidOption, useSystems } from './helpers.js';

const newSystem = useSystems();

type LoaderMsg = { type: 'job'; id: string } | { type: 'loaded' } | { type: 'size' } | { type: 'fail' };

/** Sets jobs aside until `loaded`, then handles them; answers a job asked for with its id. */
function loader(handled: string[]) {
  return defineBehaviors<null, LoaderMsg, 'loading' | 'ready'>({
    initialState: () => null,
    initialBehavior: 'loading',
    behaviors: {
      loading(state, msg, ctx) {
        if (msg.type === 'size') ctx.reply(ctx.stash.size);
        if (msg.type === 'fail') throw new Error('boom');
        if (msg.type === 'job') ctx.stash.add();
        if (msg.type === 'loaded') {
          ctx.become('ready');
          ctx.stash.unstashAll();
        }
        return state;
      },
      ready(state, msg, ctx) {
        if (msg.type === 'size') ctx.reply(ctx.stash.size);
        if (msg.type === 'job') {
          handled.push(msg.id);
          ctx.reply(`done ${msg.id}`);
        }
        return state;
      },
    },
  });
}

/**
 * Sets every message aside until `open`, which puts them back; then hands each to `whenOpen`.
 * `first` sees each message while holding first, and says whether it took care of it.
 */
function holder(whenOpen: (msg: string, ctx: ActorContext<string>) => void, first: (msg: string, ctx: ActorContext<string>) => boolean = () => false) {
  return defineBehaviors<null, string, 'holding' | 'open'>({
    initialState: () => null,
    initialBehavior: 'holding',
    behaviors: {
      holding(state, msg, ctx) {
        if (first(msg, ctx)) return state;
        if (msg !== 'open') ctx.stash.add();
        else {
          ctx.become('open');
          ctx.stash.unstashAll();
        }
        return state;
      },
      open(state, msg, ctx) {
        whenOpen(msg, ctx);
        return state;
      },
    },
  });
}

describe('ActorStash', () => {
  describe('add and unstashAll', () => {
    it('set messages aside until unstashAll puts them back, oldest first, before the mailbox', async () => {
      const handled: string[] = [];
      const kit = createTestKit();
      const ref = kit.system.spawn(loader(handled));
      for (const id of ['a', 'b']) ref.tell({ type: 'job', id });
      ref.tell({ type: 'loaded' });
      ref.tell({ type: 'job', id: 'c' });
      await kit.settle();
      expect(handled).toEqual(['a', 'b', 'c']);
      expect(kit.deadLetters).toEqual([]);
      await kit.shutdown();
    });

    it('puts messages back in front of those put back before and not taken yet', async () => {
      const seen: string[] = [];
      const kit = createTestKit();
      const ref = kit.system.spawn(
        defineActor<{ released: boolean; again: boolean }, string>({
          initialState: () => ({ released: false, again: false }),
          receive(state, msg, ctx) {
            seen.push(msg);
            if (msg === 'release') {
              ctx.stash.unstashAll();
              return { ...state, released: true };
            }
            if (!state.released) ctx.stash.add();
            else if (msg === 'a' && !state.again) {
              // 'a' once more, ahead of 'b', which was put back and is still waiting
              ctx.stash.add();
              ctx.stash.unstashAll();
              return { ...state, again: true };
            }
            return state;
          },
        }),
      );
      for (const msg of ['a', 'b', 'release', 'c']) ref.tell(msg);
      await kit.settle();
      expect(seen).toEqual(['a', 'b', 'release', 'a', 'a', 'b', 'c']);
      await kit.shutdown();
    });

    it('keeps the reply channel of an ask set aside', async () => {
      const system = newSystem();
      const ref = system.spawn(loader([]));
      const reply = ref.ask<string>({ type: 'job', id: 'x' });
      expect(await ref.ask({ type: 'size' })).toBe(1);
      ref.tell({ type: 'loaded' });
      await expect(reply).resolves.toBe('done x');
    });

    it('keeps a message once however often its handler sets it aside', async () => {
      const kit = createTestKit();
      const sizes: number[] = [];
      const ref = kit.system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            sizes.push(Number(ctx.stash.add()) + Number(ctx.stash.add()), ctx.stash.size);
            return state;
          },
        }),
      );
      ref.tell('once');
      await kit.settle();
      expect(sizes).toEqual([2, 1]);
      await kit.shutdown();
    });

    it('throws outside a handler, naming ctx.stash.add()', async () => {
      const kit = createTestKit();
      let thrown: unknown;
      kit.system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive: (state) => state,
          started(_state, ctx) {
            try {
              ctx.stash.add();
            } catch (error) {
              thrown = error;
            }
          },
        }),
      );
      await kit.settle();
      expect(thrown).toBeInstanceOf(InvalidOptionError);
      expect((thrown as InvalidOptionError).option).toBe('ctx.stash.add()');
      await kit.shutdown();
    });
  });

  describe('capacity', () => {
    it('sends what does not fit to dead letters as stash-overflow, rejecting an ask with StashOverflowError', async () => {
      const system = newSystem();
      const letters: unknown[] = [];
      system.deadLetters.subscribe((letter) => letters.push(letter));
      const ref = system.spawn(loader([]), { name: 'small', stash: { capacity: 2 } });
      ref.tell({ type: 'job', id: 'a' });
      ref.tell({ type: 'job', id: 'b' });
      const third = ref.ask({ type: 'job', id: 'c' });
      const error = await third.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StashOverflowError);
      expect(error).toMatchObject({ code: 'STASH_OVERFLOW', actor: '/user/small', capacity: 2, undelivered: { type: 'job', id: 'c' } });
      expect(letters).toEqual([expect.objectContaining({ reason: 'stash-overflow', recipient: '/user/small', message: { type: 'job', id: 'c' } })]);
      expect(await ref.ask({ type: 'size' })).toBe(2);
    });

    it('defaults to the mailbox capacity', async () => {
      const kit = createTestKit();
      const capacities: number[] = [];
      const probe = defineActor<null, string>({
        initialState: () => null,
        receive(state, _msg, ctx) {
          capacities.push(ctx.stash.capacity);
          return state;
        },
      });
      kit.system.spawn(probe).tell('x');
      kit.system.spawn(probe, { mailbox: { capacity: 16 } }).tell('x');
      kit.system.spawn(probe, { mailbox: { capacity: 16 }, stash: { capacity: 3 } }).tell('x');
      await kit.settle();
      expect(capacities).toEqual([DEFAULT_MAILBOX_CAPACITY, 16, 3]);
      await kit.shutdown();
    });

    it.each([0, 1.5, -1, '8'])('refuses a capacity of %j, naming stash.capacity', (capacity) => {
      const system = newSystem();
      expectInvalidOption(() => system.spawn(loader([]), { stash: { capacity: capacity as number } }), 'stash.capacity');
    });

    it('refuses stash options that are not an object', () => {
      const system = newSystem();
      expectInvalidOption(() => system.spawn(loader([]), { stash: 4 as never }), 'stash');
    });
  });

  describe('when the actor stops', () => {
    it('dead-letters what was put back and not taken, then what is stashed, as unprocessed', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive(state, msg, ctx) {
            if (msg === 'release') {
              ctx.stash.unstashAll();
              ctx.stop();
            } else {
              ctx.stash.add();
            }
            return state;
          },
        }),
      );
      for (const msg of ['a', 'b', 'release']) ref.tell(msg);
      await kit.settle();
      expect(kit.deadLetters.map((letter) => [letter.reason, letter.message])).toEqual([
        ['unprocessed', 'a'],
        ['unprocessed', 'b'],
      ]);
      await kit.shutdown();
    });

    it('rejects an ask still stashed with ActorStoppedError', async () => {
      const system = newSystem();
      const ref = system.spawn(loader([]));
      const reply = ref.ask({ type: 'job', id: 'never' });
      await ref.ask({ type: 'size' });
      await ref.stop();
      const error = await reply.catch((e: unknown) => e);
      expect(isSluiceError(error, 'ACTOR_STOPPED')).toBe(true);
      expect(error).toBeInstanceOf(ActorStoppedError);
    });

    it('handles what was put back before a draining shutdown ends, and dead-letters what is still stashed', async () => {
      const handled: string[] = [];
      const kit = createTestKit();
      const ref = kit.system.spawn(holder((msg, ctx) => (msg === 'keep' ? ctx.stash.add() : handled.push(msg))));
      ref.tell('a');
      ref.tell('b');
      await kit.settle();
      ref.tell('open');
      ref.tell('keep');
      const stopping = kit.system.shutdown({ drain: true });
      await kit.settle();
      await stopping;
      expect(handled).toEqual(['a', 'b']);
      expect(kit.deadLetters.map((letter) => [letter.reason, letter.message])).toEqual([['unprocessed', 'keep']]);
    });
  });

  describe('with a failing handler', () => {
    it('has not set aside the message of a handler that throws: given up, it is a dead letter once', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive(state, msg, ctx) {
            if (msg === 'release') ctx.stash.unstashAll();
            else {
              ctx.stash.add();
              if (msg === 'bad') throw new Error('bad');
            }
            return state;
          },
        }),
        { supervision: { decide: () => 'resume' } },
      );
      for (const msg of ['good', 'bad', 'release']) ref.tell(msg);
      await kit.settle();
      await kit.shutdown();
      expect(kit.deadLetters.map((letter) => [letter.reason, letter.message])).toEqual([
        ['handler-failed', 'bad'],
        ['unprocessed', 'good'],
      ]);
    });

    it('dead-letters a message taken from the stash once when the actor is stopped while it waits to restart after it', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(
        holder((msg) => {
          if (msg === 'bad') throw new Error('bad');
        }),
        { snapshot: { everyMessages: 100 }, supervision: { backoff: { minMs: 1_000, maxMs: 1_000 } } },
      );
      for (const msg of ['bad', 'waiting', 'open']) ref.tell(msg);
      await kit.settle(); // 'bad', put back, fails: the restart waits out its backoff
      expect(ref.status).toBe('restarting');
      const stopped = ref.stop();
      await kit.settle();
      await stopped;
      expect(kit.deadLetters.map((letter) => [letter.reason, letter.message])).toEqual([
        ['unprocessed', 'bad'],
        ['unprocessed', 'waiting'],
      ]);
      await kit.shutdown();
    });

    it('puts what was stashed back before the mailbox, and cancels the timers, when a permanent actor starts afresh', async () => {
      const handled: string[] = [];
      const kit = createTestKit();
      const ref = kit.system.spawn(
        holder(
          (msg) => handled.push(msg),
          (msg, ctx) => {
            if (msg === 'reset') ctx.stop(); // permanent: back from initialState(), in initialBehavior
            if (msg === 'arm') ctx.timers.startSingle('armed', 'armed', 1_000);
            return msg === 'reset' || msg === 'arm';
          },
        ),
        { supervision: { restart: 'permanent' } },
      );
      for (const msg of ['arm', 'x', 'reset']) ref.tell(msg);
      await kit.settle();
      expect(kit.clock.pendingTimers).toBe(0);
      ref.tell('open');
      await kit.advance(2_000);
      expect(handled).toEqual(['x']);
      expect(kit.events.filter((event) => event.type === 'actor-restarted')).toEqual([expect.objectContaining({ from: 'initial-state' })]);
      expect(kit.deadLetters).toEqual([]);
      await kit.shutdown();
    });

    it('keeps what was stashed before a restart, and the messages processed again stash what they stashed', async () => {
      const handled: string[] = [];
      const kit = createTestKit();
      // A snapshot after c: each restart rolls back over d and the failing message, processing both again.
      const ref = kit.system.spawn(loader(handled), { snapshot: { everyMessages: 3 } });
      for (const id of ['a', 'b', 'c', 'd']) ref.tell({ type: 'job', id });
      ref.tell({ type: 'fail' }); // fails every time: restarted twice, then poison
      ref.tell({ type: 'loaded' });
      await kit.settle();
      expect(handled).toEqual(['a', 'b', 'c', 'd']);
      expect(kit.events.filter((event) => event.type === 'actor-restarted').map((event) => (event as { replayed: number }).replayed)).toEqual([2, 2]);
      expect(kit.deadLetters.map((letter) => letter.reason)).toEqual(['poison']);
      await kit.shutdown();
    });
  });
});
