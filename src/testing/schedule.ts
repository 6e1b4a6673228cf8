/**
 * Schedules: how a test run of a pipeline is interleaved — batch boundaries, mailbox room, which
 * ready actor (or the source) goes next, when virtual time moves and where checkpoints are taken.
 * Plain data chosen by fast-check, so a run replays from it and shrinks with it: an empty
 * schedule runs actors in queue order and moves time only when nothing else can happen.
 */
import fc from 'fast-check';
import { InvalidOptionError } from '../errors.js';
import { positiveInteger, withDefault } from '../internal/validate.js';

/** Virtual time moves forward by `ms` just before step `step` of a run. */
export interface Tick {
  readonly step: number;
  readonly ms: number;
}

/** How one test run of a pipeline is scheduled. */
export interface Schedule {
  /** Records per batch between actors (the run's `batchSize`). */
  readonly batchSize: number;
  /** Batches each mailbox holds before its senders wait (the run's `mailboxBatches`). */
  readonly mailboxBatches: number;
  /**
   * Who goes at each step, used in turn and again from the start when they run out: the value,
   * modulo how many can go, indexes the ready actors in queue order, then the source (when it
   * waits to deliver a record). Empty: always the first ready actor; the source when none is.
   */
  readonly picks: readonly number[];
  /** When virtual time moves, besides the moves made when nothing else can happen. */
  readonly ticks: readonly Tick[];
  /**
   * Source offsets (records delivered) at which a checkpoint is taken, when checkpoints are on
   * (with crash faults); offsets past the input's end are taken modulo its length plus one.
   */
  readonly checkpoints: readonly number[];
}

/** Bounds of the ticks a schedule draws. */
export interface TickOptions {
  /** Largest step a tick is placed at. @defaultValue 40 */
  maxStep?: number | undefined;
  /** Largest move of virtual time at a tick, in milliseconds. @defaultValue 100 */
  maxTickMs?: number | undefined;
}

/** Options of {@link scheduleArb}. */
export interface ScheduleOptions extends TickOptions {
  /** @defaultValue 8 */
  maxBatchSize?: number | undefined;
  /** @defaultValue 4 */
  maxMailboxBatches?: number | undefined;
  /** Whether to plan checkpoints (a run with crash faults takes them). @defaultValue false */
  checkpoints?: boolean | undefined;
}

/** The schedule of a run whose interleaving is not under test: default batches, queue order. */
export const DEFAULT_SCHEDULE: Schedule = Object.freeze({ batchSize: 256, mailboxBatches: 16, picks: [], ticks: [], checkpoints: [] });

/**
 * Schedules as fast-check values, shrinking toward one record per batch, one batch per mailbox,
 * queue order and no ticks.
 *
 * @throws InvalidOptionError naming an option that is not a positive integer.
 * @example
 * ```ts
 * fc.assert(fc.asyncProperty(scheduleArb({ maxBatchSize: 4 }), async (schedule) => { ... }));
 * ```
 */
export function scheduleArb(options: ScheduleOptions = {}): fc.Arbitrary<Schedule> {
  const maxBatchSize = withDefault(options.maxBatchSize, 8, (v) => positiveInteger('maxBatchSize', v));
  const maxMailboxBatches = withDefault(options.maxMailboxBatches, 4, (v) => positiveInteger('maxMailboxBatches', v));
  const maxStep = withDefault(options.maxStep, 40, (v) => positiveInteger('maxStep', v));
  const maxTickMs = withDefault(options.maxTickMs, 100, (v) => positiveInteger('maxTickMs', v));
  const checkpoints = options.checkpoints ?? false;
  if (typeof checkpoints !== 'boolean') throw new InvalidOptionError('checkpoints', 'a boolean', checkpoints);
  return fc.record({
    batchSize: fc.integer({ min: 1, max: maxBatchSize }),
    mailboxBatches: fc.integer({ min: 1, max: maxMailboxBatches }),
    picks: picksArb(),
    ticks: ticksArb(maxStep, maxTickMs),
    checkpoints: checkpoints ? fc.uniqueArray(fc.nat({ max: 64 }), { maxLength: 3 }) : fc.constant([]),
  });
}

/** Picks as fast-check values (up to 24, each below 8), shrinking toward none: queue order. */
export function picksArb(): fc.Arbitrary<number[]> {
  return fc.array(fc.nat({ max: 7 }), { maxLength: 24 });
}

/** Ticks as fast-check values (up to 6), shrinking toward none. */
export function ticksArb(maxStep: number, maxTickMs: number): fc.Arbitrary<Tick[]> {
  return fc.array(fc.record({ step: fc.nat({ max: maxStep }), ms: fc.integer({ min: 1, max: maxTickMs }) }), { maxLength: 6 });
}

/** Picks and ticks in words: `queue order` or `picks 1 0 3`, then `+5 ms before step 7` for each tick in step order. */
export function describeTurns(picks: readonly number[], ticks: readonly Tick[]): string[] {
  const parts = [picks.length === 0 ? 'queue order' : `picks ${picks.join(' ')}`];
  for (const tick of [...ticks].sort((a, b) => a.step - b.step)) parts.push(`+${tick.ms} ms before step ${tick.step}`);
  return parts;
}

/** Checkpoint offsets for an input of `records` records: in range, sorted, each once. */
export function checkpointOffsets(schedule: Schedule, records: number): number[] {
  return [...new Set(schedule.checkpoints.map((offset) => offset % (records + 1)))].sort((a, b) => a - b);
}

/**
 * A schedule in words, e.g. `batches of 2, mailboxes of 1 batch, picks 1 0 3, +5 ms before step 7,
 * checkpoints after 1, 4 records`.
 */
export function describeSchedule(schedule: Schedule, records?: number): string {
  const parts = [
    `batches of ${schedule.batchSize}`,
    `mailboxes of ${schedule.mailboxBatches} batch${schedule.mailboxBatches === 1 ? '' : 'es'}`,
    ...describeTurns(schedule.picks, schedule.ticks),
  ];
  const offsets = records === undefined ? [...schedule.checkpoints].sort((a, b) => a - b) : checkpointOffsets(schedule, records);
  if (offsets.length > 0) parts.push(`checkpoint${offsets.length === 1 ? '' : 's'} after ${offsets.join(', ')} record${offsets.at(-1) === 1 ? '' : 's'}`);
  return parts.join(', ');
}
