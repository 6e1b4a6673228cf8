/**
 * The steps of an actor check's run: at each, the schedule's pick chooses one slice of a ready
 * actor or one message of a ready sender; virtual time moves at the schedule's ticks and, when
 * nothing else can happen, to the next timer while something still waits on one. Between steps,
 * promise callbacks settle. Bounded: a run that is still busy after `maxSteps` is a message loop.
 */
import type { ActorSchedule } from '../actor-schedule.js';
import type { ManualScheduler } from '../manual-scheduler.js';
import type { VirtualClock } from '../virtual-clock.js';
import { StuckRunError } from './case-runner.js';
import { macrotask, settled } from './event-loop.js';
import { driveSteps, STOP, type StepOutcome } from './step-driver.js';

/** A sender as the steps see it: whether it has a message to send now, and sending it. */
export interface Stepper {
  readonly ready: boolean;
  send(): void;
}

export class CaseSteps {
  readonly #scheduler: ManualScheduler;
  readonly #clock: VirtualClock;
  readonly #schedule: ActorSchedule;
  readonly #maxSteps: number;
  readonly #ticks: ActorSchedule['ticks'];
  #senders: readonly Stepper[] = [];
  #nextTick = 0;
  #pickValue = 0;
  /** Steps taken so far: turns, sends and moves of time. */
  count = 0;

  constructor(scheduler: ManualScheduler, clock: VirtualClock, schedule: ActorSchedule, maxSteps: number) {
    this.#scheduler = scheduler;
    this.#clock = clock;
    this.#schedule = schedule;
    this.#maxSteps = maxSteps;
    this.#ticks = [...schedule.ticks].sort((a, b) => a.step - b.step);
  }

  /** The senders that take part from now on. */
  set senders(senders: readonly Stepper[]) {
    this.#senders = senders;
  }

  /**
   * The dispatcher's picker: the step's pick indexes the ready actors, then the ready senders;
   * picking a sender lets it send and runs no actor this turn.
   */
  readonly pick = (ready: number): number => {
    const choice = this.#pickValue % (ready + readyCount(this.#senders));
    if (choice < ready) return choice;
    (nthReady(this.#senders, choice - ready) as Stepper).send();
    return -1;
  };

  /**
   * Steps until nothing can happen, moving time to the next timer while `waits` says something
   * still waits.
   * @throws StuckRunError (rejects) after `maxSteps` steps in all.
   */
  run(waits: () => boolean): Promise<void> {
    let loopTurned = false;
    return driveSteps((): StepOutcome => {
      if (this.#scheduler.pending > 0 || readyCount(this.#senders) > 0) {
        loopTurned = false;
        const ticking = this.#advanceTicks();
        if (ticking === undefined) {
          this.#takeTurn();
          return undefined;
        }
        return ticking.then(this.#takeTurn);
      }
      // Nothing is ready once promise callbacks settled: let the event loop turn once, in case a
      // handler waits on something of its own, before moving time.
      if (!loopTurned) {
        loopTurned = true;
        return macrotask();
      }
      const due = this.#clock.nextDue;
      if (due === undefined || !waits()) return STOP;
      this.#count();
      loopTurned = false;
      return this.#clock.advance(due - this.#clock.now(), settled);
    });
  }

  /** Moves time by the ticks due at this step; undefined when none is. */
  #advanceTicks(): Promise<void> | undefined {
    const tick = this.#ticks[this.#nextTick];
    return tick === undefined || tick.step > this.count ? undefined : this.#advanceDueTicks();
  }

  async #advanceDueTicks(): Promise<void> {
    for (let tick = this.#ticks[this.#nextTick]; tick !== undefined && tick.step <= this.count; tick = this.#ticks[++this.#nextTick]) {
      await this.#clock.advance(tick.ms, settled);
    }
  }

  /** Takes this step's pick: one slice of a ready actor, or one message of a ready sender. */
  readonly #takeTurn = (): void => {
    const { picks } = this.#schedule;
    this.#pickValue = picks.length === 0 ? 0 : (picks[this.count % picks.length] as number);
    this.#count();
    if (this.#scheduler.pending > 0) this.#scheduler.runNext();
    else nthReady(this.#senders, this.#pickValue % Math.max(1, readyCount(this.#senders)))?.send();
  };

  #count(): void {
    if (this.count++ >= this.#maxSteps)
      throw new StuckRunError(`sluice/testing: the run is still busy after ${this.#maxSteps} steps (maxSteps), a message loop?`);
  }
}

/** How many of `senders` have a message to send now. */
function readyCount(senders: readonly Stepper[]): number {
  let count = 0;
  for (const sender of senders) if (sender.ready) count++;
  return count;
}

/** The `n`th of `senders` that has a message to send now (from 0), if there is one. */
function nthReady(senders: readonly Stepper[], n: number): Stepper | undefined {
  let left = n;
  for (const sender of senders) if (sender.ready && left-- === 0) return sender;
  return undefined;
}
