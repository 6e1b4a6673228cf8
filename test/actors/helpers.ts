/**
 * Shared test helpers: systems that shut down after each test, a counter actor, and ways to await
 * events, dead letters and notifications instead of sleeping.
 */
import { afterEach, expect } from 'vitest';
import {
  InvalidOptionError,
  createSystem,
  defineActor,
  type ActorDefinition,
  type ActorSystem,
  type DeadLetter,
  type DeadLetterReason,
  type SystemEvent,
  type SystemOptions,
} from '../../src/index.js';

/** A promise with its settle functions exposed. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Returns a `createSystem` whose systems are all shut down (and awaited) after each test of the
 * calling file.
 */
export function useSystems(): (options?: SystemOptions) => ActorSystem {
  const systems: ActorSystem[] = [];
  afterEach(async () => {
    await Promise.all(systems.splice(0).map((system) => system.shutdown()));
  });
  return (options) => {
    const system = createSystem(options);
    systems.push(system);
    return system;
  };
}

/** A queue of values a test can await one by one, whether they were pushed before or after. */
export class Inbox<T> {
  readonly items: T[] = [];
  readonly #waiters: ((value: T) => void)[] = [];
  #read = 0;

  push(value: T): void {
    this.items.push(value);
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#read++;
      waiter(value);
    }
  }

  /** The next value not yet returned by `next`. */
  next(): Promise<T> {
    if (this.#read < this.items.length) return Promise.resolve(this.items[this.#read++] as T);
    return new Promise<T>((resolve) => this.#waiters.push(resolve));
  }
}

export type CounterMsg = { type: 'inc'; by?: number } | { type: 'get' } | { type: 'fail'; error: unknown };

/** Counts `inc`s, answers `get`, throws the error of a `fail`. */
export const counter = defineActor<number, CounterMsg>({
  initialState: () => 0,
  receive(state, msg, ctx) {
    switch (msg.type) {
      case 'inc':
        return state + (msg.by ?? 1);
      case 'get':
        ctx.reply(state);
        return state;
      case 'fail':
        throw msg.error;
    }
  },
});

/**
 * Handles numbers; the handler of message 0 waits on `gate`, so a test can hold the actor in the
 * middle of an async handler. `entered` gets each message as its handler starts, `handled` as it ends.
 */
export function gatedWorker(gate: Promise<void>, entered: Inbox<number> = new Inbox(), handled: number[] = []): ActorDefinition<null, number> {
  return defineActor<null, number>({
    initialState: () => null,
    async receive(state, n) {
      entered.push(n);
      if (n === 0) await gate;
      handled.push(n);
      return state;
    },
  });
}

export type EventOf<TType extends SystemEvent['type']> = Extract<SystemEvent, { type: TType }>;

/** Every event the system publishes from now on, in order. */
export function recordEvents(system: ActorSystem): SystemEvent[] {
  const events: SystemEvent[] = [];
  system.events.subscribe((event) => events.push(event));
  return events;
}

/** The first event of `type` (matching `where`) the system publishes from now on. */
export function nextEvent<TType extends SystemEvent['type']>(
  system: ActorSystem,
  type: TType,
  where: (event: EventOf<TType>) => boolean = () => true,
): Promise<EventOf<TType>> {
  return new Promise((resolve) => {
    const unsubscribe = system.events.subscribe((event) => {
      if (event.type !== type || !where(event as EventOf<TType>)) return;
      unsubscribe();
      resolve(event as EventOf<TType>);
    });
  });
}

/** The paths of the actors whose `actor-stopped` events were recorded, in order. */
export function stoppedPaths(events: readonly SystemEvent[]): string[] {
  return events.flatMap((event) => (event.type === 'actor-stopped' ? [event.path] : []));
}

/** Every dead letter the system posts from now on, in order. */
export function recordDeadLetters(system: ActorSystem): DeadLetter[] {
  const letters: DeadLetter[] = [];
  system.deadLetters.subscribe((letter) => letters.push(letter));
  return letters;
}

/** The first dead letter with `reason` the system posts from now on. */
export function nextDeadLetter(system: ActorSystem, reason: DeadLetterReason): Promise<DeadLetter> {
  return new Promise((resolve) => {
    const unsubscribe = system.deadLetters.subscribe((letter) => {
      if (letter.reason !== reason) return;
      unsubscribe();
      resolve(letter);
    });
  });
}

/** Calls `fn` and returns the `InvalidOptionError` it throws, checking that it names `option`. */
export function expectInvalidOption(fn: () => unknown, option: string): InvalidOptionError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(InvalidOptionError);
  const error = thrown as InvalidOptionError;
  expect(error.option).toBe(option);
  expect(error.code).toBe('INVALID_OPTION');
  expect(error.message).toContain(`\`${option}\``);
  return error;
}

/**
 * Lets one dispatcher turn run. Only for checking that something did *not* happen, where there is
 * no event to await.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
