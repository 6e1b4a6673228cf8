/**
 * Event-sourced actors: an actor whose state is the fold of its events. A command handler decides
 * which events a command leads to; they are appended to a journal, and only once the journal has
 * them durably does `apply` fold them into the state and the command's reply run. Recovery — at
 * start, after a restart, after a failed write — loads the newest snapshot and applies every event
 * after it, so the state is exactly what the journal acknowledged.
 *
 * This module holds the types and the factory; the machinery is in `internal/`: the runner (the
 * actor's life: recovery, commands, persists, and a retry that never writes twice) in
 * `event-sourced-runner.ts`, recovery in `recover-events.ts`, snapshots and deletion in
 * `snapshot-keeper.ts`.
 */
import type { ActorDefinition } from '../actors/behavior.js';
import { defineActor } from '../actors/behavior.js';
import type { ActorContext } from '../actors/context.js';
import { markSelfPersisting } from '../actors/internal/self-persisting.js';
import { InvalidOptionError } from '../errors.js';
import { boolean, isFunction, isObject, positiveInteger, withDefault } from '../internal/validate.js';
import { checkSnapshotStore } from '../state/snapshot-checks.js';
import type { SnapshotStore } from '../state/snapshot-store.js';
import type { EventJournal } from './event-journal.js';
import { EventSourcedRunner, type EventSourcedSpec } from './internal/event-sourced-runner.js';
import { checkPersistenceId } from './internal/log-checks.js';

/**
 * Events to persist, and what to run once they are durable and applied (`ctx.persist`'s value).
 * Return it from `command`.
 */
export interface Persist<TEvent, TState> {
  readonly events: readonly TEvent[];
  /** Runs with the state after the events, once they are in the journal: reply, tell, spawn here. */
  readonly afterPersist: ((state: TState) => void) | undefined;
}

/**
 * What `command` returns: `ctx.persist(events, afterPersist)`, a plain array of events (persisted,
 * with nothing to run after), or nothing (no event: a query, or a command refused).
 */
export type CommandResult<TEvent, TState> = Persist<TEvent, TState> | readonly TEvent[] | undefined | void;

/**
 * The context of an event-sourced actor's handlers: an actor's context, plus its persistence id,
 * where its log stands, and `persist`.
 */
export interface EventSourcedContext<TCommand, TState, TEvent> extends ActorContext<TCommand> {
  /** The id its events and snapshots are kept under. */
  readonly persistenceId: string;
  /** The sequence number of the last event applied to the state: 0 before the first. */
  readonly lastSequence: number;
  /**
   * The effect that persists `events` (in this order, all or nothing) and then, with the state
   * after them, runs `afterPersist`. Return it from `command`; calling it does nothing by itself.
   * @throws InvalidOptionError naming `events` (not an array) or `afterPersist` (not a function).
   */
  persist(events: readonly TEvent[], afterPersist?: (state: TState) => void): Persist<TEvent, TState>;
  /**
   * Saves a snapshot (to `snapshots`) of the state as it is once the command — or `recovered` —
   * in progress has succeeded, and resolves when it is durable. It never holds the events of a
   * command that fails, and it waits for the handler to end: do not await it inside the handler.
   * @throws (rejects) InvalidOptionError naming `snapshots` when the definition has none; the
   *   handler's error when the command fails; the store's error.
   */
  snapshot(): Promise<void>;
}

