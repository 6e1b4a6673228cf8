/**
 * The head steps (the stateless steps before the first repartition) on a worker thread: it takes
 * the units of raw records the main thread hands it, in order, runs the steps over each record,
 * routes the results to the first stage's partitions (or the sink), and ends each unit with a turn
 * marker to every one of them, so their mergers put the threads' outputs back in source order.
 * Barriers and the end of the input come as units of their own and go to every receiver as the
 * source driver would send them. Each unit is taken only once the one before is out: what a thread
 * holds is one unit and what the receivers have room for.
 */
import type { PipelineDeadLetter, StageMessage } from '../streams/run/messages.js';
import type { OperatorCounters } from '../streams/run/operator-counters.js';
import { Router } from '../streams/run/router.js';
import type { Assignment } from '../streams/run/assign.js';
import type { StepChain } from '../streams/run/step-chain.js';
import { StepChainOutput } from '../streams/run/step-chain-output.js';

/**
 * What the main thread hands a thread: raw records, or what the source sends after them. A unit of
 * records is the head's own once it is taken: it lets go of each record as soon as the steps are
 * through with it.
 */
export type Unit = { readonly type: 'records'; readonly records: unknown[] } | Extract<StageMessage<unknown>, { type: 'barrier' | 'end' | 'watermark' }>;

/** A first receiver as the head sees it: where its messages go, and how its turn ends. */
export interface HeadTarget {
  /** Sends `message`; with `last`, it also ends this thread's turn (one message where two would do). */
  send(message: StageMessage<unknown>, last: boolean): Promise<void>;
  /** Ends this thread's turn when the unit sent the receiver nothing. */
  turnOver(): Promise<void>;
}

export interface HeadRunnerSetup {
  readonly head: StepChain;
  /** How records are assigned to the first stage's partitions; undefined when they go to the sink. */
  readonly next: Assignment | undefined;
  readonly targets: readonly HeadTarget[];
  readonly batchSize: number;
  readonly retries: number;
  readonly counters: OperatorCounters;
  readonly deadLetter: (letter: PipelineDeadLetter) => void;
}

const SENT: Promise<void> = Promise.resolve();

export class HeadRunner {
  readonly #setup: HeadRunnerSetup;
  readonly #router: Router;
  readonly #output: StepChainOutput;
  /**
   * Each receiver's latest message, held back until the next one for it (then it goes) or the end
   * of the unit (then it goes as the last, ending the turn with it).
   */
  readonly #held: (StageMessage<unknown> | undefined)[];

  constructor(setup: HeadRunnerSetup) {
    this.#setup = setup;
    this.#held = new Array<StageMessage<unknown> | undefined>(setup.targets.length).fill(undefined);
    this.#router = new Router({
      next: setup.next,
      batchSize: setup.batchSize,
      retries: setup.retries,
      send: (index, message) => this.#hold(index, message),
      deadLetter: setup.deadLetter,
      from: 0,
      timed: false,
    });
    this.#output = new StepChainOutput({
      chain: setup.head,
      router: this.#router,
      counters: setup.counters,
      retries: setup.retries,
      deadLetter: setup.deadLetter,
      stage: 'source',
      maxTimestamp: Number.NEGATIVE_INFINITY,
    });
  }

  /** Takes one unit; resolves once all of it went out and its turn is over everywhere. */
  async take(unit: Unit): Promise<void> {
    const router = this.#router;
    switch (unit.type) {
      case 'records': {
        const { records } = unit;
        const counters = this.#setup.counters;
        for (let i = 0; i < records.length; i++) {
          counters.recordsIn++;
          const record = records[i];
          // Let go of the raw record: what is left of a unit must not outlive a young-generation
          // collection or two and be promoted with the unit's rest (a thread's heap would fill
          // with raw records it is through with).
          records[i] = undefined;
          this.#output.take(record, undefined);
          if (router.sending) await router.settle();
        }
        await router.flush();
        break;
      }
      case 'barrier':
        await router.barrier(unit.id);
        break;
      case 'end':
        await router.end(unit.checkpoint);
        break;
      case 'watermark':
        await router.watermark(unit.watermark, unit.idle);
        break;
    }
    await Promise.all(
      this.#setup.targets.map((target, index) => {
        const held = this.#held[index];
        this.#held[index] = undefined;
        return held === undefined ? target.turnOver() : target.send(held, true);
      }),
    );
  }

  /** Sends what was held for receiver `index` (resolving when it was taken) and holds `message` instead. */
  #hold(index: number, message: StageMessage<unknown>): Promise<void> {
    const before = this.#held[index];
    this.#held[index] = message;
    return before === undefined ? SENT : (this.#setup.targets[index] as HeadTarget).send(before, false);
  }
}
