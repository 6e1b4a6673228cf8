import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  InvalidOptionError,
  KeyedState,
  createSystem,
  defineActor,
  type ActorDefinition,
  type Clock,
  type SpawnOptions,
  type StateMigration,
  type SystemOptions,
} from '../../src/index.js';
import { counter, expectInvalidOption, useSystems } from './helpers.js';

const newSystem = useSystems();

/** Lets a test hand the runtime a value its types would refuse. */
function untyped<T>(value: unknown): T {
  return value as T;
}

const receive = (state: number): number => state;
const initialState = (): number => 0;

describe('defineActor', () => {
  it('returns a frozen copy that later changes to the input do not reach', () => {
    const input = { initialState, receive };
    const definition = defineActor<number, never>(input);
    expect(Object.isFrozen(definition)).toBe(true);
    expect(definition).not.toBe(input);
    input.receive = () => 42;
    expect(definition.receive(0, untyped<never>('m'), untyped({}))).toBe(0);
  });

  it('accepts a hook set to undefined', () => {
    const definition = defineActor<number, never>(untyped({ initialState, receive, started: undefined }));
    expect(definition.started).toBeUndefined();
  });

  it.each([
    ['receive', 'missing', { initialState }],
    ['receive', 'a number', { initialState, receive: 42 }],
    ['receive', 'a string', { initialState, receive: 'receive' }],
    ['initialState', 'missing', { receive }],
    ['initialState', 'not a function', { initialState: 0, receive }],
    ['started', 'not a function', { initialState, receive, started: 'yes' }],
    ['stopping', 'not a function', { initialState, receive, stopping: {} }],
    ['restarting', 'not a function', { initialState, receive, restarting: 1 }],
    ['stateVersion', '0', { initialState, receive, stateVersion: 0 }],
    ['stateVersion', 'negative', { initialState, receive, stateVersion: -2 }],
    ['stateVersion', 'a fraction', { initialState, receive, stateVersion: 1.5 }],
    ['stateVersion', 'NaN', { initialState, receive, stateVersion: Number.NaN }],
    ['stateVersion', 'Infinity', { initialState, receive, stateVersion: Infinity }],
    ['stateVersion', 'past the safe integers', { initialState, receive, stateVersion: 2 ** 53 }],
    ['stateVersion', 'a string', { initialState, receive, stateVersion: '2' }],
    ['migrate', 'not a function', { initialState, receive, stateVersion: 2, migrate: 'up' }],
    ['migrate', 'given without a stateVersion (so at version 1)', { initialState, receive, migrate: receive }],
    ['migrate', 'given at stateVersion 1', { initialState, receive, stateVersion: 1, migrate: receive }],
  ])('throws InvalidOptionError naming `%s` when it is %s', (option, _what, definition) => {
    const error = expectInvalidOption(() => defineActor(untyped<ActorDefinition<number, never>>(definition)), option);
    expect(error.received).toBe((definition as Record<string, unknown>)[option]);
  });

  it('types migrate per entry for KeyedState and whole for other state, the old state as unknown', () => {
    expectTypeOf<StateMigration<KeyedState<number, string>>>().toEqualTypeOf<(value: unknown, fromVersion: number, key: number) => string>();
    expectTypeOf<StateMigration<{ n: number }>>().toEqualTypeOf<(state: unknown, fromVersion: number, key: string) => { n: number }>();
    const keyed = defineActor({
      initialState: () => new KeyedState<string, number>(),
      receive: (state: KeyedState<string, number>, _message: string) => state,
      stateVersion: 2,
      migrate: (_value, _fromVersion, key) => key.length,
    });
    expectTypeOf(keyed.migrate).toEqualTypeOf<StateMigration<KeyedState<string, number>> | undefined>();
  });

  it('says why a migrate at version 1 is refused', () => {
    const error = expectInvalidOption(() => defineActor<number, never>({ initialState, receive, migrate: (state) => state as number }), 'migrate');
    expect(error.message).toContain('raise `stateVersion`');
  });

  it('keeps stateVersion and migrate, and accepts a stateVersion above 1 without migrate', () => {
    const migrate = (state: unknown): number => state as number;
    expect(defineActor<number, never>({ initialState, receive, stateVersion: 3, migrate })).toMatchObject({ stateVersion: 3, migrate });
    expect(defineActor<number, never>({ initialState, receive, stateVersion: 2 }).stateVersion).toBe(2);
    expect(defineActor<number, never>({ initialState, receive, stateVersion: undefined, migrate: undefined }).stateVersion).toBeUndefined();
    const drafted = defineActor<{ n: number }, never>({
      draft: true,
      initialState: () => ({ n: 0 }),
      receive: () => undefined,
      stateVersion: 2,
      migrate: () => ({ n: 1 }),
    });
    expect(drafted.stateVersion).toBe(2);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an array', [initialState, receive]],
    ['a function', receive],
  ])('throws InvalidOptionError naming `definition` when it is %s', (_what, definition) => {
    expectInvalidOption(() => defineActor(untyped<ActorDefinition<number, never>>(definition)), 'definition');
  });
});

