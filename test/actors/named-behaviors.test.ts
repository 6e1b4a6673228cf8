import { describe, expect, it } from 'vitest';
import { InvalidOptionError, MemorySnapshotStore, defineBehaviors, type ActorRef, type BehaviorsDefinition, type HookFailedEvent } from '../../src/index.js';
import { createTestKit, withFaults, type TestKit } from '../../src/testing/index.js';
import { expectInvalidOption } from './helpers.js';

type Msg = { type: 'lock' } | { type: 'unlock'; code: number } | { type: 'push' } | { type: 'explode' } | { type: 'stop' } | { type: 'where' };

interface Turnstile {
  readonly passed: number;
  readonly refused: number;
}

type Mode = 'locked' | 'unlocked';

/** A turnstile: `push` passes when unlocked (and locks it again), is refused when locked. */
function turnstile(extra: Partial<BehaviorsDefinition<Turnstile, Msg, Mode>> = {}): BehaviorsDefinition<Turnstile, Msg, Mode> {
  return {
    initialState: () => ({ passed: 0, refused: 0 }),
    initialBehavior: 'locked',
    behaviors: {
      locked(state, msg, ctx) {
        if (msg.type === 'unlock' && msg.code === 42) ctx.become('unlocked');
        return common(state, msg, ctx, { ...state, refused: state.refused + (msg.type === 'push' ? 1 : 0) });
      },
      unlocked(state, msg, ctx) {
        if (msg.type === 'push' || msg.type === 'lock') ctx.become('locked');
        return common(state, msg, ctx, { ...state, passed: state.passed + (msg.type === 'push' ? 1 : 0) });
      },
    },
    ...extra,
  };
}

function common(state: Turnstile, msg: Msg, ctx: { behavior: Mode; reply(value: unknown): boolean; stop(): void }, next: Turnstile): Turnstile {
  if (msg.type === 'where') ctx.reply({ behavior: ctx.behavior, ...state });
  if (msg.type === 'explode') throw new Error('boom');
  if (msg.type === 'stop') ctx.stop();
  return msg.type === 'where' ? state : next;
}

async function where(kit: TestKit, ref: ActorRef<Msg>): Promise<{ behavior: Mode } & Turnstile> {
  const reply = ref.ask<{ behavior: Mode } & Turnstile>({ type: 'where' }, { timeoutMs: Infinity });
  await kit.settle();
  return reply;
}

