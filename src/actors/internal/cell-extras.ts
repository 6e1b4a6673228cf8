/**
 * The parts of an actor besides its state that its snapshots hold — its behaviour, its stash, its
 * timers and the pipes its handlers opened — kept in step for its cell. Each has a file of its own
 * (`stash-buffer.ts`, `timer-table.ts`, `pipe-book.ts`, `behavior-set.ts`); this one:
 * 1. hands the context its views (`ctx.timers`, `ctx.stash`, `ctx.pipeToSelf`, `ctx.become`);
 * 2. gives the cell what `unstashAll` put back, to take before the mailbox, and checks the messages
 *    the runtime sent the actor itself as the cell takes them;
 * 3. marks, captures and restores all four with the state, for the recovery code, and saves the
 *    behaviour and the timers with a snapshot in a store.
 *
 * The rules are the same for all four: a snapshot captures them with the state, and a restart puts
 * them back as they were then while the messages processed again redo what they did; a handler
 * that throws has done nothing to them (they go back to where it began), as it has not changed
 * plain state. The cell makes them on their first use (or at spawn, for an actor with behaviours or a
 * snapshot store): an actor that uses none of them pays nothing.
 */
import type { Clock } from '../../clock.js';
import { InvalidOptionError, MailboxOverflowError, StashOverflowError } from '../../errors.js';
import { isFunction, nonNegativeNumber, positiveNumber } from '../../internal/validate.js';
import type { OverflowPolicy } from '../../mailbox/overflow.js';
import type { ActorStash, ResolvedStashOptions } from '../stash.js';
import type { ActorTimers, TimerKey } from '../timers.js';
import { Ask } from './ask.js';
import type { BehaviorSet } from './behavior-set.js';
import type { CellReporter } from './cell-reporter.js';
import { unwrap, type Entry } from './envelope.js';
import type { ExtrasCodec, ExtrasSnapshot, RestartExtras } from './extras.js';
import { PipeBook } from './pipe-book.js';
import { PipedResult, SelfMessage, TimerMessage } from './self-messages.js';
import { StashBuffer, type StashRecord, type StashSnapshot } from './stash-buffer.js';
import { StashView } from './stash-view.js';
import { TimerTable, type SavedTimer, type TimerRecords } from './timer-table.js';

const NOTHING: readonly never[] = [];

/** What the log of entries taken keeps for an entry taken from the stash's front. */
const UNSTASHED = Object.freeze({ unstashed: true });

/** Whether `entry`, from the log of entries taken, stands for the next entry of the stash's front. */
export function isUnstashedMarker(entry: unknown): boolean {
  return entry === UNSTASHED;
}

interface Snapshot<TMessage> {
  readonly behavior: string | undefined;
  readonly stash: StashSnapshot<Entry<TMessage>> | undefined;
  readonly timers: TimerRecords<TMessage> | undefined;
  readonly pipes: ReadonlySet<string> | undefined;
  /** For a snapshot read from a store: how long each timer still has to run, by id. */
  readonly dueIn?: ReadonlyMap<string, number>;
}

/** What a snapshot store keeps: the stash and the pipes go with the process, as the mailbox does. */
interface SavedExtras {
  readonly behavior?: string;
  readonly timers?: readonly SavedTimer[];
}

/** The message a handler was handling when the extras were made, in the middle of it. */
export interface HandlingNow<TMessage> {
  readonly entry: Entry<TMessage>;
  readonly ordinal: number;
  /** The highest ordinal the actor has taken: every one up to it was handled before the extras existed. */
  readonly highest: number;
}

/** What the extras need from their actor. */
export interface ExtrasHost<TMessage> {
  readonly path: string;
  readonly clock: Clock;
  readonly report: CellReporter;
  readonly behaviors: BehaviorSet | undefined;
  readonly stash: ResolvedStashOptions;
  readonly overflow: OverflowPolicy;
  /** Whether a handler is running now (or its promise is pending). */
  handling(): boolean;
  /** Enqueues as `ref.send` does. */
  deliverOrWait(entry: SelfMessage<TMessage>): Promise<void>;
}