/** Options of {@link defineEventSourcedActor}. */
export interface EventSourcedActorOptions<TState, TCommand, TEvent> {
  /**
   * The id its events and snapshots are kept under: one actor at a time may use it. Give an id
   * that names the entity (`account-7`) so it stays the same wherever the actor is spawned.
   * @defaultValue the actor's path, e.g. `/user/account-7`
   */
  readonly persistenceId?: string | undefined;
  /** The state before the first event. */
  initialState(): TState;
  /**
   * Decides what a command leads to. It sees the state as it is (read-only) and returns the
   * events to persist — `ctx.persist(events, afterPersist)` or a plain array — or nothing. It may
   * be async. The actor takes no other command until the events are persisted and applied.
   * A throw fails the actor (its supervision decides), with nothing persisted.
   */
  command(
    state: TState,
    command: TCommand,
    ctx: EventSourcedContext<TCommand, TState, TEvent>,
  ): CommandResult<TEvent, TState> | Promise<CommandResult<TEvent, TState>>;
  /**
   * Folds one event into the state and returns the new state. It must be pure — no I/O, clock,
   * randomness or mutation of the old state — and never throw on an event it once accepted:
   * recovery runs it again on every stored event and must reach the same state.
   */
  apply(state: TState, event: TEvent): TState;
  /** Where the events go: `FileEventJournal`, `MemoryEventJournal`, `PostgresEventJournal`, or your own. */
  readonly journal: EventJournal<TEvent>;
  /**
   * Where snapshots go (`MemorySnapshotStore`, `FileSnapshotStore`, `PostgresSnapshotStore`), so a
   * recovery applies only the events after the newest one. The state must be encodable by the
   * store (msgpack for the file and PostgreSQL stores).
   * @defaultValue undefined (no snapshots: recovery applies every event)
   */
  readonly snapshots?: SnapshotStore | undefined;
  /**
   * Save a snapshot after this many events since the last one. Needs `snapshots`.
   * @defaultValue 1000 (with `snapshots`)
   */
  readonly snapshotEvery?: number | undefined;
  /**
   * Once a snapshot is saved, delete the events up to the snapshot before it (the journal may keep
   * some: the file journal deletes whole segment files). Needs `snapshots`.
   * @defaultValue false
   */
  readonly deleteEvents?: boolean | undefined;
  /** Runs after every recovery (at start, after a restart), before the next command. Throwing stops the actor. */
  recovered?(state: TState, ctx: EventSourcedContext<TCommand, TState, TEvent>): void | Promise<void>;
  /** Runs when the actor stops, after its children have stopped and its journal log was released. */
  stopping?(state: TState, ctx: ActorContext<TCommand>): void | Promise<void>;
}

/**
 * What an event-sourced actor holds as its runtime state, as `ActorDefinition` sees it. The state
 * proper is `state`; nothing outside the actor should rely on the holder.
 */
export interface EventSourcedHolder<TState> {
  /** The state after event `lastSequence`. */
  readonly state: TState;
  /** The sequence number of the last event applied: 0 before the first. */
  readonly lastSequence: number;
}

/** An event-sourced actor's definition: spawned like any other, taking `TCommand` messages. */
export type EventSourcedActorDefinition<TState, TCommand> = ActorDefinition<EventSourcedHolder<TState>, TCommand>;

const DEFAULT_SNAPSHOT_EVERY = 1000;

/**
 * Checks and freezes an event-sourced actor's definition. Spawn it as any actor, without
 * `snapshot` options (its snapshots are `snapshots` and `snapshotEvery` here).
 *
 * - A command's events are appended to the journal before anything else happens; once the journal
 *   has them durably, they are applied and `afterPersist` runs (a reply sent there says "done and
 *   durable"). Commands are handled one at a time: one that arrives while a persist is in flight
 *   waits in the mailbox.
 * - A failed append fails the actor with `EventPersistError`: nothing is applied or replied, and
 *   supervision decides. Whether the events reached the journal is found out by recovering again
 *   before the next command; a command processed again after a restart whose events did reach the
 *   journal is not persisted twice: `command` runs on the state it first saw, only its
 *   `afterPersist` runs, on the state the journal holds.
 * - Recovery runs at start and after every restart: the newest intact snapshot, then every event
 *   after it. If it cannot be exact (`EventRecoveryError`), the actor stops.
 *
 * @throws InvalidOptionError naming `options`, `initialState`, `command`, `apply`, `journal`,
 *   `persistenceId`, `snapshots`, `snapshotEvery` (not a positive integer, or without `snapshots`),
 *   `deleteEvents` (not a boolean, or without `snapshots`), `recovered` or `stopping`.
 * @example
 * ```ts
 * type Command = { type: 'deposit'; amount: number } | { type: 'balance' };
 * type Event = { type: 'deposited'; amount: number };
 *
 * const account = defineEventSourcedActor<number, Command, Event>({
 *   persistenceId: 'account-7',
 *   journal: new FileEventJournal({ dir: './state/events' }),
 *   initialState: () => 0,
 *   command(balance, command, ctx) {
 *     if (command.type === 'balance') return void ctx.reply(balance);
 *     return ctx.persist([{ type: 'deposited', amount: command.amount }], (next) => ctx.reply(next));
 *   },
 *   apply: (balance, event) => balance + event.amount,
 * });
 * const ref = system.spawn(account, { name: 'account-7' });
 * await ref.ask({ type: 'deposit', amount: 5 }); // 5, once the event is fsync'd
 * ```
 */