describe('ActorSystem', () => {
  describe('spawn', () => {
    it('throws InvalidOptionError naming `receive` for a raw object without receive, and registers nothing', () => {
      const system = newSystem();
      expectInvalidOption(() => system.spawn(untyped<ActorDefinition<number, never>>({ initialState }), { name: 'raw' }), 'receive');
      expect(system.lookup('/user/raw')).toBeUndefined();
    });

    it.each([
      ['stateVersion', { initialState, receive, stateVersion: 0 }],
      ['migrate', { initialState, receive, migrate: receive }],
    ])('throws InvalidOptionError naming `%s` for a raw object, as defineActor does', (option, definition) => {
      const system = newSystem();
      expectInvalidOption(() => system.spawn(untyped<ActorDefinition<number, never>>(definition), { name: 'raw' }), option);
      expect(system.lookup('/user/raw')).toBeUndefined();
    });

    it('checks a frozen raw object made without defineActor: only what defineActor made skips the check', () => {
      const system = newSystem();
      const frozen = Object.freeze({ initialState, receive, stateVersion: 0 });
      expectInvalidOption(() => system.spawn(untyped<ActorDefinition<number, never>>(frozen), { name: 'frozen' }), 'stateVersion');
    });

    it('gives every actor of one definition state of its own, in one system and across systems', async () => {
      const first = newSystem();
      const second = newSystem();
      const a = first.spawn(counter);
      const b = first.spawn(counter);
      const c = second.spawn(counter);
      a.tell({ type: 'inc', by: 5 });
      c.tell({ type: 'inc', by: 2 });
      const answers = await Promise.all([a, b, c].map((ref) => ref.ask<number>({ type: 'get' }, { timeoutMs: 1000 })));
      expect(answers).toEqual([5, 0, 2]);
    });

    it('accepts a raw object with the shape of a definition', async () => {
      const system = newSystem();
      const ref = system.spawn<number, string>({
        initialState,
        receive: (state, _msg, ctx) => {
          ctx.reply('raw');
          return state;
        },
      });
      await expect(ref.ask('hi')).resolves.toBe('raw');
    });

    it.each<[string, SpawnOptions]>([
      ['mailbox.capacity', { mailbox: { capacity: 0 } }],
      ['mailbox.capacity', { mailbox: { capacity: 1.5 } }],
      ['mailbox.capacity', { mailbox: { capacity: -3 } }],
      ['mailbox.capacity', { mailbox: { capacity: Number.NaN } }],
      ['mailbox.capacity', { mailbox: { capacity: Infinity } }],
      ['mailbox.capacity', { mailbox: { capacity: untyped<number>('8') } }],
      ['mailbox.overflow', { mailbox: { overflow: untyped<'fail'>('explode') } }],
      ['mailbox', { mailbox: untyped<object>(5) }],
      ['messageBudget', { messageBudget: -1 }],
      ['messageBudget', { messageBudget: 0 }],
      ['messageBudget', { messageBudget: 2.5 }],
      ['name', { name: 'a/b' }],
      ['name', { name: '' }],
      ['name', { name: 'with space' }],
      ['name', { name: untyped<string>(7) }],
      ['supervision.decide', { supervision: { decide: untyped<() => 'stop'>('restart') } }],
      ['supervision', { supervision: untyped<object>('restart') }],
      ['options', untyped<SpawnOptions>('alice')],
    ])('throws InvalidOptionError naming `%s` for %j', (option, options) => {
      const system = newSystem();
      const error = expectInvalidOption(() => system.spawn(counter, options), option);
      expect(error.name).toBe('InvalidOptionError');
    });

    it('accepts names made of letters, digits and -_.:@+', () => {
      const system = newSystem();
      const ref = system.spawn(counter, { name: 'Az09-_.:@+' });
      expect(ref.path).toBe('/user/Az09-_.:@+');
      expect(system.lookup('/user/Az09-_.:@+')).toBe(ref);
    });

    it('throws InvalidOptionError naming `name` for a name a sibling holds, and keeps the sibling', () => {
      const system = newSystem();
      const first = system.spawn(counter, { name: 'alice' });
      const error = expectInvalidOption(() => system.spawn(counter, { name: 'alice' }), 'name');
      expect(error.received).toBe('alice');
      expect(system.lookup('/user/alice')).toBe(first);
    });
  });
});