export class CellExtras<TMessage> implements RestartExtras<Entry<TMessage>>, ExtrasCodec {
  readonly #host: ExtrasHost<TMessage>;
  /** The stash, the timers and the pipes, made on first use (through `#stash`, `#timers`, `#pipes`). */
  #stashOf: StashBuffer<Entry<TMessage>> | undefined;
  #timersOf: TimerTable<TMessage> | undefined;
  #pipesOf: PipeBook | undefined;
  /** The actor is stopping: timers made from now on start none. */
  #stopped = false;
  #behavior: string | undefined;
  #markedBehavior: string | undefined;
  /** The stash, a timer or a pipe has been used: from now on each handler's start is marked. */
  #used = false;
  /** The entry being handled, the ordinal it was taken under, and its stash record if it came from the front. */
  #current: Entry<TMessage> | undefined;
  #currentOrdinal = 0;
  #currentRecord: StashRecord<Entry<TMessage>> | undefined;
  /** The highest ordinal handled: a lower or equal one is a message processed again. */
  #highestOrdinal = 0;
  /** Taken from the front by the cell, not yet handled. */
  #fromFront: StashRecord<Entry<TMessage>> | undefined;
  #stashedCurrent = false;
  /** Timers started and pipes opened by the current handler so far: the next one's place. */
  #effectsOfCurrent = 0;
  /** `ctx.timers` and `ctx.stash`, made on first read: most actors use neither. */
  #timersView: ActorTimers<TMessage> | undefined;
  #stashView: ActorStash | undefined;

  /**
   * @param now - the message in progress, when they are made by its handler: they start as if they
   *   had been there when it was taken (nothing to mark, since nothing was used before).
   */
  constructor(host: ExtrasHost<TMessage>, now?: HandlingNow<TMessage>) {
    this.#host = host;
    this.#behavior = host.behaviors?.initial;
    this.#markedBehavior = this.#behavior;
    if (now !== undefined) {
      this.#current = now.entry;
      this.#currentOrdinal = now.ordinal;
      this.#highestOrdinal = now.highest;
    }
  }

  /** Private methods, not getters, as in the cell (see `actor-cell.ts`). */
  #stash(): StashBuffer<Entry<TMessage>> {
    return (this.#stashOf ??= new StashBuffer(this.#host.stash.capacity));
  }

