/**
 * An actor's timers, in two halves that a restart treats differently:
 * - the **table** (key → timer), which handlers change and snapshots capture (an immutable map,
 *   copied on the first write after a capture, so a snapshot copies nothing). A restart puts back
 *   the table of its snapshot.
 * - the **schedules** (timer id → what the clock has done with that timer), which a restart does
 *   not undo: a single timer that fired has its message in the mailbox (or in the log of messages
 *   taken), so bringing its table entry back must not make it fire again; one a handler cancelled
 *   after the snapshot is re-armed at the time it was due.
 *
 * Every start of a timer has an id. A start made by a handler is named after the message being
 * handled (the ordinal it was taken under) and its place among that handler's starts, so when a
 * restart processes the message again the start finds its first schedule and goes on with it —
 * same due times, no tick fired twice — instead of starting over. A single timer stays in the
 * table until its message is taken, so `isActive` holds while the message is queued; a message
 * whose id the table no longer holds under its key (cancelled, replaced, or started by a handler
 * that failed) is dropped as it is taken: Akka's generation trick, with ids a replay reproduces.
 */
import type { Clock, TimerHandle } from '../../clock.js';
import type { TimerKey } from '../timers.js';
import { TimerMessage } from './self-messages.js';

/** One timer as the table holds it. */
export interface TimerRecord<TMessage> {
  readonly key: TimerKey;
  readonly message: TMessage;
  /** Undefined for a single timer. */
  readonly intervalMs: number | undefined;
  readonly id: string;
}

/** The table at one moment: what a snapshot keeps. */
export type TimerRecords<TMessage> = ReadonlyMap<TimerKey, TimerRecord<TMessage>>;

/** A timer as a snapshot store keeps it: key, message, interval (null: single), and how long it still had to run. */
export type SavedTimer = readonly [key: TimerKey, message: unknown, intervalMs: number | null, remainingMs: number];

/**
 * - `armed`: a clock timer is set for `due`.
 * - `in-flight`: a periodic timer's message waits for mailbox room; the next tick is armed once it is in.
 * - `fired`: a single timer's message went to the mailbox; it never fires again.
 * - `cancelled`: cancelled (or replaced) before it fired, or since its last tick; `due` is when it
 *   would have fired next, for a restart that brings it back.
 */
type SchedulePhase = 'armed' | 'in-flight' | 'fired' | 'cancelled';

interface Schedule<TMessage> {
  readonly record: TimerRecord<TMessage>;
  /** When its next message falls due (a fired single timer's: when it fell due). */
  due: number;
  phase: SchedulePhase;
  handle: TimerHandle | undefined;
}

/** What the table needs from its actor. */
export interface TimerHost<TMessage> {
  readonly clock: Clock;
  /** Puts a timer's message in the mailbox, waiting for room as `send` does; never rejects. */
  deliver(message: TimerMessage<TMessage>): Promise<void>;
}

const NO_TIMERS: TimerRecords<never> = new Map();
const NO_SCHEDULES: ReadonlyMap<string, unknown> = new Map<string, unknown>();

export class TimerTable<TMessage> {
  readonly #host: TimerHost<TMessage>;
  /** Starts as the shared empty table, so an actor that starts no timer allocates none. */
  #records = NO_TIMERS as unknown as Map<TimerKey, TimerRecord<TMessage>>;
  /** `#records` is shared with a snapshot, a mark or every other table: copy it before the next write. */
  #shared = true;
  /** The table a rollback goes back to (the last capture). */
  #point: TimerRecords<TMessage> = NO_TIMERS;
  /** The table as the handler in progress began, for a failed handler to be undone. */
  #marked: TimerRecords<TMessage> = NO_TIMERS;
  /** The shared empty map until the first timer is armed: read freely, never written. */
  #schedules = NO_SCHEDULES as unknown as Map<string, Schedule<TMessage>>;
  /** Numbers the starts made outside a handler, which no replay repeats. */
  #unnamed = 0;
  #stopped = false;

  constructor(host: TimerHost<TMessage>) {
    this.#host = host;
  }

  isActive(key: TimerKey): boolean {
    return this.#records.has(key);
  }