export function defineEventSourcedActor<TState, TCommand, TEvent>(
  options: EventSourcedActorOptions<TState, TCommand, TEvent>,
): EventSourcedActorDefinition<TState, TCommand> {
  const spec = resolveSpec(options);
  const definition: ActorDefinition<EventSourcedRunner<TState, TCommand, TEvent>, TCommand> = {
    initialState: () => new EventSourcedRunner(spec),
    receive: (runner, command, ctx) => runner.handle(command, ctx),
    started: (runner, ctx) => runner.started(ctx),
    restarting: (runner, error) => runner.restarting(error),
    stopping: (runner, ctx) => runner.stopping(ctx),
  };
  return defineActor(markSelfPersisting(definition, 'an event-sourced actor'));
}

function resolveSpec<TState, TCommand, TEvent>(options: EventSourcedActorOptions<TState, TCommand, TEvent>): EventSourcedSpec<TState, TCommand, TEvent> {
  isObject('options', options);
  const { persistenceId, initialState, command, apply, journal, snapshots, recovered, stopping } = options;
  isFunction('initialState', initialState);
  isFunction('command', command);
  isFunction('apply', apply);
  if (typeof journal !== 'object' || journal === null || typeof (journal as Partial<EventJournal<TEvent>>).open !== 'function') {
    throw new InvalidOptionError('journal', 'an EventJournal (with open)', journal);
  }
  if (persistenceId !== undefined) checkPersistenceId(persistenceId);
  if (snapshots !== undefined) checkSnapshotStore('snapshots', snapshots);
  const snapshotEvery = withDefault(options.snapshotEvery, DEFAULT_SNAPSHOT_EVERY, (value) => {
    if (snapshots === undefined) throw new InvalidOptionError('snapshotEvery', 'undefined without `snapshots` (a store to save them in)', value);
    return positiveInteger('snapshotEvery', value);
  });
  const deleteEvents = withDefault(options.deleteEvents, false, (value) => {
    if (snapshots === undefined)
      throw new InvalidOptionError('deleteEvents', 'undefined without `snapshots` (events are deleted only once a snapshot holds them)', value);
    return boolean('deleteEvents', value);
  });
  if (recovered !== undefined) isFunction('recovered', recovered);
  if (stopping !== undefined) isFunction('stopping', stopping);
  return Object.freeze({
    persistenceId,
    initialState: () => initialState.call(options),
    command: (state: TState, message: TCommand, ctx: EventSourcedContext<TCommand, TState, TEvent>) => command.call(options, state, message, ctx),
    apply: (state: TState, event: TEvent) => apply.call(options, state, event),
    journal,
    snapshots: snapshots === undefined ? undefined : { store: snapshots, every: snapshotEvery, deleteEvents },
    recovered: recovered === undefined ? undefined : (state: TState, ctx: EventSourcedContext<TCommand, TState, TEvent>) => recovered.call(options, state, ctx),
    stopping: stopping === undefined ? undefined : (state: TState, ctx: ActorContext<TCommand>) => stopping.call(options, state, ctx),
  });
}