  #timers(): TimerTable<TMessage> {
    if (this.#timersOf !== undefined) return this.#timersOf;
    const timers = new TimerTable<TMessage>({ clock: this.#host.clock, deliver: (message) => this.#deliver(message) });
    if (this.#stopped) timers.stop();
    return (this.#timersOf = timers);
  }

  #pipes(): PipeBook {
    return (this.#pipesOf ??= new PipeBook());
  }

  get timers(): ActorTimers<TMessage> {
    return (this.#timersView ??= this.#makeTimersView());
  }

  get stash(): ActorStash {
    return (this.#stashView ??= this.#makeStashView());
  }

  // ─── The context's views ────────────────────────────────────────────────────────────────────

  get behavior(): string | undefined {
    return this.#behavior;
  }

  become(name: string): void {
    const behaviors = this.#host.behaviors;
    if (behaviors === undefined) throw new InvalidOptionError('ctx.become(name)', 'called by an actor made with defineBehaviors', name);
    if (!behaviors.names.includes(name)) {
      throw new InvalidOptionError('ctx.become(name)', `one of ${behaviors.names.map((n) => `'${n}'`).join(', ')}`, name);
    }
    this.#behavior = name;
  }

  pipeToSelf<TValue>(promise: PromiseLike<TValue>, onValue: (value: TValue) => TMessage, onError: (error: unknown) => TMessage): void {
    if (typeof (promise as { then?: unknown } | null)?.then !== 'function') throw new InvalidOptionError('promise', 'a promise', promise);
    isFunction('onValue', onValue);
    isFunction('onError', onError);
    const pipe = this.#effectId();
    if (pipe !== undefined) {
      this.#use();
      this.#pipes().open(pipe);
    }
    Promise.resolve(promise).then(
      (value) => this.#piped(pipe, value, () => onValue(value)),
      (error: unknown) => this.#piped(pipe, error, () => onError(error)),
    );
  }

  /** A piped promise settled with `outcome`: its mapped message goes to the mailbox. */
  #piped(pipe: string | undefined, outcome: unknown, map: () => TMessage): void {
    let message: TMessage;
    try {
      message = map();
    } catch (error) {
      // The mapping is the actor's code but runs outside its handler: nothing can retry it.
      this.#pipes().forget(pipe);
      this.#host.report.deadLetter('handler-failed', outcome, error);
      return;
    }
    void this.#deliver(new PipedResult(message, pipe));
  }

  #makeTimersView(): ActorTimers<TMessage> {
    const timers = this.#timers();
    return {
      startSingle: (key, message, delayMs) => {
        const delay = nonNegativeNumber('delayMs', delayMs);
        this.#use();
        timers.start(timerKey(key), message, delay, undefined, this.#effectId());
      },
      startPeriodic: (key, message, intervalMs) => {
        const interval = positiveNumber('intervalMs', intervalMs);
        this.#use();
        timers.start(timerKey(key), message, interval, interval, this.#effectId());
      },
      // A timer to cancel was started or restored, which marked the timers used already.
      cancel: (key) => timers.cancel(key),
      cancelAll: () => timers.cancelAll(),
      isActive: (key) => timers.isActive(key),
      activeKeys: () => timers.keys(),
    };
  }

  #makeStashView(): ActorStash {
    const add = (): boolean => this.#stashCurrent();
    const use = (): void => this.#use();
    return new StashView({ buffer: this.#stash(), add, use });
  }

  #stashCurrent(): boolean {
    const entry = this.#current;
    if (!this.#host.handling() || entry === undefined) {
      throw new InvalidOptionError('ctx.stash.add()', 'called while the actor handles a message', 'a call outside a handler');
    }
    if (this.#stashedCurrent) return true;
    this.#use();
    if (!this.#stash().add(entry)) {
      const { report, path } = this.#host;
      report.deadLetter('stash-overflow', unwrap(entry));
      if (entry instanceof Ask) entry.fail(new StashOverflowError(path, this.#stash().capacity, entry.message));
      return false;
    }
    this.#stashedCurrent = true;
    return true;
  }

  #use(): void {
    this.#used = true;
  }

  /**
   * The name of a timer start or a pipe made now: after the message being handled and the place of
   * this call among its handler's, so processing the message again makes the same names. Undefined
   * outside a handler (a lifecycle hook), where nothing is processed again.
   */
  #effectId(): string | undefined {
    return this.#host.handling() ? `${this.#currentOrdinal}.${this.#effectsOfCurrent++}` : undefined;
  }

  /** Sends the actor one of its own messages, as `send` would; what cannot be enqueued ends in dead letters. */
  #deliver(message: SelfMessage<TMessage>): Promise<void> {
    return this.#host.deliverOrWait(message).catch((error: unknown) => {
      // A stopped actor and a dropping policy have dead-lettered it already; the 'fail' policy
      // throws to a sender, and this sender is the runtime.
      if (error instanceof MailboxOverflowError && this.#host.overflow === 'fail') this.#host.report.deadLetter('dropped-newest', message.message, error);
    });
  }

  // ─── The cell's side ────────────────────────────────────────────────────────────────────────

  /** Entries put back by `unstashAll`, not taken yet (some may be given up and passed over). */
  get unstashed(): number {
    return this.#stashOf === undefined ? 0 : this.#stashOf.unstashed;
  }

  /** Takes the next entry put back, to handle now; undefined when none is left. */
  takeFront(): StashRecord<Entry<TMessage>> | undefined {
    const record = this.#stash().takeFront();
    this.#fromFront = record;
    return record;
  }

  /** A message the runtime sent the actor is taken from the mailbox: false to drop it, stale. */
  admit(message: SelfMessage<TMessage>): boolean {
    return message instanceof TimerMessage ? this.#timers().admit(message) : this.#pipes().admit((message as PipedResult<TMessage>).pipe);
  }

  /**
   * Whether `entry` is a message the runtime sent this actor that would be dropped if taken now (its
   * timer cancelled or replaced, its pipe forgotten): at a stop it is no dead letter, as it was
   * never going to be handled.
   */
  isStale(entry: Entry<TMessage>): boolean {
    if (!(entry instanceof SelfMessage)) return false;
    return entry instanceof TimerMessage ? !this.#timers().holds(entry) : !this.#pipes().isOpen((entry as PipedResult<TMessage>).pipe);
  }

  /** The handler of the entry taken last threw: undo what it did here. */
  handlerFailed(): void {
    this.#behavior = this.#markedBehavior;
    if (!this.#used) return;
    this.#stash().rewind();
    this.#timers().rewind();
    this.#pipes().rewind();
  }

  /** The actor is stopping: its timers are cancelled, and none starts again. */
  stop(): void {
    this.#stopped = true;
    this.#timersOf?.stop();
  }

  /** Empties the stash at a stop: what was put back and not taken, then what is stashed, oldest first. */
  discard(): readonly Entry<TMessage>[] {
    return this.#stashOf?.drain() ?? NOTHING;
  }

  // ─── The recovery code's side ───────────────────────────────────────────────────────────────

  taking(entry: Entry<TMessage>, ordinal: number, logged: boolean): Entry<TMessage> {
    const record = this.#fromFront;
    this.#fromFront = undefined;
    this.#current = entry;
    this.#currentOrdinal = ordinal;
    this.#currentRecord = record;
    this.#stashedCurrent = false;
    this.#effectsOfCurrent = 0;
    this.#markedBehavior = this.#behavior;
    const first = ordinal > this.#highestOrdinal;
    if (first) this.#highestOrdinal = ordinal;
    if (this.#used) {
      // What is not made yet has nothing to mark: made later, it starts empty, as it was here.
      this.#stashOf?.mark();
      // Without a log, only the message in progress can be processed again, once it is a new one.
      this.#timersOf?.mark(!logged && first);
      this.#pipesOf?.mark();
    }
    return record === undefined ? entry : (UNSTASHED as Entry<TMessage>);
  }

  capture(): ExtrasSnapshot | undefined {
    if (!this.#used && this.#behavior === this.#host.behaviors?.initial) return undefined;
    const snapshot: Snapshot<TMessage> = {
      behavior: this.#behavior,
      stash: this.#stash().capture(),
      timers: this.#timers().capture(),
      pipes: this.#pipes().capture(),
    };
    return snapshot as unknown as ExtrasSnapshot;
  }

  restore(snapshot: ExtrasSnapshot | undefined): void {
    const restored = snapshot as unknown as Snapshot<TMessage> | undefined;
    this.#behavior = restored?.behavior ?? this.#host.behaviors?.initial;
    this.#markedBehavior = this.#behavior;
    this.#stash().restore(restored?.stash);
    this.#timers().restore(restored?.timers, restored?.dueIn);
    this.#pipes().restore(restored?.pipes);
    if (restored !== undefined) this.#used = true;
  }

  giveUp(ordinal: number): void {
    const record = this.#currentRecord;
    if (record !== undefined && ordinal === this.#currentOrdinal) this.#stash().giveUp(record.key);
  }

  startAfresh(): ExtrasSnapshot | undefined {
    this.#stash().startAfresh();
    const fresh: Snapshot<TMessage> = { behavior: undefined, stash: this.#stash().capture(), timers: undefined, pipes: undefined };
    this.restore(fresh as unknown as ExtrasSnapshot);
    return this.capture();
  }

  replayDone(): void {
    this.#stashOf?.resumeAboveHighest();
  }

  // ─── A snapshot store's side ────────────────────────────────────────────────────────────────

  save(snapshot: ExtrasSnapshot | undefined): SavedExtras | undefined {
    const saved = snapshot as unknown as Snapshot<TMessage> | undefined;
    if (saved === undefined) return undefined;
    const timers = saved.timers === undefined ? [] : this.#timers().save(saved.timers);
    if (saved.behavior === undefined && timers.length === 0) return undefined;
    return { ...(saved.behavior === undefined ? {} : { behavior: saved.behavior }), ...(timers.length === 0 ? {} : { timers }) };
  }

  load(saved: unknown, origin: string): ExtrasSnapshot | undefined {
    if (saved === undefined) return undefined;
    if (typeof saved !== 'object' || saved === null) throw new Error(`${origin} holds malformed actor extras`);
    const { behavior, timers = [] } = saved as { behavior?: unknown; timers?: unknown };
    const behaviors = this.#host.behaviors;
    if (behavior !== undefined && (behaviors === undefined || !behaviors.names.includes(behavior as string))) {
      const has = behaviors === undefined ? 'declares no behaviours' : `has ${behaviors.names.map((n) => `'${n}'`).join(', ')}`;
      throw new Error(`${origin} was saved in behaviour ${JSON.stringify(behavior)}, which the actor's definition does not have (it ${has})`);
    }
    if (!Array.isArray(timers) || !timers.every(isSavedTimer)) throw new Error(`${origin} holds malformed timers`);
    const { records, dueIn } = this.#timers().load(timers);
    const snapshot: Snapshot<TMessage> = { behavior: behavior as string | undefined, stash: undefined, timers: records, pipes: undefined, dueIn };
    return snapshot as unknown as ExtrasSnapshot;
  }
}

function timerKey(key: unknown): TimerKey {
  if (typeof key === 'string' || (typeof key === 'number' && !Number.isNaN(key))) return key;
  throw new InvalidOptionError('key', 'a string or a number', key);
}

function isSavedTimer(value: unknown): value is SavedTimer {
  if (!Array.isArray(value) || value.length !== 4) return false;
  const [key, , intervalMs, remainingMs] = value as unknown[];
  return (
    (typeof key === 'string' || typeof key === 'number') &&
    (intervalMs === null || (typeof intervalMs === 'number' && intervalMs > 0)) &&
    typeof remainingMs === 'number' &&
    remainingMs >= 0
  );
}
