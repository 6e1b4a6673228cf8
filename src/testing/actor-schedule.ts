/**
 * Actor schedules: how a test run of one actor is laid out — the room in its mailbox, how many
 * messages it takes in a turn, how often it snapshots (so how far back a restart goes and how much
 * it processes again), who goes at each step (the actor, or one of the senders) and when virtual
 * time moves. Plain data chosen by fast-check, so a run replays from it and shrinks with it, toward
 * one message of room, one message a turn, a snapshot after every message and queue order.
 */
import fc from 'fast-check';
import { positiveInteger, withDefault } from '../internal/validate.js';
import { describeTurns, picksArb, ticksArb, type Tick, type TickOptions } from './schedule.js';

/** How one test run of an actor is scheduled. */
export interface ActorSchedule {
  /** The actor's mailbox capacity (`mailbox.capacity`): when it is full, senders wait for room. */
  readonly mailbox: number;
  /** Messages the actor may take in one turn (`messageBudget`) before a sender may go. */
  readonly budget: number;
  /**
   * Messages between two snapshots (`snapshot.everyMessages`): a restart goes back to the last
   * one and processes again every message taken since. Undefined: the actor's own default (after
   * every message for plain state, every 1000 for `KeyedState`).
   */
  readonly snapshotEvery: number | undefined;
  /**
   * Who goes at each step, used in turn and again from the start when they run out: the value,
   * modulo how many can go, indexes the ready actors in queue order, then the senders that have a
   * message to send. Empty: the first ready actor, a sender only when no actor is ready.
   */
  readonly picks: readonly number[];
  /** When virtual time moves, besides the moves made when nothing else can happen. */
  readonly ticks: readonly Tick[];
}

/** Options of {@link actorScheduleArb}. */
export interface ActorScheduleOptions extends TickOptions {
  /** Largest mailbox capacity. @defaultValue 4 */
  maxMailbox?: number | undefined;
  /** Most messages a turn. @defaultValue 4 */
  maxBudget?: number | undefined;
  /** Most messages between snapshots. @defaultValue 4 */
  maxSnapshotEvery?: number | undefined;
}

/** The schedule of a run whose interleaving is not under test: roomy mailbox, default budget and snapshots, queue order. */
export const DEFAULT_ACTOR_SCHEDULE: ActorSchedule = Object.freeze({ mailbox: 1024, budget: 256, snapshotEvery: undefined, picks: [], ticks: [] });

/**
 * Actor schedules as fast-check values.
 *
 * @throws InvalidOptionError naming an option that is not a positive integer.
 * @example
 * ```ts
 * fc.sample(actorScheduleArb({ maxMailbox: 2 }), 1); // e.g. [{ mailbox: 2, budget: 1, snapshotEvery: 3, picks: [1, 0], ticks: [] }]
 * ```
 */
export function actorScheduleArb(options: ActorScheduleOptions = {}): fc.Arbitrary<ActorSchedule> {
  const maxMailbox = withDefault(options.maxMailbox, 4, (v) => positiveInteger('maxMailbox', v));
  const maxBudget = withDefault(options.maxBudget, 4, (v) => positiveInteger('maxBudget', v));
  const maxSnapshotEvery = withDefault(options.maxSnapshotEvery, 4, (v) => positiveInteger('maxSnapshotEvery', v));
  const maxStep = withDefault(options.maxStep, 40, (v) => positiveInteger('maxStep', v));
  const maxTickMs = withDefault(options.maxTickMs, 100, (v) => positiveInteger('maxTickMs', v));
  return fc.record({
    mailbox: fc.integer({ min: 1, max: maxMailbox }),
    budget: fc.integer({ min: 1, max: maxBudget }),
    snapshotEvery: fc.integer({ min: 1, max: maxSnapshotEvery }),
    picks: picksArb(),
    ticks: ticksArb(maxStep, maxTickMs),
  });
}

/**
 * An actor schedule in words, e.g. `mailbox of 2, 1 message a turn, a snapshot every 3 messages,
 * picks 1 0 3, +5 ms before step 7`.
 */
export function describeActorSchedule(schedule: ActorSchedule): string {
  const { mailbox, budget, snapshotEvery } = schedule;
  const snapshots =
    snapshotEvery === undefined
      ? "the actor's own snapshots"
      : snapshotEvery === 1
        ? 'a snapshot after every message'
        : `a snapshot every ${snapshotEvery} messages`;
  return [`mailbox of ${mailbox}`, `${budget} message${budget === 1 ? '' : 's'} a turn`, snapshots, ...describeTurns(schedule.picks, schedule.ticks)].join(
    ', ',
  );
}
