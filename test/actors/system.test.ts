import { describe, expect, it } from 'vitest';
import { ActorStoppedError, SystemStoppedError, defineActor, systemClock, type ActorDefinition, type ActorRef, type AnyActorRef } from '../../src/index.js';
import {
  Inbox,
  counter,
  deferred,
  expectInvalidOption,
  gatedWorker,
  nextEvent,
  recordDeadLetters,
  recordEvents,
  stoppedPaths,
  useSystems,
  type CounterMsg,
} from './helpers.js';

const newSystem = useSystems();

/** Spawns `partition-0` … `partition-<parts - 1>` and answers with its children's paths. */
const job = defineActor<null, { type: 'split'; parts: number }>({
  initialState: () => null,
  receive(state, msg, ctx) {
    for (let i = 0; i < msg.parts; i++) ctx.spawn(counter, { name: `partition-${i}` });
    ctx.reply(ctx.children().map((child) => child.path));
    return state;
  },
});

/** Answers every message with its parent's ref. */
const parentProbe = defineActor<null, 'parent?'>({
  initialState: () => null,
  receive(state, _msg, ctx) {
    ctx.reply(ctx.parent);
    return state;
  },
});

/** Appends `<name><n>` to `log` for each number it handles, and answers an ask with the number. */
function recorder(name: string, log: string[]): ActorDefinition<null, number> {
  return defineActor<null, number>({
    initialState: () => null,
    receive(state, n, ctx) {
      log.push(`${name}${n}`);
      ctx.reply(n);
      return state;
    },
  });
}

describe('createSystem', () => {
  it('creates a running system named sluice on the real clock by default', () => {
    const system = newSystem();
    expect(system.name).toBe('sluice');
    expect(system.status).toBe('running');
    expect(system.clock).toBe(systemClock);
    expect(newSystem({ name: 'bank' }).name).toBe('bank');
  });

  it('shuts the system down when its signal aborts', async () => {
    const controller = new AbortController();
    const system = newSystem({ signal: controller.signal });
    const ref = system.spawn(counter, { name: 'c' });
    ref.tell({ type: 'inc' });
    await expect(ref.ask({ type: 'get' })).resolves.toBe(1);
    const stopped = nextEvent(system, 'actor-stopped');
    controller.abort();
    expect(system.status).toBe('stopping');
    await system.whenTerminated;
    expect(system.status).toBe('terminated');
    expect(ref.status).toBe('stopped');
    await expect(stopped).resolves.toMatchObject({ path: '/user/c', reason: 'shutdown' });
  });

  it('shuts the system down at once when its signal has already aborted', async () => {
    const system = newSystem({ signal: AbortSignal.abort() });
    expect(system.status).not.toBe('running');
    expect(() => system.spawn(counter)).toThrow(SystemStoppedError);
    await system.whenTerminated;
    expect(system.status).toBe('terminated');
  });

  it('applies the shutdown options when its signal aborts', async () => {
    const controller = new AbortController();
    const system = newSystem({ signal: controller.signal, shutdown: { drain: true } });
    const gate = deferred();
    const entered = new Inbox<number>();
    const handled: number[] = [];
    const ref = system.spawn(gatedWorker(gate.promise, entered, handled));
    ref.tell(0);
    ref.tell(1);
    ref.tell(2);
    await entered.next();
    controller.abort();
    gate.resolve();
    await system.whenTerminated;
    expect(handled).toEqual([0, 1, 2]);
    expect(system.deadLetters.count).toBe(0);
  });
});

