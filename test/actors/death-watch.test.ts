import { describe, expect, it } from 'vitest';
import {
  InvalidOptionError,
  defineActor,
  type ActorRef,
  type ActorSystem,
  type AnyActorRef,
  type SpawnOptions,
  type StopReason,
  type Terminated,
} from '../../src/index.js';
import { Inbox, deferred, nextDeadLetter, nextEvent, recordDeadLetters, useSystems } from './helpers.js';

const newSystem = useSystems();

type WatcherMsg = { type: 'watch'; ref: AnyActorRef } | { type: 'unwatch'; ref: AnyActorRef } | { type: 'ping' } | Terminated;

/** Watches and unwatches on request (answering once done) and pushes each Terminated to `seen`. */
function watcher(seen: Inbox<Terminated>) {
  return defineActor<null, WatcherMsg>({
    initialState: () => null,
    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'watch':
          ctx.watch(msg.ref);
          break;
        case 'unwatch':
          ctx.unwatch(msg.ref);
          break;
        case 'ping':
          break;
        case 'terminated':
          seen.push(msg);
          break;
      }
      ctx.reply('done');
      return state;
    },
  });
}

type TargetMsg = 'stop-self' | 'fail' | 'work';

const target = defineActor<null, TargetMsg>({
  initialState: () => null,
  receive(state, msg, ctx) {
    if (msg === 'stop-self') ctx.stop();
    if (msg === 'fail') throw new Error('target failed');
    return state;
  },
});

/**
 * A Terminated as plain data: deep equality cannot tell two refs apart (their state is private),
 * so refs are compared by path here and by identity where it matters.
 */
function describeTerminated(terminated: Terminated): { type: string; path: string; reason: StopReason } {
  return { type: terminated.type, path: terminated.ref.path, reason: terminated.reason };
}

/** Spawns a `target` child with the options it is asked for and answers with its ref. */
const nursery = defineActor<null, { options: SpawnOptions }>({
  initialState: () => null,
  receive(state, msg, ctx) {
    ctx.reply(ctx.spawn(target, msg.options));
    return state;
  },
});

function spawnWatched(system: ActorSystem): {
  seen: Inbox<Terminated>;
  watcherRef: ActorRef<WatcherMsg>;
  watch(ref: AnyActorRef): Promise<unknown>;
} {
  const seen = new Inbox<Terminated>();
  const watcherRef = system.spawn(watcher(seen), { name: 'watcher' });
  return { seen, watcherRef, watch: (ref) => watcherRef.ask({ type: 'watch', ref }) };
}