  keys(): TimerKey[] {
    return [...this.#records.keys()];
  }

  /**
   * Starts a timer under `key` (replacing the one there), first due `delayMs` from now — unless
   * start `id` was made before (the same handler, processed again), whose schedule goes on.
   */
  start(key: TimerKey, message: TMessage, delayMs: number, intervalMs: number | undefined, id: string | undefined): void {
    if (this.#stopped) return;
    const timer = id ?? `#${++this.#unnamed}`;
    const replaced = this.#records.get(key);
    if (replaced !== undefined && replaced.id !== timer) this.#stopScheduleOf(replaced);
    const record: TimerRecord<TMessage> = { key, message, intervalMs, id: timer };
    this.#write().set(key, record);
    const schedule = this.#schedules.get(timer);
    if (schedule === undefined) this.#arm(record, this.#host.clock.now() + delayMs);
    else if (schedule.phase === 'cancelled') this.#setTimer(schedule);
  }

  /** Cancels the timer under `key`; false when there was none. */
  cancel(key: TimerKey): boolean {
    const record = this.#records.get(key);
    if (record === undefined) return false;
    this.#stopScheduleOf(record);
    this.#write().delete(key);
    return true;
  }

  cancelAll(): void {
    for (const key of this.keys()) this.cancel(key);
  }

  /** Whether the table holds the timer that sent `message` (it was not cancelled or replaced since). */
  holds(message: TimerMessage<TMessage>): boolean {
    return this.#records.get(message.key)?.id === message.timer;
  }

  /**
   * A timer's message is taken from the mailbox: false when its timer was cancelled or replaced
   * since (drop it). A single timer's entry leaves the table now.
   */
  admit(message: TimerMessage<TMessage>): boolean {
    if (!this.holds(message)) return false;
    if ((this.#records.get(message.key) as TimerRecord<TMessage>).intervalMs === undefined) this.#write().delete(message.key);
    return true;
  }

  /** The table now, for a snapshot; it is shared until the next write. */
  capture(): TimerRecords<TMessage> {
    this.#shared = true;
    this.#point = this.#records;
    // No message taken before this snapshot is processed again: what only they could restart goes.
    this.#prune();
    return this.#records;
  }

  /** Goes back to `records`, the table of a snapshot; see {@link #reconcile}. */
  restore(records: TimerRecords<TMessage> | undefined, dueIn?: ReadonlyMap<string, number>): void {
    this.#point = records ?? NO_TIMERS;
    this.#reconcile(this.#point, dueIn);
  }

  /**
   * Notes the table as a handler begins, for {@link rewind} if it fails. `last`: only this handler
   * can be processed again (the actor snapshots after every message), so schedules that only
   * earlier handlers could restart may go.
   */
  mark(last: boolean): void {
    this.#shared = true;
    this.#marked = this.#records;
    if (last) this.#prune();
  }

  /** Undoes what a failed handler did to the timers. */
  rewind(): void {
    this.#reconcile(this.#marked);
  }

  /**
   * Goes back to `target`: timers started since are cancelled (processing their messages again
   * starts them again, and they go on with these schedules), timers cancelled since are re-armed at
   * their due times, and timers that fired since stay fired. `dueIn` (a snapshot read from a store,
   * whose timers have no schedule in this process) says how long each timer still has to run.
   */
  #reconcile(target: TimerRecords<TMessage>, dueIn?: ReadonlyMap<string, number>): void {
    for (const schedule of this.#schedules.values()) {
      const { key, id } = schedule.record;
      if (target.get(key)?.id !== id) this.#stopSchedule(schedule);
    }
    this.#records = target as Map<TimerKey, TimerRecord<TMessage>>;
    this.#shared = true;
    if (this.#stopped) return;
    const now = this.#host.clock.now();
    for (const record of target.values()) {
      const schedule = this.#schedules.get(record.id);
      if (schedule === undefined) this.#arm(record, now + (dueIn?.get(record.id) ?? 0));
      else if (schedule.phase === 'cancelled') this.#setTimer(schedule);
    }
  }

  /** The actor is stopping: every timer is cancelled, and none starts again. */
  stop(): void {
    this.#stopped = true;
    for (const schedule of this.#schedules.values()) this.#stopSchedule(schedule);
  }

  /** `records` as a snapshot store keeps them: each with the time it still had to run. */
  save(records: TimerRecords<TMessage>): SavedTimer[] {
    const now = this.#host.clock.now();
    return [...records.values()].map(({ key, message, intervalMs, id }) => {
      const schedule = this.#schedules.get(id);
      // A fired single timer's message was queued, and a process that restores this snapshot has lost it: due at once.
      const remaining = schedule === undefined || schedule.phase === 'fired' ? 0 : Math.max(0, schedule.due - now);
      return [key, message, intervalMs ?? null, remaining] as const;
    });
  }

  /** Saved timers as a table with fresh ids, and how long each still has to run. */
  load(saved: readonly SavedTimer[]): { readonly records: TimerRecords<TMessage>; readonly dueIn: ReadonlyMap<string, number> } {
    const records = new Map<TimerKey, TimerRecord<TMessage>>();
    const dueIn = new Map<string, number>();
    for (const [key, message, intervalMs, remainingMs] of saved) {
      const id = `#${++this.#unnamed}`;
      records.set(key, { key, message: message as TMessage, intervalMs: intervalMs ?? undefined, id });
      dueIn.set(id, remainingMs);
    }
    return { records, dueIn };
  }

  #write(): Map<TimerKey, TimerRecord<TMessage>> {
    if (this.#shared) {
      this.#records = new Map(this.#records);
      this.#shared = false;
    }
    return this.#records;
  }

  #arm(record: TimerRecord<TMessage>, due: number): void {
    const schedule: Schedule<TMessage> = { record, due, phase: 'cancelled', handle: undefined };
    if ((this.#schedules as ReadonlyMap<string, unknown>) === NO_SCHEDULES) this.#schedules = new Map();
    this.#schedules.set(record.id, schedule);
    this.#setTimer(schedule);
  }

  #setTimer(schedule: Schedule<TMessage>): void {
    const { clock } = this.#host;
    schedule.phase = 'armed';
    schedule.handle = clock.setTimeout(() => this.#fire(schedule), Math.max(0, schedule.due - clock.now()));
  }

  #fire(schedule: Schedule<TMessage>): void {
    schedule.handle = undefined;
    const { record } = schedule;
    const { intervalMs } = record;
    if (intervalMs === undefined) {
      schedule.phase = 'fired';
    } else {
      // `due` moves to the next tick at once: a restart that re-arms this timer must not fire this tick again.
      schedule.phase = 'in-flight';
      schedule.due += intervalMs;
    }
    const sent = this.#host.deliver(new TimerMessage(record.message, record.key, record.id));
    if (intervalMs === undefined) return;
    void sent.then(() => {
      // Cancelled, replaced, stopped or re-armed by a restart while its message waited.
      if (schedule.phase !== 'in-flight') return;
      const now = this.#host.clock.now();
      // Ticks that fell due while the message waited for room are skipped: the rhythm stays.
      if (schedule.due <= now) schedule.due += Math.floor((now - schedule.due) / intervalMs + 1) * intervalMs;
      this.#setTimer(schedule);
    });
  }

  #stopScheduleOf(record: TimerRecord<TMessage>): void {
    const schedule = this.#schedules.get(record.id);
    if (schedule !== undefined) this.#stopSchedule(schedule);
  }

  #stopSchedule(schedule: Schedule<TMessage>): void {
    if (schedule.phase === 'armed') {
      this.#host.clock.clearTimeout(schedule.handle);
      schedule.handle = undefined;
      schedule.phase = 'cancelled';
    } else if (schedule.phase === 'in-flight') {
      schedule.phase = 'cancelled';
    }
  }

  /**
   * Forgets schedules nothing can bring back: neither the table, nor the rollback point, nor the
   * mark holds their timer, and no message of theirs waits. Bounds the schedules of an actor that
   * replaces a timer with every message (an idle timeout) by its snapshot interval.
   */
  #prune(): void {
    if (this.#schedules.size <= 2 * this.#records.size + 8) return;
    for (const [id, schedule] of this.#schedules) {
      if (schedule.phase === 'armed' || schedule.phase === 'in-flight') continue;
      const { key } = schedule.record;
      const held = (records: TimerRecords<TMessage>) => records.get(key)?.id === id;
      if (held(this.#records) || held(this.#point) || held(this.#marked)) continue;
      this.#schedules.delete(id);
    }
  }
}
