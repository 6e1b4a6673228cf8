import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, InvalidOptionError, type ActorContext, type ActorRef } from '../../src/index.js';
import { resolveSpawnOptions } from '../../src/actors/spawn-options.js';
import { idOfGeneratedName, newActorId, newActorName } from '../../src/actors/internal/actor-id.js';
import { createTestKit } from '../../src/testing/index.js';
import { expectInvalidOption } from './helpers.js';
import { newWorld, timerActor } from './timer-actor.js';

type Msg = { readonly type: 'ping' } | { readonly type: 'forward'; readonly to: ActorRef<Msg> };

describe('ActorContext', () => {
  it('lets a handler call a method it took off the context', async () => {
    const system = createSystem({ name: 'detached' });
    const echo = defineActor<number, Msg>({
      initialState: () => 0,
      receive(count, msg, ctx) {
        const { reply, tell } = ctx;
        if (msg.type === 'forward') tell(msg.to, { type: 'ping' });
        reply(count + 1);
        return count + 1;
      },
    });
    const first = system.spawn(echo);
    const second = system.spawn(echo);
    expect(await first.ask<number>({ type: 'forward', to: second })).toBe(1);
    expect(await first.ask<number>({ type: 'ping' })).toBe(2);
    expect(await second.ask<number>({ type: 'ping' })).toBe(2); // the forwarded ping came first
    await system.shutdown();
  });

  it('gives every actor its own bound methods, timers and stash', async () => {
    const system = createSystem({ name: 'own' });
    const contexts: ActorContext<Msg>[] = [];
    const keep = defineActor<null, Msg>({
      initialState: () => null,
      receive(state, _msg, ctx) {
        contexts.push(ctx);
        ctx.reply(ctx.self.path);
        return state;
      },
    });
    const refs = [system.spawn(keep), system.spawn(keep)];
    for (const ref of refs) await ref.ask({ type: 'ping' });
    const [a, b] = contexts as [ActorContext<Msg>, ActorContext<Msg>];
    expect(a.reply).not.toBe(b.reply);
    expect(a.reply).toBe(a.reply);
    expect(a.timers).not.toBe(b.timers);
    expect(a.stash).not.toBe(b.stash);
    expect(a.stash).toBe(a.stash);
    await system.shutdown();
  });
});

describe('resolveSpawnOptions', () => {
  it('shares the resolved defaults between spawns, those that give only a name among them, and their parts with the others', () => {
    const defaults = resolveSpawnOptions(undefined, 256);
    expect(resolveSpawnOptions(undefined, 256)).toBe(defaults);
    expect(resolveSpawnOptions({ name: 'a' }, 256)).toBe(defaults);
    expect(resolveSpawnOptions({ name: 'a', shutdownMs: undefined }, 256)).toBe(defaults);
    const timed = resolveSpawnOptions({ name: 'a', shutdownMs: 10 }, 256);
    expect(timed.shutdownMs).toBe(10);
    expect(timed.mailbox).toBe(defaults.mailbox);
    expect(timed.supervision).toBe(defaults.supervision);
    expect(timed.stash).toBe(defaults.stash);
    expect(resolveSpawnOptions(undefined, 64).messageBudget).toBe(64);
  });

  it('refuses a bad name, alone or with other options', () => {
    expectInvalidOption(() => resolveSpawnOptions({ name: 'a/b' }, 256), 'name');
    expectInvalidOption(() => resolveSpawnOptions({ name: '', shutdownMs: 10 }, 256), 'name');
  });

  it('resolves a part that is given, and still refuses a bad one', () => {
    const sized = resolveSpawnOptions({ mailbox: { capacity: 8 } }, 256);
    expect(sized.mailbox.capacity).toBe(8);
    expect(sized.stash.capacity).toBe(8);
    expect(() => resolveSpawnOptions({ name: 'a', mailbox: { capacity: 0 } }, 256)).toThrow(InvalidOptionError);
  });
});

