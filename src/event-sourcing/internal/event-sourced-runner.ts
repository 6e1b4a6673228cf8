/**
 * The life of one event-sourced actor, driven by the actor runtime through an ordinary definition
 * (`started`, `receive`, `restarting`, `stopping`). It is the actor's runtime state: one object per
 * actor, made by `initialState()`, whose state proper changes only between commands. It owns:
 * 1. recovery, at start, after a restart, and before the next command after a failed write;
 * 2. commands: the handler's events applied ahead (so an `apply` that throws writes nothing),
 *    appended, and only then made the state, before `afterPersist` runs;
 * 3. the retry rule: a command that failed once its events were handed to the journal is, when the
 *    runtime processes it again after a restart, not persisted again if the journal has its events;
 * 4. the snapshot keeper and the journal log, released before the next recovery and at stop.
 *
 * Why the retry rule holds: the runtime keeps an event-sourced actor's restart point after every
 * message (spawn refuses snapshot options, see `self-persisting.ts`), so the first message a
 * restart processes is the one that failed. A persistence id has one writer, and an append is all
 * or nothing, so the journal holding an event at the failed append's first sequence number means
 * it holds that append.
 */
import type { ActorContext } from '../../actors/context.js';
import { emitFor } from '../../actors/internal/self-persisting.js';
import { EventPersistError, InvalidOptionError } from '../../errors.js';
import { ignore } from '../../internal/ignore.js';
import type { SnapshotStore } from '../../state/snapshot-store.js';
import type { EventJournal, EventLog } from '../event-journal.js';
import type { EventSourcedContext, EventSourcedHolder, CommandResult } from '../event-sourced-actor.js';
import { eventSourcedContext } from './event-sourced-context.js';
import { effectOf, type PersistEffect } from './persist-effect.js';
import { recoverEvents } from './recover-events.js';
import { SnapshotKeeper } from './snapshot-keeper.js';

/** A definition's options, checked, with its functions bound. */
export interface EventSourcedSpec<TState, TCommand, TEvent> {
  readonly persistenceId: string | undefined;
  readonly initialState: () => TState;
  readonly command: (
    state: TState,
    command: TCommand,
    ctx: EventSourcedContext<TCommand, TState, TEvent>,
  ) => CommandResult<TEvent, TState> | Promise<CommandResult<TEvent, TState>>;
  readonly apply: (state: TState, event: TEvent) => TState;
  readonly journal: EventJournal<TEvent>;
  readonly snapshots: { readonly store: SnapshotStore; readonly every: number; readonly deleteEvents: boolean } | undefined;
  readonly recovered: ((state: TState, ctx: EventSourcedContext<TCommand, TState, TEvent>) => void | Promise<void>) | undefined;
  readonly stopping: ((state: TState, ctx: ActorContext<TCommand>) => void | Promise<void>) | undefined;
}

/**
 * `'unrecovered'`: spawned, or released for a restart; `'live'`: recovered, takes commands;
 * `'in-doubt'`: a write failed, so what the journal holds is unknown until the next recovery.
 */
type RunnerPhase = 'unrecovered' | 'live' | 'in-doubt';

export class EventSourcedRunner<TState, TCommand, TEvent> implements EventSourcedHolder<TState> {
  readonly #spec: EventSourcedSpec<TState, TCommand, TEvent>;
  #phase: RunnerPhase = 'unrecovered';
  #state: TState;
  #lastSequence = 0;
  #persistenceId: string | undefined;
  #context: EventSourcedContext<TCommand, TState, TEvent> | undefined;
  #log: EventLog<TEvent> | undefined;
  #keeper: SnapshotKeeper | undefined;
  /** The release of the last log and keeper; a recovery waits for it. */
  #released: Promise<void> = Promise.resolve();
  /** The last command failed, with `error`, after handing the events from `from` on to the journal. */
  #failed: { readonly from: number; readonly error: unknown } | undefined;
  /** Set at a restart caused by `#failed`: the recovery after it looks for that event. */
  #lookFor: number | undefined;
  /** `ctx.snapshot()` calls of the command (or `recovered`) in progress: taken once it has succeeded. */
  #snapshotRequests: { readonly resolve: () => void; readonly reject: (error: unknown) => void }[] = [];
  /** The failed command's events (from `from` on) are in the journal: its retry runs on `state` and writes nothing. */
  #retry: { readonly state: TState; readonly from: number } | undefined;