describe('ActorSystem', () => {
  describe('spawn', () => {
    it('places a named actor at /user/<name>, starting then running', async () => {
      const system = newSystem();
      const ref = system.spawn(counter, { name: 'alice' });
      expect(ref.name).toBe('alice');
      expect(ref.path).toBe('/user/alice');
      expect(ref.status).toBe('starting');
      await ref.ask({ type: 'get' });
      expect(ref.status).toBe('running');
    });

    it('gives every actor a unique nanoid id and, without a name, the name actor-<id>', () => {
      const system = newSystem();
      const refs = Array.from({ length: 200 }, () => system.spawn(counter));
      expect(new Set(refs.map((ref) => ref.id)).size).toBe(200);
      for (const ref of refs) {
        expect(ref.id).toMatch(/^[A-Za-z0-9_-]{21}$/);
        expect(ref.name).toBe(`actor-${ref.id}`);
        expect(ref.path).toBe(`/user/actor-${ref.id}`);
      }
    });

    it('gives a new id to an actor that takes the name of one that has stopped', async () => {
      const system = newSystem();
      const first = system.spawn(counter, { name: 'alice' });
      await first.stop();
      const second = system.spawn(counter, { name: 'alice' });
      expect(second.id).not.toBe(first.id);
      expect(system.lookup('/user/alice')).toBe(second);
    });

    it('throws SystemStoppedError once shutdown has begun, and after it finished', async () => {
      const system = newSystem({ name: 'closing' });
      system.spawn(counter);
      const done = system.shutdown();
      let thrown: unknown;
      try {
        system.spawn(counter);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SystemStoppedError);
      expect(thrown).toMatchObject({ code: 'SYSTEM_STOPPED', system: 'closing' });
      await done;
      expect(() => system.spawn(counter, { name: 'late' })).toThrow(SystemStoppedError);
    });
  });

  describe('lookup', () => {
    it('finds top-level actors and their children by path', async () => {
      const system = newSystem();
      const ref = system.spawn(job, { name: 'job' });
      const paths = await ref.ask<string[]>({ type: 'split', parts: 4 });
      expect(paths).toEqual([0, 1, 2, 3].map((i) => `/user/job/partition-${i}`));
      expect(system.lookup('/user/job')).toBe(ref);
      const partition = system.lookup('/user/job/partition-3');
      expect(partition?.path).toBe('/user/job/partition-3');
      expect(partition?.name).toBe('partition-3');
    });

    it.each(['/user', '/user/', '/user/nobody', '/user/job/partition-9', '/user/job/partition-0/x', 'job', '/system/job', ''])(
      'returns undefined for %j',
      async (path) => {
        const system = newSystem();
        await system.spawn(job, { name: 'job' }).ask({ type: 'split', parts: 1 });
        expect(system.lookup(path)).toBeUndefined();
      },
    );

    it('returns undefined for an actor that has stopped', async () => {
      const system = newSystem();
      const ref = system.spawn(job, { name: 'job' });
      await ref.ask({ type: 'split', parts: 2 });
      await ref.stop();
      expect(system.lookup('/user/job')).toBeUndefined();
      expect(system.lookup('/user/job/partition-1')).toBeUndefined();
    });
  });

  describe('shutdown', () => {
    it('stops children before their parents, last started first', async () => {
      const system = newSystem();
      const a = system.spawn(job, { name: 'a' });
      system.spawn(counter, { name: 'b' });
      await a.ask({ type: 'split', parts: 2 });
      const events = recordEvents(system);
      await system.shutdown();
      expect(stoppedPaths(events)).toEqual(['/user/b', '/user/a/partition-1', '/user/a/partition-0', '/user/a']);
      const reasons = events.flatMap((event) => (event.type === 'actor-stopped' ? [event.reason] : []));
      expect(reasons).toEqual(['shutdown', 'shutdown', 'shutdown', 'shutdown']);
    });

    it('lets the message in progress finish and dead-letters queued ones as unprocessed by default', async () => {
      const system = newSystem();
      const letters = recordDeadLetters(system);
      const gate = deferred();
      const entered = new Inbox<number>();
      const handled: number[] = [];
      const ref = system.spawn(gatedWorker(gate.promise, entered, handled), { name: 'worker' });
      ref.tell(0);
      ref.tell(1);
      ref.tell(2);
      await entered.next();
      const done = system.shutdown();
      gate.resolve();
      await done;
      expect(handled).toEqual([0]);
      expect(letters.map(({ reason, recipient, message }) => ({ reason, recipient, message }))).toEqual([
        { reason: 'unprocessed', recipient: '/user/worker', message: 1 },
        { reason: 'unprocessed', recipient: '/user/worker', message: 2 },
      ]);
    });

    it('dead-letters messages queued before the actor’s first turn by default', async () => {
      const system = newSystem();
      const letters = recordDeadLetters(system);
      const handled: number[] = [];
      const ref = system.spawn(gatedWorker(Promise.resolve(), new Inbox<number>(), handled), { name: 'worker' });
      ref.tell(1);
      ref.tell(2);
      await system.shutdown();
      expect(handled).toEqual([]);
      expect(letters.map((letter) => [letter.reason, letter.message])).toEqual([
        ['unprocessed', 1],
        ['unprocessed', 2],
      ]);
    });

    it('processes every queued message before stopping with drain: true', async () => {
      const system = newSystem();
      const gate = deferred();
      const entered = new Inbox<number>();
      const handled: number[] = [];
      const ref = system.spawn(gatedWorker(gate.promise, entered, handled));
      ref.tell(0);
      ref.tell(1);
      ref.tell(2);
      await entered.next();
      const done = system.shutdown({ drain: true });
      gate.resolve();
      await done;
      expect(handled).toEqual([0, 1, 2]);
      expect(system.deadLetters.count).toBe(0);
    });

    it('processes messages queued before the actor’s first turn with drain: true', async () => {
      const system = newSystem();
      const handled: number[] = [];
      const ref = system.spawn(gatedWorker(Promise.resolve(), new Inbox<number>(), handled));
      ref.tell(1);
      ref.tell(2);
      await system.shutdown({ drain: true });
      expect(handled).toEqual([1, 2]);
      expect(system.deadLetters.recent()).toEqual([]);
    });

    it('rejects a pending ask with ActorStoppedError', async () => {
      const system = newSystem();
      const ref = system.spawn(counter, { name: 'c' });
      const unanswered = ref.ask({ type: 'inc' }, { timeoutMs: Infinity });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(1);
      await system.shutdown();
      const error = await unanswered.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActorStoppedError);
      expect(error).toMatchObject({ recipient: '/user/c', undelivered: { type: 'inc' } });
    });

    it('refuses messages to a stopped actor into dead letters', async () => {
      const system = newSystem();
      const ref = system.spawn(counter, { name: 'c' });
      await system.shutdown();
      const letters = recordDeadLetters(system);
      expect(ref.tell({ type: 'inc' })).toBe(false);
      await expect(ref.send({ type: 'inc', by: 2 })).rejects.toBeInstanceOf(ActorStoppedError);
      expect(letters.map((letter) => [letter.reason, letter.message])).toEqual([
        ['recipient-stopped', { type: 'inc' }],
        ['recipient-stopped', { type: 'inc', by: 2 }],
      ]);
    });

    it('returns the same promise when called again', () => {
      const system = newSystem();
      const first = system.shutdown();
      expect(system.shutdown({ drain: true })).toBe(first);
      return first;
    });

    it('moves from running through stopping to terminated and publishes system-terminated', async () => {
      const system = newSystem({ name: 'lifecycle' });
      system.spawn(counter);
      const terminated = nextEvent(system, 'system-terminated');
      expect(system.status).toBe('running');
      const done = system.shutdown();
      expect(system.status).toBe('stopping');
      await done;
      expect(system.status).toBe('terminated');
      const event = await terminated;
      expect(event.system).toBe('lifecycle');
      expect(event.error).toBeUndefined();
    });

    it('throws InvalidOptionError naming `drain` for a drain that is not a boolean, and keeps running', () => {
      const system = newSystem();
      expectInvalidOption(() => system.shutdown({ drain: 'yes' as unknown as boolean }), 'drain');
      expect(system.status).toBe('running');
    });
  });

  describe('whenTerminated', () => {
    it('resolves once every actor has stopped', async () => {
      const system = newSystem();
      const first = system.spawn(counter);
      const second = system.spawn(job);
      let settled = false;
      const whenTerminated = system.whenTerminated.then(() => {
        settled = true;
      });
      await first.ask({ type: 'get' });
      expect(settled).toBe(false);
      void system.shutdown();
      await whenTerminated;
      expect([first.status, second.status]).toEqual(['stopped', 'stopped']);
    });
  });
});

