/**
 * `process`: each key's state and timers are one immutable entry of the partition state; the due
 * times of all keys' timers are two heaps (event time, processing time) derived from those
 * entries, checked against them when they pop. A handler's effects are applied only when it
 * returns, so a retried or replayed call emits nothing twice.
 */
import { MinHeap } from '../../../internal/min-heap.js';
import type { ProcessOperator } from '../../internal/logical-plan.js';
import type { FiredTimer, TimeDomain } from '../../process-function.js';
import { NO_WATERMARK } from '../../time/watermarks.js';
import { keyOfState, type StateKey } from '../state-key.js';
import { operatorEntries, type OperatorOutput, type PartitionOperator, type OperatorSetup } from './partition-operator.js';
import { ProcessCall, type TimerChange } from './process-call.js';

/** A key's entry: its state (unless cleared) and its pending timers, each list sorted and unique. */
export interface ProcessEntry {
  readonly state: unknown;
  readonly hasState: boolean;
  readonly eventTimers: readonly number[];
  readonly processingTimers: readonly number[];
}

const NO_TIMERS: readonly number[] = [];

/** `entry` with its state (when it has one) brought forward by `migrate`; its timers as they were. */
export function migrateProcessEntry(entry: ProcessEntry, migrate: (state: unknown) => unknown): ProcessEntry {
  return entry.hasState ? { ...entry, state: migrate(entry.state) } : entry;
}

export function processOperator(operator: ProcessOperator, context: OperatorSetup, now: () => number): PartitionOperator {
  const { state, retries, name, timed } = context;
  const { fn } = operator;
  const heaps: Record<TimeDomain, MinHeap<StateKey>> = { 'event-time': new MinHeap(), 'processing-time': new MinHeap() };
  for (const [key, value] of operatorEntries(state)) {
    const entry = value as ProcessEntry;
    for (const time of entry.eventTimers) heaps['event-time'].push(time, key);
    for (const time of entry.processingTimers) heaps['processing-time'].push(time, key);
  }
  let watermark = context.watermark;

  /** Applies a successful call: next state, timer changes (minus a timer that fired), outputs. */
  const commit = (
    key: StateKey,
    entry: ProcessEntry | undefined,
    next: unknown,
    call: ProcessCall,
    firedTimer: FiredTimer | undefined,
    out: OperatorOutput,
  ): void => {
    let eventTimers = entry?.eventTimers ?? NO_TIMERS;
    let processingTimers = entry?.processingTimers ?? NO_TIMERS;
    if (firedTimer?.domain === 'event-time') eventTimers = without(eventTimers, firedTimer.time);
    if (firedTimer?.domain === 'processing-time') processingTimers = without(processingTimers, firedTimer.time);
    for (const change of call.timers) {
      if (change.domain === 'event-time') eventTimers = applied(eventTimers, change, key, heaps['event-time']);
      else processingTimers = applied(processingTimers, change, key, heaps['processing-time']);
    }
    const hasState = !call.cleared;
    if (!hasState && eventTimers.length === 0 && processingTimers.length === 0) state.delete(key);
    else state.set(key, { state: hasState ? next : undefined, hasState, eventTimers, processingTimers } satisfies ProcessEntry);
    for (const { record, timestamp } of call.outputs) out.emit(record, timestamp);
  };

  /** Calls a handler for `key`, retried; false when every try threw (the input is dead-lettered). */
  const invoke = (key: StateKey, input: unknown, timestamp: number | undefined, timer: FiredTimer | undefined, out: OperatorOutput): void => {
    const entry = state.get(key) as ProcessEntry | undefined;
    const userKey = keyOfState(key);
    const at = now();
    for (let i = 0; ; i++) {
      const call = new ProcessCall(name, timed, userKey, timestamp, watermark, at);
      try {
        const current = entry?.hasState === true ? entry.state : fn.initialState(userKey);
        const next = timer === undefined ? fn.onRecord(current, input, call) : (fn.onTimer as NonNullable<typeof fn.onTimer>)(current, timer, call);
        commit(key, entry, next, call, timer, out);
        return;
      } catch (error) {
        if (i < retries) continue;
        out.deadLetter({ reason: 'operator-failed', stage: name, record: timer === undefined ? input : { key: userKey, timer }, error, timestamp });
        // A timer that keeps failing is spent all the same: it must not fire again and again.
        if (timer !== undefined && entry !== undefined)
          commit(key, entry, entry.state, new ProcessCall(name, timed, userKey, timestamp, watermark, at), timer, out);
        return;
      }
    }
  };

  /** Fires every timer of `domain` due at `time`, in order of time, then of registration. */
  const fireDue = (domain: TimeDomain, time: number, out: OperatorOutput): void => {
    const heap = heaps[domain];
    while (heap.size > 0 && (heap.peekPriority() as number) <= time) {
      const due = heap.peekPriority() as number;
      const key = heap.pop();
      const entry = state.get(key) as ProcessEntry | undefined;
      const pending = domain === 'event-time' ? entry?.eventTimers : entry?.processingTimers;
      // Deleted, already fired, or a duplicate index entry: nothing is due.
      if (pending === undefined || !pending.includes(due)) continue;
      const timer: FiredTimer = { time: due, domain };
      const timestamp = domain === 'event-time' ? due : timed && watermark !== NO_WATERMARK ? watermark : undefined;
      if (fn.onTimer === undefined) commit(key, entry, entry?.state, new ProcessCall(name, timed, keyOfState(key), timestamp, watermark, now()), timer, out);
      else invoke(key, undefined, timestamp, timer, out);
    }
  };

  return {
    nextTick: () => heaps['processing-time'].peekPriority() ?? Infinity,
    record(record, key, timestamp, out) {
      invoke(key, record, timestamp, undefined, out);
    },
    advance(next, out) {
      watermark = next;
      fireDue('event-time', next, out);
    },
    tick(at, out) {
      fireDue('processing-time', at, out);
    },
    end() {},
  };
}

function without(times: readonly number[], time: number): readonly number[] {
  const at = times.indexOf(time);
  return at < 0 ? times : [...times.slice(0, at), ...times.slice(at + 1)];
}

/** A timer list after one change; a newly added time is indexed in the heap. */
function applied(times: readonly number[], change: TimerChange, key: StateKey, heap: MinHeap<StateKey>): readonly number[] {
  const present = times.includes(change.time);
  if (!change.add) return present ? without(times, change.time) : times;
  if (present) return times;
  heap.push(change.time, key);
  const next = [...times, change.time];
  next.sort((a, b) => a - b);
  return next;
}