  constructor(spec: EventSourcedSpec<TState, TCommand, TEvent>) {
    this.#spec = spec;
    this.#state = spec.initialState();
  }

  get state(): TState {
    return this.#state;
  }

  get lastSequence(): number {
    return this.#lastSequence;
  }

  /** `started`: recovers, then runs `recovered`. */
  async started(ctx: ActorContext<TCommand>): Promise<void> {
    await this.#recover(ctx);
  }

  /**
   * `restarting`: the log is released, and when the restart is for the command that failed after
   * handing its events to the journal (the error is the one it failed with, not a sibling's whose
   * restart took this actor along), the next recovery looks for those events.
   */
  async restarting(cause: unknown): Promise<void> {
    const failed = this.#failed;
    this.#lookFor = failed !== undefined && failed.error === cause ? failed.from : undefined;
    this.#failed = undefined;
    this.#phase = 'unrecovered';
    await this.#release();
  }

  /** `stopping`: releases the log (once a snapshot under way is saved), then runs the definition's `stopping`. */
  async stopping(ctx: ActorContext<TCommand>): Promise<void> {
    this.#phase = 'unrecovered';
    await this.#release();
    await this.#spec.stopping?.(this.#state, ctx);
  }

  /** `receive`: one command, synchronously when it persists nothing. */
  handle(command: TCommand, ctx: ActorContext<TCommand>): this | Promise<this> {
    if (this.#phase !== 'live') return this.#recoverThenHandle(command, ctx);
    // Only a restart reads `#failed`, and it comes between the failure and the next command.
    this.#failed = undefined;
    const retry = this.#retry;
    this.#retry = undefined;
    const context = this.#contextFor(ctx);
    let outcome: this | Promise<this>;
    try {
      const result = this.#spec.command(retry?.state ?? this.#state, command, context);
      outcome =
        result instanceof Promise ? result.then((settled) => this.#carryOut(effectOf(settled), retry?.from)) : this.#carryOut(effectOf(result), retry?.from);
    } catch (error) {
      this.#settleSnapshotRequests(error);
      throw error;
    }
    if (!(outcome instanceof Promise)) {
      this.#settleSnapshotRequests(undefined);
      return outcome;
    }
    return outcome.then(
      (done) => {
        this.#settleSnapshotRequests(undefined);
        return done;
      },
      (error: unknown) => {
        this.#settleSnapshotRequests(error);
        throw error;
      },
    );
  }

  /**
   * `ctx.snapshot()`: a snapshot of the state once the command (or `recovered`) in progress has
   * succeeded — so it never holds the events of a command that may be retried.
   */
  #requestSnapshot(): Promise<void> {
    if (this.#spec.snapshots === undefined) {
      return Promise.reject(new InvalidOptionError('snapshots', 'a SnapshotStore for ctx.snapshot() to save to', undefined));
    }
    return new Promise<void>((resolve, reject) => this.#snapshotRequests.push({ resolve, reject }));
  }

  /** The command in progress ended: its snapshot requests are saved (`failure` undefined) or fail with it. */
  #settleSnapshotRequests(failure: unknown): void {
    if (this.#snapshotRequests.length === 0) return;
    const requests = this.#snapshotRequests.splice(0);
    const keeper = this.#keeper;
    const saved = failure === undefined && keeper !== undefined ? keeper.request(this.#lastSequence, this.#state) : Promise.reject(failure);
    for (const { resolve, reject } of requests) saved.then(resolve, reject);
  }

  async #recoverThenHandle(command: TCommand, ctx: ActorContext<TCommand>): Promise<this> {
    await this.#recover(ctx);
    return this.handle(command, ctx);
  }

  /** Persists the effect's events, or — for a retried command, whose events from `retriedFrom` on are in the journal and the state already — only runs what follows them. */
  #carryOut(effect: PersistEffect<TEvent, TState>, retriedFrom: number | undefined): this | Promise<this> {
    if (retriedFrom !== undefined) {
      this.#afterPersist(effect, retriedFrom);
      return this;
    }
    if (effect.events.length === 0) {
      effect.afterPersist?.(this.#state);
      return this;
    }
    return this.#persist(effect);
  }

  /** Runs `afterPersist` on the state; a throw is remembered as a failure after events from `from` on were durable. */
  #afterPersist({ afterPersist }: PersistEffect<TEvent, TState>, from: number): void {
    try {
      afterPersist?.(this.#state);
    } catch (error) {
      this.#failed = { from, error };
      throw error;
    }
  }

  async #persist(effect: PersistEffect<TEvent, TState>): Promise<this> {
    const { events } = effect;
    let next = this.#state;
    for (const event of events) next = this.#spec.apply(next, event);
    const log = this.#log as EventLog<TEvent>;
    const from = this.#lastSequence + 1;
    try {
      await log.append(events);
    } catch (cause) {
      this.#phase = 'in-doubt';
      void this.#release();
      const error = new EventPersistError(log.persistenceId, from, events.length, cause);
      this.#failed = { from, error };
      throw error;
    }
    this.#state = next;
    this.#lastSequence = from + events.length - 1;
    this.#afterPersist(effect, from);
    // After `afterPersist`: a snapshot never holds the events of a command that may be retried.
    this.#keeper?.persisted(this.#lastSequence, next);
    return this;
  }

  /** Opens the log and recovers the state the journal (and the newest snapshot) hold, then runs `recovered`. */
  async #recover(ctx: ActorContext<TCommand>): Promise<void> {
    await this.#released;
    const spec = this.#spec;
    const id = (this.#persistenceId ??= spec.persistenceId ?? ctx.self.path);
    const started = ctx.clock.now();
    const log = await spec.journal.open(id);
    const lookFor = this.#lookFor;
    this.#lookFor = undefined;
    let recovered;
    try {
      recovered = await recoverEvents({ log, snapshots: spec.snapshots?.store, initialState: spec.initialState, apply: spec.apply, keepBefore: lookFor });
    } catch (error) {
      await log.close().catch(ignore);
      throw error;
    }
    const { state, sequence, snapshotSequence, replayed, skipped, before } = recovered;
    this.#log = log;
    this.#state = state;
    this.#lastSequence = sequence;
    this.#retry = before === undefined || lookFor === undefined ? undefined : { state: before.state, from: lookFor };
    const emit = (event: Parameters<typeof emitFor>[1]): void => emitFor(ctx as ActorContext<unknown>, event);
    const snapshots = spec.snapshots;
    this.#keeper =
      snapshots === undefined
        ? undefined
        : new SnapshotKeeper({ ...snapshots, log: log as EventLog<unknown>, restored: snapshotSequence ?? 0, clock: ctx.clock, emit });
    this.#phase = 'live';
    emit({ type: 'events-recovered', persistenceId: id, snapshotSequence, replayed, sequence, skipped, durationMs: ctx.clock.now() - started });
    try {
      await spec.recovered?.(state, this.#contextFor(ctx));
    } catch (error) {
      this.#settleSnapshotRequests(error);
      throw error;
    }
    this.#settleSnapshotRequests(undefined);
  }

  /** Lets the snapshot under way finish, then closes the log; recoveries wait for this. */
  #release(): Promise<void> {
    const log = this.#log;
    const keeper = this.#keeper;
    this.#log = undefined;
    this.#keeper = undefined;
    const previous = this.#released;
    this.#released = (async () => {
      await previous;
      await keeper?.settle();
      // A log that failed a write may fail to close too; it holds nothing more to lose.
      await log?.close().catch(ignore);
    })();
    return this.#released;
  }

  #contextFor(ctx: ActorContext<TCommand>): EventSourcedContext<TCommand, TState, TEvent> {
    this.#context ??= eventSourcedContext<TCommand, TState, TEvent>(ctx, {
      persistenceId: () => this.#persistenceId ?? ctx.self.path,
      lastSequence: () => this.#lastSequence,
      snapshot: () => this.#requestSnapshot(),
    });
    return this.#context;
  }
}