describe('ActorRef', () => {
  describe('tell', () => {
    it('enqueues messages that the actor handles in the order told', async () => {
      const system = newSystem();
      const log: string[] = [];
      const ref = system.spawn(recorder('m', log));
      expect([1, 2, 3].map((n) => ref.tell(n))).toEqual([true, true, true]);
      await ref.ask(4);
      expect(log).toEqual(['m1', 'm2', 'm3', 'm4']);
    });
  });

  describe('send', () => {
    it('resolves once enqueued and the actor handles the message', async () => {
      const system = newSystem();
      const ref = system.spawn(counter);
      await ref.send({ type: 'inc', by: 5 });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(5);
    });

    it('rejects with ActorStoppedError carrying the message once the actor stopped', async () => {
      const system = newSystem();
      const ref = system.spawn(counter, { name: 'c' });
      await ref.stop();
      const error = await ref.send({ type: 'inc' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActorStoppedError);
      expect(error).toMatchObject({ code: 'ACTOR_STOPPED', recipient: '/user/c', undelivered: { type: 'inc' } });
    });
  });

  describe('stop', () => {
    it('stops the actor and its children and resolves with the same promise when called again', async () => {
      const system = newSystem();
      const ref = system.spawn(job, { name: 'job' });
      await ref.ask({ type: 'split', parts: 1 });
      const child = system.lookup('/user/job/partition-0');
      const stopping = ref.stop();
      expect(ref.stop()).toBe(stopping);
      expect(ref.status).toBe('stopping');
      await stopping;
      expect(ref.status).toBe('stopped');
      expect(child?.status).toBe('stopped');
    });
  });
});

describe('ActorContext', () => {
  describe('spawn', () => {
    it('spawns children under its own path, listed in start order, with itself as parent', async () => {
      const system = newSystem();
      const parent = system.spawn(
        defineActor<null, 'spawn'>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            const children = ['x', 'y', 'z'].map((name) => ctx.spawn(parentProbe, { name }));
            ctx.reply(children);
            return state;
          },
        }),
        { name: 'parent' },
      );
      const children = await parent.ask<AnyActorRef[]>('spawn');
      expect(children.map((child) => child.path)).toEqual(['/user/parent/x', '/user/parent/y', '/user/parent/z']);
      const probe = system.lookup('/user/parent/y') as unknown as ActorRef<'parent?'>;
      await expect(probe.ask('parent?')).resolves.toBe(parent);
      await expect(system.spawn(parentProbe).ask('parent?')).resolves.toBeUndefined();
    });

    it('throws ActorStoppedError when the actor is stopping', async () => {
      const system = newSystem();
      const outcome = deferred<unknown>();
      const ref = system.spawn(
        defineActor<null, 'go'>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            ctx.stop();
            try {
              ctx.spawn(counter);
              outcome.resolve('spawned');
            } catch (error) {
              outcome.resolve(error);
            }
            return state;
          },
        }),
      );
      ref.tell('go');
      await expect(outcome.promise).resolves.toBeInstanceOf(ActorStoppedError);
    });
  });

  describe('stop', () => {
    it('stops the actor after the current message and dead-letters the rest with reason requested', async () => {
      const system = newSystem();
      const letters = recordDeadLetters(system);
      const stopped = nextEvent(system, 'actor-stopped');
      const handled: string[] = [];
      const ref = system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive(state, msg, ctx) {
            if (msg === 'stop') ctx.stop();
            handled.push(msg);
            return state;
          },
        }),
        { name: 's' },
      );
      for (const msg of ['a', 'stop', 'b']) ref.tell(msg);
      await expect(stopped).resolves.toMatchObject({ path: '/user/s', reason: 'requested' });
      expect(handled).toEqual(['a', 'stop']);
      expect(letters.map((letter) => [letter.reason, letter.message])).toEqual([['unprocessed', 'b']]);
    });
  });
});