describe('ActorContext', () => {
  describe('watch', () => {
    it('delivers Terminated when the watched actor stops', async () => {
      const system = newSystem();
      const { seen, watch } = spawnWatched(system);
      const watched = system.spawn(target, { name: 'watched' });
      await watch(watched);
      await watched.stop();
      const terminated = await seen.next();
      expect(terminated).toEqual({ type: 'terminated', ref: watched, reason: 'requested' });
      expect(terminated.ref).toBe(watched);
    });

    type Case = [StopReason, string, SpawnOptions, (ref: ActorRef<TargetMsg>, parent: ActorRef<never>) => unknown];
    it.each<Case>([
      ['requested', 'ref.stop() is called', {}, (ref) => ref.stop()],
      ['requested', 'the actor calls ctx.stop()', {}, (ref) => ref.tell('stop-self')],
      ['failed', "its decider answers 'stop'", { supervision: { decide: () => 'stop' } }, (ref) => ref.tell('fail')],
      ['escalated', "its decider answers 'escalate'", { supervision: { decide: () => 'escalate' } }, (ref) => ref.tell('fail')],
      ['shutdown', 'its parent stops', {}, (_ref, parent) => parent.stop()],
    ])('delivers reason %s when %s', async (reason, _how, options, stop) => {
      const system = newSystem();
      const { seen, watch } = spawnWatched(system);
      const parent = system.spawn(nursery, { name: 'nursery', supervision: { decide: () => 'resume' } });
      const child = await parent.ask<ActorRef<TargetMsg>>({ options: { ...options, name: 'child' } });
      await watch(child);
      void stop(child, parent);
      const terminated = await seen.next();
      expect(describeTerminated(terminated)).toEqual({ type: 'terminated', path: '/user/nursery/child', reason });
      expect(terminated.ref).toBe(child);
      expect(child.status).toBe('stopped');
    });

    it('delivers the mapped message when given a mapping function', async () => {
      const system = newSystem();
      type Gone = { type: 'gone'; path: string; reason: StopReason };
      const seen = new Inbox<Gone>();
      const watched = system.spawn(target, { name: 'watched' });
      const mapper = system.spawn(
        defineActor<null, { type: 'watch' } | Gone>({
          initialState: () => null,
          receive(state, msg, ctx) {
            if (msg.type === 'watch') {
              ctx.watch(watched, (t) => ({ type: 'gone', path: t.ref.path, reason: t.reason }));
              ctx.reply(true);
            } else {
              seen.push(msg);
            }
            return state;
          },
        }),
      );
      await mapper.ask({ type: 'watch' });
      await watched.stop();
      await expect(seen.next()).resolves.toEqual({ type: 'gone', path: '/user/watched', reason: 'requested' });
    });

    it('delivers Terminated at once when the watched actor has already stopped, with its reason', async () => {
      const system = newSystem();
      const { seen, watch } = spawnWatched(system);
      const watched = system.spawn(target, { supervision: { decide: () => 'stop' } });
      const stopped = nextEvent(system, 'actor-stopped');
      watched.tell('fail');
      await stopped;
      await watch(watched);
      const terminated = await seen.next();
      expect(terminated.ref).toBe(watched);
      expect(describeTerminated(terminated)).toEqual({ type: 'terminated', path: watched.path, reason: 'failed' });
    });

    it('delivers one notification per watched actor, in the order they stopped', async () => {
      const system = newSystem();
      const { seen, watch } = spawnWatched(system);
      const [a, b, c] = ['a', 'b', 'c'].map((name) => system.spawn(target, { name }));
      for (const ref of [a, b, c]) if (ref !== undefined) await watch(ref);
      await b?.stop();
      await c?.stop();
      await a?.stop();
      const refs = [await seen.next(), await seen.next(), await seen.next()].map((t) => t.ref);
      expect(refs.map((ref) => ref.path)).toEqual(['/user/b', '/user/c', '/user/a']);
      expect(refs[0]).toBe(b);
    });

    it('notifies once when the same actor is watched twice', async () => {
      const system = newSystem();
      const { seen, watch, watcherRef } = spawnWatched(system);
      const watched = system.spawn(target);
      await watch(watched);
      await watch(watched);
      await watched.stop();
      await seen.next();
      await watcherRef.ask({ type: 'ping' });
      expect(seen.items).toHaveLength(1);
    });

    it('delivers Terminated even while the watcher’s mailbox is full', async () => {
      const system = newSystem();
      const seen = new Inbox<Terminated>();
      const gate = deferred();
      const entered = deferred();
      const watched = system.spawn(target);
      const busy = system.spawn(
        defineActor<null, 'block' | 'work' | Terminated>({
          initialState: () => null,
          async receive(state, msg, ctx) {
            if (msg === 'block') {
              ctx.watch(watched);
              entered.resolve();
              await gate.promise;
            } else if (msg !== 'work') {
              seen.push(msg);
            }
            return state;
          },
        }),
        { mailbox: { capacity: 1, overflow: 'fail' } },
      );
      busy.tell('block');
      await entered.promise;
      busy.tell('work');
      expect(busy.metrics().depth).toBe(1);
      await watched.stop();
      gate.resolve();
      const terminated = await seen.next();
      expect(terminated.ref).toBe(watched);
      expect(terminated.reason).toBe('requested');
    });

    it('sends the notification through the decider when the mapping function throws', async () => {
      const system = newSystem();
      const error = new Error('bad mapping');
      const watched = system.spawn(target, { name: 'watched' });
      const failed = nextEvent(system, 'actor-failed');
      const letter = nextDeadLetter(system, 'handler-failed');
      const mapper = system.spawn(
        defineActor<null, 'watch' | 'never'>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            ctx.watch(watched, () => {
              throw error;
            });
            ctx.reply(true);
            return state;
          },
        }),
        { name: 'mapper', supervision: { decide: () => 'resume' } },
      );
      await mapper.ask('watch');
      await watched.stop();
      await expect(failed).resolves.toMatchObject({ path: '/user/mapper', error, directive: 'resume' });
      const { recipient, error: letterError, message } = await letter;
      expect({ recipient, error: letterError }).toEqual({ recipient: '/user/mapper', error });
      expect(describeTerminated(message as Terminated)).toEqual({ type: 'terminated', path: '/user/watched', reason: 'requested' });
      expect(mapper.status).toBe('running');
    });

    it('throws InvalidOptionError naming `ref` for something that is not a ref', async () => {
      const system = newSystem();
      const outcome = deferred<unknown>();
      const ref = system.spawn(
        defineActor<null, Terminated | 'go'>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            try {
              ctx.watch({ path: '/user/fake' } as unknown as AnyActorRef);
              outcome.resolve('watched');
            } catch (error) {
              outcome.resolve(error);
            }
            return state;
          },
        }),
      );
      ref.tell('go');
      const error = await outcome.promise;
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect(error).toMatchObject({ option: 'ref' });
    });

    it('forgets the watch when the watcher stops first, so the target’s stop posts nothing', async () => {
      const system = newSystem();
      const { watch, watcherRef } = spawnWatched(system);
      const watched = system.spawn(target);
      await watch(watched);
      await watcherRef.stop();
      const letters = recordDeadLetters(system);
      await watched.stop();
      expect(letters).toEqual([]);
    });

    it('posts nothing for the children a watcher stops as it stops itself', async () => {
      const system = newSystem();
      const parentOfWatched = defineActor<null, WatcherMsg>({
        initialState: () => null,
        started(_state, ctx) {
          for (const name of ['a', 'b']) ctx.watch(ctx.spawn(target, { name }));
        },
        receive: (state) => state,
      });
      const ref = system.spawn(parentOfWatched, { name: 'parent' });
      await nextEvent(system, 'actor-started', (event) => event.path === '/user/parent/b');
      const letters = recordDeadLetters(system);
      await ref.stop();
      expect(letters).toEqual([]);
    });
  });

  describe('unwatch', () => {
    it('stops notifications for an actor that stops afterwards', async () => {
      const system = newSystem();
      const { seen, watch, watcherRef } = spawnWatched(system);
      const watched = system.spawn(target);
      const other = system.spawn(target);
      await watch(watched);
      await watch(other);
      await watcherRef.ask({ type: 'unwatch', ref: watched });
      await watched.stop();
      await other.stop();
      expect((await seen.next()).ref).toBe(other);
      await watcherRef.ask({ type: 'ping' });
      expect(seen.items.map((t) => t.ref.path)).toEqual([other.path]);
    });
  });
});

describe('ActorRef', () => {
  describe('metrics', () => {
    it.each([
      ['a synchronous', false],
      ['an async', true],
    ])('counts a Terminated handled by %s receive once in metrics().processed', async (_kind, asyncHandler) => {
      const system = newSystem();
      const seen = new Inbox<Terminated>();
      const watched = system.spawn(target);
      const ref = system.spawn(
        defineActor<null, { type: 'watch'; ref: AnyActorRef } | Terminated>({
          initialState: () => null,
          receive(state, msg, ctx) {
            if (msg.type === 'watch') {
              ctx.watch(msg.ref);
              ctx.reply(true);
              return state;
            }
            if (!asyncHandler) {
              seen.push(msg);
              return state;
            }
            return (async () => {
              seen.push(msg);
              return state;
            })();
          },
        }),
      );
      await ref.ask({ type: 'watch', ref: watched });
      await watched.stop();
      await seen.next();
      await ref.stop();
      // The watch request and the notification: both went through receive and finished.
      expect(ref.metrics().processed).toBe(2);
    });
  });
});
