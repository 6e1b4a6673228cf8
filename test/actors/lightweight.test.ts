import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, InvalidOptionError, type ActorContext, type ActorRef } from '../../src/index.js';
import { resolveSpawnOptions } from '../../src/actors/spawn-options.js';
import { newActorId } from '../../src/actors/internal/actor-id.js';

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
  it('shares the resolved defaults between spawns, and their parts with a spawn that gives only a name', () => {
    const defaults = resolveSpawnOptions(undefined, 256);
    expect(resolveSpawnOptions(undefined, 256)).toBe(defaults);
    const named = resolveSpawnOptions({ name: 'a' }, 256);
    expect(named.name).toBe('a');
    expect(named.mailbox).toBe(defaults.mailbox);
    expect(named.supervision).toBe(defaults.supervision);
    expect(named.stash).toBe(defaults.stash);
    expect(resolveSpawnOptions(undefined, 64).messageBudget).toBe(64);
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