describe('SpawnOptions', () => {
  describe('messageBudget', () => {
    it('lets each actor handle at most its messageBudget before the next ready actor runs', async () => {
      const system = newSystem();
      const log: string[] = [];
      const a = system.spawn(recorder('a', log), { messageBudget: 2 });
      const b = system.spawn(recorder('b', log), { messageBudget: 2 });
      for (let i = 0; i < 4; i++) a.tell(i);
      for (let i = 0; i < 4; i++) b.tell(i);
      await b.ask(9);
      expect(log).toEqual(['a0', 'a1', 'b0', 'b1', 'a2', 'a3', 'b2', 'b3', 'b9']);
    });

    it('falls back to the system’s dispatcher.messageBudget', async () => {
      const system = newSystem({ dispatcher: { messageBudget: 1 } });
      const log: string[] = [];
      const a = system.spawn(recorder('a', log));
      const b = system.spawn(recorder('b', log));
      for (let i = 0; i < 3; i++) a.tell(i);
      for (let i = 0; i < 3; i++) b.tell(i);
      await b.ask(9);
      expect(log).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2', 'b9']);
    });
  });
});

describe('ActorDefinition', () => {
  describe('receive', () => {
    it('handles one message at a time while an async handler awaits, and other actors go on', async () => {
      const system = newSystem();
      const gates = [deferred(), deferred(), deferred()];
      const entered = new Inbox<number>();
      let inFlight = 0;
      let maxInFlight = 0;
      const slow = system.spawn(
        defineActor<null, number>({
          initialState: () => null,
          async receive(state, n) {
            inFlight++;
            maxInFlight = Math.max(maxInFlight, inFlight);
            entered.push(n);
            await gates[n]?.promise;
            await Promise.resolve();
            inFlight--;
            return state;
          },
        }),
      );
      const fast = system.spawn(counter);
      slow.tell(0);
      slow.tell(1);
      slow.tell(2);
      await expect(entered.next()).resolves.toBe(0);
      fast.tell({ type: 'inc' });
      await expect(fast.ask({ type: 'get' })).resolves.toBe(1);
      expect(entered.items).toEqual([0]);
      expect(slow.metrics()).toMatchObject({ depth: 2, processed: 0 });
      gates[0]?.resolve();
      await expect(entered.next()).resolves.toBe(1);
      expect(slow.metrics()).toMatchObject({ depth: 1, processed: 1 });
      gates[1]?.resolve();
      await expect(entered.next()).resolves.toBe(2);
      gates[2]?.resolve();
      await slow.stop();
      expect(maxInFlight).toBe(1);
      expect(slow.metrics().processed).toBe(3);
    });

    it('takes the next state from the promise an async handler returns', async () => {
      const system = newSystem();
      const ref = system.spawn(
        defineActor<number, CounterMsg>({
          ...counter,
          async receive(state, msg, ctx) {
            await Promise.resolve();
            return counter.receive(state, msg, ctx);
          },
        }),
      );
      ref.tell({ type: 'inc', by: 2 });
      ref.tell({ type: 'inc', by: 3 });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(5);
    });
  });

  describe('started, stopping and restarting', () => {
    it('runs started before the first message and publishes actor-started after it', async () => {
      const system = newSystem();
      const log: string[] = [];
      system.events.subscribe((event) => {
        if (event.type === 'actor-started') log.push(`event ${event.path}`);
      });
      const ref = system.spawn(
        defineActor<number, CounterMsg>({
          ...counter,
          started(state) {
            log.push(`started ${state}`);
          },
          receive(state, msg, ctx) {
            log.push(`receive ${msg.type}`);
            return counter.receive(state, msg, ctx);
          },
        }),
        { name: 'h' },
      );
      ref.tell({ type: 'inc' });
      await ref.ask({ type: 'get' });
      expect(log).toEqual(['started 0', 'event /user/h', 'receive inc', 'receive get']);
    });

    it('holds messages until an async started hook settles', async () => {
      const system = newSystem();
      const log: string[] = [];
      const gate = deferred();
      const begun = deferred();
      const ref = system.spawn(
        defineActor<number, CounterMsg>({
          ...counter,
          async started() {
            log.push('started begins');
            begun.resolve();
            await gate.promise;
            log.push('started ends');
          },
          receive(state, msg, ctx) {
            log.push(`receive ${msg.type}`);
            return counter.receive(state, msg, ctx);
          },
        }),
      );
      ref.tell({ type: 'inc' });
      await begun.promise;
      expect(ref.status).toBe('starting');
      const reply = ref.ask({ type: 'get' });
      gate.resolve();
      await expect(reply).resolves.toBe(1);
      expect(log).toEqual(['started begins', 'started ends', 'receive inc', 'receive get']);
    });

    it('runs stopping after its children have stopped, last started first', async () => {
      const system = newSystem();
      const log: string[] = [];
      const leaf = (name: string): ActorDefinition<null, never> =>
        defineActor<null, never>({
          initialState: () => null,
          receive: (state) => state,
          stopping() {
            log.push(`${name} stopping`);
          },
        });
      const parent = system.spawn(
        defineActor<null, 'spawn'>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            ctx.spawn(leaf('first'));
            ctx.spawn(leaf('second'));
            ctx.reply(ctx.children().length);
            return state;
          },
          stopping(_state, ctx) {
            log.push(`parent stopping with ${ctx.children().length} children`);
          },
        }),
      );
      await expect(parent.ask('spawn')).resolves.toBe(2);
      await parent.stop();
      expect(log).toEqual(['second stopping', 'first stopping', 'parent stopping with 0 children']);
    });

    it('runs restarting with the dropped state and the error, then started again with the restored state', async () => {
      const system = newSystem();
      const log: unknown[] = [];
      const boom = new Error('boom');
      const ref = system.spawn(
        defineActor<number, CounterMsg>({
          ...counter,
          started(state) {
            log.push(['started', state]);
          },
          restarting(state, error) {
            log.push(['restarting', state, error]);
          },
        }),
        { supervision: { maxRetries: 2 } },
      );
      ref.tell({ type: 'inc' });
      ref.tell({ type: 'inc' });
      ref.tell({ type: 'fail', error: boom });
      ref.tell({ type: 'inc' });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(3);
      expect(log).toEqual([
        ['started', 0],
        ['restarting', 2, boom],
        ['started', 2],
      ]);
    });

    it('stops the actor with reason failed and reports hook-failed when started throws', async () => {
      const system = newSystem();
      const error = new Error('cannot start');
      const hookFailed = nextEvent(system, 'hook-failed');
      const stopped = nextEvent(system, 'actor-stopped');
      const ref = system.spawn(
        defineActor<number, CounterMsg>({
          ...counter,
          started() {
            throw error;
          },
        }),
        { name: 'bad' },
      );
      await expect(hookFailed).resolves.toMatchObject({ hook: 'started', path: '/user/bad', error });
      await expect(stopped).resolves.toMatchObject({ path: '/user/bad', reason: 'failed' });
      expect(ref.status).toBe('stopped');
    });

    it('reports a failing stopping hook and still stops', async () => {
      const system = newSystem();
      const error = new Error('cannot stop');
      const events = recordEvents(system);
      const ref = system.spawn(
        defineActor<number, CounterMsg>({
          ...counter,
          stopping() {
            throw error;
          },
        }),
        { name: 'bad' },
      );
      await ref.ask({ type: 'get' });
      await ref.stop();
      expect(ref.status).toBe('stopped');
      expect(events.filter((event) => event.type !== 'actor-started')).toMatchObject([
        { type: 'hook-failed', hook: 'stopping', path: '/user/bad', error },
        { type: 'actor-stopped', path: '/user/bad', reason: 'requested' },
      ]);
    });
  });
});