describe('defineBehaviors', () => {
  it('starts in initialBehavior and handles each message with the handler of the current behaviour', async () => {
    const kit = createTestKit();
    const ref = kit.system.spawn(defineBehaviors(turnstile()));
    for (const msg of [{ type: 'push' }, { type: 'unlock', code: 42 }, { type: 'push' }, { type: 'push' }] as const) ref.tell(msg);
    expect(await where(kit, ref)).toEqual({ behavior: 'locked', passed: 1, refused: 2 });
    ref.tell({ type: 'unlock', code: 42 });
    expect(await where(kit, ref)).toMatchObject({ behavior: 'unlocked' });
    await kit.shutdown();
  });

  it('types become to the declared names', () => {
    defineBehaviors<null, string, 'a' | 'b'>({
      initialState: () => null,
      initialBehavior: 'a',
      behaviors: {
        a(state, _msg, ctx) {
          ctx.become('b');
          // @ts-expect-error: 'c' is not a behaviour of this actor
          if (ctx.behavior === 'c') ctx.become('c');
          return state;
        },
        b: (state) => state,
      },
    });
  });

  it('calls the handlers as methods of the behaviors object, and the hooks with the behaviour context', async () => {
    const seen: string[] = [];
    const kit = createTestKit();
    const ref = kit.system.spawn(
      defineBehaviors<null, 'go', 'one' | 'two'>({
        initialState: () => null,
        initialBehavior: 'one',
        behaviors: {
          one(state, _msg, ctx) {
            seen.push(`one:${typeof this}`);
            ctx.become('two');
            return state;
          },
          two: (state) => state,
        },
        started(_state, ctx) {
          seen.push(`started:${ctx.behavior}`);
        },
        stopping(_state, ctx) {
          seen.push(`stopping:${ctx.behavior}`);
        },
      }),
    );
    ref.tell('go');
    await kit.settle();
    await kit.shutdown();
    expect(seen).toEqual(['started:one', 'one:object', 'stopping:two']);
  });

  it('fails the handler that becomes a behaviour the definition does not have', async () => {
    const kit = createTestKit();
    const ref = kit.system.spawn(
      defineBehaviors<null, string, 'only'>({
        initialState: () => null,
        initialBehavior: 'only',
        behaviors: {
          only(state, msg, ctx) {
            ctx.become(msg as 'only');
            return state;
          },
        },
      }),
      { supervision: { decide: () => 'resume' } },
    );
    ref.tell('elsewhere');
    await kit.settle();
    const [letter] = kit.deadLetters;
    expect(letter).toMatchObject({ reason: 'handler-failed', message: 'elsewhere' });
    expect(letter?.error).toBeInstanceOf(InvalidOptionError);
    expect((letter?.error as InvalidOptionError).message).toBe('Expected `ctx.become(name)` to be one of \'only\', got `"elsewhere"`');
    await kit.shutdown();
  });

  it('undoes the become of a handler that throws', async () => {
    const kit = createTestKit();
    const ref = kit.system.spawn(
      defineBehaviors(
        turnstile({
          behaviors: {
            ...turnstile().behaviors,
            locked(state, msg, ctx) {
              ctx.become('unlocked');
              if (msg.type === 'explode') throw new Error('boom');
              ctx.become('locked');
              return common(state, msg, ctx, state);
            },
          },
        }),
      ),
      { supervision: { decide: () => 'resume' } },
    );
    ref.tell({ type: 'explode' });
    expect(await where(kit, ref)).toMatchObject({ behavior: 'locked' });
    await kit.shutdown();
  });

  it('comes back from a restart in the behaviour of the snapshot, and goes on from there as the messages processed again did', async () => {
    const kit = createTestKit();
    // Snapshots every 100 messages: the restart rolls back to the start and processes both messages again.
    const ref = kit.system.spawn(defineBehaviors(turnstile()), { snapshot: { everyMessages: 100 }, supervision: { maxRetries: 1 } });
    ref.tell({ type: 'unlock', code: 42 });
    ref.tell({ type: 'explode' }); // fails once in `unlocked`, poison at once: dropped
    expect(await where(kit, ref)).toEqual({ behavior: 'unlocked', passed: 0, refused: 0 });
    expect(kit.events.find((event) => event.type === 'poison-message')).toBeDefined();
    await kit.shutdown();
  });

  it('runs started after a restart in the restored behaviour', async () => {
    const behaviors: string[] = [];
    const kit = createTestKit();
    const ref = kit.system.spawn(
      defineBehaviors(
        turnstile({
          started: (_state, ctx) => void behaviors.push(ctx.behavior),
        }),
      ),
    );
    ref.tell({ type: 'unlock', code: 42 });
    ref.tell({ type: 'explode' });
    await kit.settle();
    // Two restarts: after the first and the second failure; the third makes it poison.
    expect(behaviors).toEqual(['locked', 'unlocked', 'unlocked']);
    await kit.shutdown();
  });

  it('starts a fresh incarnation (a permanent actor that stopped itself) in initialBehavior', async () => {
    const kit = createTestKit();
    const ref = kit.system.spawn(defineBehaviors(turnstile()), { supervision: { restart: 'permanent' } });
    ref.tell({ type: 'unlock', code: 42 });
    ref.tell({ type: 'stop' });
    expect(await where(kit, ref)).toEqual({ behavior: 'locked', passed: 0, refused: 0 });
    await kit.shutdown();
  });

  it('keeps its behaviours through withFaults', async () => {
    const kit = createTestKit();
    const ref = kit.system.spawn(withFaults(defineBehaviors(turnstile()), []));
    ref.tell({ type: 'unlock', code: 42 });
    expect(await where(kit, ref)).toMatchObject({ behavior: 'unlocked' });
    await kit.shutdown();
  });

  describe('with a snapshot store', () => {
    /** A store holding the final snapshot of a turnstile stopped while unlocked. */
    async function savedUnlocked(): Promise<MemorySnapshotStore> {
      const store = new MemorySnapshotStore();
      const kit = createTestKit();
      kit.system.spawn(defineBehaviors(turnstile()), { snapshot: { store, key: 'gate' } }).tell({ type: 'unlock', code: 42 });
      await kit.settle();
      await kit.shutdown();
      return store;
    }

    it('saves the behaviour with the state and starts in it again', async () => {
      const store = await savedUnlocked();

      const second = createTestKit();
      const after = second.system.spawn(defineBehaviors(turnstile()), { snapshot: { store, key: 'gate' } });
      expect(await where(second, after)).toEqual({ behavior: 'unlocked', passed: 0, refused: 0 });
      await second.shutdown();
    });

    it('refuses a snapshot saved in a behaviour the definition no longer has', async () => {
      const store = await savedUnlocked();

      const second = createTestKit();
      const renamed = defineBehaviors<Turnstile, Msg, 'closed' | 'open'>({
        initialState: () => ({ passed: 0, refused: 0 }),
        initialBehavior: 'closed',
        behaviors: { closed: (state) => state, open: (state) => state },
      });
      const after = second.system.spawn(renamed, { snapshot: { store, key: 'gate' } });
      await second.settle();
      const failed = second.events.find((event): event is HookFailedEvent => event.type === 'hook-failed');
      expect(failed).toMatchObject({ hook: 'restore' });
      expect((failed?.error as Error).message).toBe(
        "Snapshot 2 of gate was saved in behaviour \"unlocked\", which the actor's definition does not have (it has 'closed', 'open')",
      );
      expect(after.status).toBe('stopped');
      await second.shutdown();
    });
  });

  describe('validation', () => {
    const base = { initialState: () => null, initialBehavior: 'a' };
    it.each([
      ['behaviors', { ...base, behaviors: undefined }],
      ['behaviors', { ...base, behaviors: {} }],
      ['behaviors.a', { ...base, behaviors: { a: 'not a function' } }],
      ['initialBehavior', { ...base, initialBehavior: 'z', behaviors: { a: (s: null): null => s } }],
      ['initialState', { initialBehavior: 'a', behaviors: { a: (s: null): null => s } }],
    ])('names %s when it is wrong', (option, definition) => {
      expectInvalidOption(() => defineBehaviors(definition as never), option);
    });
  });
});
