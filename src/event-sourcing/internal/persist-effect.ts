/**
 * What a command handler returns, read back into one shape: the events to persist (maybe none)
 * and what to run once they are durable and applied. `ctx.persist` builds a `PersistEffect`; a
 * plain array of events and `undefined` are the short forms.
 */
import { InvalidOptionError } from '../../errors.js';
import type { Persist } from '../event-sourced-actor.js';

/** The value `ctx.persist(events, afterPersist)` returns. */
export class PersistEffect<TEvent, TState> implements Persist<TEvent, TState> {
  readonly events: readonly TEvent[];
  readonly afterPersist: ((state: TState) => void) | undefined;

  /** @throws InvalidOptionError naming `events` (not an array) or `afterPersist` (not a function). */
  constructor(events: readonly TEvent[], afterPersist: ((state: TState) => void) | undefined) {
    if (!Array.isArray(events)) throw new InvalidOptionError('events', 'an array of events', events);
    if (afterPersist !== undefined && typeof afterPersist !== 'function') throw new InvalidOptionError('afterPersist', 'a function', afterPersist);
    this.events = events;
    this.afterPersist = afterPersist;
    Object.freeze(this);
  }
}

const NOTHING = new PersistEffect<never, never>([], undefined);

/**
 * The effect a command handler's result stands for.
 * @throws InvalidOptionError naming `command(state, command, ctx)` when the result is none of the three forms.
 */
export function effectOf<TEvent, TState>(result: unknown): PersistEffect<TEvent, TState> {
  if (result === undefined) return NOTHING as unknown as PersistEffect<TEvent, TState>;
  if (result instanceof PersistEffect) return result as PersistEffect<TEvent, TState>;
  if (Array.isArray(result)) return new PersistEffect(result as TEvent[], undefined);
  throw new InvalidOptionError('command(state, command, ctx)', 'to return an array of events, ctx.persist(events, afterPersist) or undefined', result);
}