describe('newActorId', () => {
  it('makes ids of 21 URL-safe characters, each different', () => {
    const ids = Array.from({ length: 1000 }, () => newActorId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('newActorName', () => {
  it('makes names actor-<id>, each with a different id that idOfGeneratedName cuts out', () => {
    const names = Array.from({ length: 1000 }, () => newActorName());
    for (const name of names) expect(name).toBe(`actor-${idOfGeneratedName(name)}`);
    for (const name of names) expect(idOfGeneratedName(name)).toMatch(/^[A-Za-z0-9_-]{21}$/);
    expect(new Set(names).size).toBe(names.length);
  });
});

describe('an actor made on first use', () => {
  const plain = defineActor<number, number>({ initialState: () => 0, receive: (total, amount) => total + amount });

  it('is found by the path of its generated name, before and after the first lookup', async () => {
    const system = createSystem({ name: 'found' });
    const first = system.spawn(plain);
    expect(first.id).toBe(first.id);
    expect(system.lookup(first.path)).toBe(first);
    const second = system.spawn(plain);
    expect(system.lookup(`/user/actor-${second.id}`)).toBe(second);
    await first.stop();
    expect(system.lookup(first.path)).toBeUndefined();
    await system.shutdown();
  });

  it('keeps its generated name from a sibling that asks for it by name', async () => {
    const system = createSystem({ name: 'taken' });
    const unnamed = system.spawn(plain);
    expectInvalidOption(() => system.spawn(plain, { name: unnamed.name }), 'name');
    await system.shutdown();
  });

  it('starts its timers, first used after other messages, as restarts from its snapshot expect', async () => {
    const world = newWorld([1]);
    const kit = createTestKit();
    const ref = kit.system.spawn(timerActor(world), { snapshot: { everyMessages: 100 } });
    // Two messages that touch no timer, then the first that does: the timers are made in its handler.
    ref.tell({ type: 'batch', commands: [] });
    ref.tell({ type: 'batch', commands: [] });
    await kit.settle();
    ref.tell({ type: 'periodic', key: 'tick', intervalMs: 100, payload: 2 });
    await kit.advance(250);
    // Rolls back to the start: every message since is processed again, the timer's start and ticks included.
    ref.tell({ type: 'batch', commands: [], failId: 1 });
    await kit.advance(1_000);
    const fired = (await askState(kit, ref)).fired;
    expect(fired.map((f) => f.tick)).toEqual(Array.from({ length: fired.length }, (_, i) => i + 1));
    expect(fired.length).toBe(12);
    // The schedule goes on from its first start: the tick after the restart comes at 300, not 350.
    expect([world.firstHandledAt.get('2:1'), world.firstHandledAt.get('2:3')]).toEqual([100, 300]);
    expect(kit.events.find((event) => event.type === 'actor-restarted')).toMatchObject({ replayed: 6 });
    await kit.shutdown();
  });

  it('keeps the schedules of the timers its first timer-using handler started before it failed, processed again after a backoff', async () => {
    const world = newWorld([1]);
    const kit = createTestKit();
    const ref = kit.system.spawn(timerActor(world), { supervision: { backoff: { minMs: 50, jitter: 0 } } });
    ref.tell({ type: 'batch', commands: [] });
    ref.tell({ type: 'batch', commands: [] });
    await kit.settle();
    // Starts a dozen timers (enough for the table to tidy up schedules nothing can restart), fails,
    // and is processed again 50 ms later: this message can restart them, so they keep their schedules.
    const starts = Array.from({ length: 12 }, (_, i) => ({ type: 'periodic' as const, key: `t${i}`, intervalMs: 100, payload: i }));
    ref.tell({ type: 'batch', commands: starts, failId: 1 });
    await kit.advance(350);
    expect(starts.map(({ payload }) => [world.firstHandledAt.get(`${payload}:1`), world.firstHandledAt.get(`${payload}:3`)])).toEqual(
      starts.map(() => [100, 300]),
    );
    await kit.shutdown();
  });

  it('tells on a sequenced link once, when its first sequenced tell comes after other messages and its handler fails', async () => {
    const kit = createTestKit();
    const received: string[] = [];
    const sink = kit.system.spawn(defineActor<null, string>({ initialState: () => null, receive: (state, msg) => (received.push(msg), state) }));
    let failures = 1;
    const forwarder = kit.system.spawn(
      defineActor<null, string>({
        initialState: () => null,
        receive(state, msg, ctx) {
          if (msg === 'forward') {
            ctx.tell(sink, 'forwarded');
            if (failures-- > 0) throw new Error('after the tell');
          }
          return state;
        },
      }),
    );
    forwarder.tell('first');
    forwarder.tell('second');
    await kit.settle();
    forwarder.tell('forward');
    await kit.settle();
    expect(received).toEqual(['forwarded']);
    expect(kit.events.filter((event) => event.type === 'actor-restarted')).toHaveLength(1);
    await kit.shutdown();
  });
});

function askState(kit: ReturnType<typeof createTestKit>, ref: ActorRef<Parameters<ReturnType<typeof timerActor>['receive']>[1]>) {
  const reply = ref.ask<{ readonly fired: readonly { readonly tick: number }[] }>({ type: 'state' }, { timeoutMs: Infinity });
  return kit.settle().then(() => reply);
}