type SpawnProbe = { options: SpawnOptions };

/** Answers each probe with the path of the child it spawned, or the error spawning threw. */
const spawner = defineActor<null, SpawnProbe>({
  initialState: () => null,
  receive(state, msg, ctx) {
    try {
      ctx.reply(ctx.spawn(counter, msg.options).path);
    } catch (error) {
      ctx.reply(error);
    }
    return state;
  },
});

describe('ActorContext', () => {
  describe('spawn', () => {
    it.each<[string, SpawnOptions]>([
      ['mailbox.capacity', { mailbox: { capacity: 0 } }],
      ['mailbox.overflow', { mailbox: { overflow: untyped<'fail'>('never') } }],
      ['messageBudget', { messageBudget: 0 }],
      ['name', { name: 'x/y' }],
    ])('throws InvalidOptionError naming `%s` for %j as system.spawn does', async (option, options) => {
      const system = newSystem();
      const parent = system.spawn(spawner);
      const error = await parent.ask<unknown>({ options });
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe(option);
    });

    it('throws InvalidOptionError naming `name` for a name a sibling holds, while cousins may share it', async () => {
      const system = newSystem();
      const left = system.spawn(spawner, { name: 'left' });
      const right = system.spawn(spawner, { name: 'right' });
      await expect(left.ask({ options: { name: 'worker' } })).resolves.toBe('/user/left/worker');
      await expect(right.ask({ options: { name: 'worker' } })).resolves.toBe('/user/right/worker');
      const error = await left.ask<unknown>({ options: { name: 'worker' } });
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('name');
    });
  });
});

describe('createSystem', () => {
  it.each<[string, SystemOptions]>([
    ['askTimeoutMs', { askTimeoutMs: 0 }],
    ['askTimeoutMs', { askTimeoutMs: -5 }],
    ['askTimeoutMs', { askTimeoutMs: Number.NaN }],
    ['dispatcher.turnBudgetMs', { dispatcher: { turnBudgetMs: -1 } }],
    ['dispatcher.turnBudgetMs', { dispatcher: { turnBudgetMs: 0 } }],
    ['dispatcher.messageBudget', { dispatcher: { messageBudget: 0 } }],
    ['dispatcher.messageBudget', { dispatcher: { messageBudget: 1.5 } }],
    ['dispatcher', { dispatcher: untyped<object>('fast') }],
    ['signal', { signal: untyped<AbortSignal>({ aborted: false }) }],
    ['signal', { signal: untyped<AbortSignal>(new AbortController()) }],
    ['name', { name: '' }],
    ['deadLetterBuffer', { deadLetterBuffer: 0 }],
    ['shutdown', { shutdown: untyped<object>(true) }],
    ['options', untyped<SystemOptions>('sluice')],
  ])('throws InvalidOptionError naming `%s` for %j', (option, options) => {
    expectInvalidOption(() => createSystem(options), option);
  });

  it('throws InvalidOptionError naming `shutdown.drain` for a drain that is not a boolean', () => {
    // Checked only when a shutdown runs, the bad value would surface as an uncaught throw from the
    // signal's abort listener, leaving the system running.
    expectInvalidOption(() => createSystem({ signal: new AbortController().signal, shutdown: { drain: untyped<boolean>('yes') } }), 'shutdown.drain');
  });

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['a number', 5],
    ['an object without timers', { now: () => 0 }],
  ])('throws InvalidOptionError naming `clock` for %s', (_what, clock) => {
    expectInvalidOption(() => createSystem({ clock: untyped<Clock>(clock) }), 'clock');
  });

  it('accepts Infinity for askTimeoutMs and dispatcher.turnBudgetMs', async () => {
    const system = newSystem({ askTimeoutMs: Infinity, dispatcher: { turnBudgetMs: Infinity } });
    const ref = system.spawn(counter);
    ref.tell({ type: 'inc' });
    await expect(ref.ask({ type: 'get' })).resolves.toBe(1);
  });
});
