/**
 * What happens to each record a chain takes, the same at the source (the head chain) and in a
 * partition (the tail after its operator): the fused steps run on it, tried `retries` more times
 * when one throws; a record that every try failed on goes to dead letters, naming the step; the
 * outputs are counted and routed with their event times. On a chain that assigns event times
 * (it holds a `withTimestamps`), it keeps the largest time so far and routes each output with the
 * watermark of the outputs before it, which is what a receiver judges that output against.
 */
import { boundedWatermark } from '../time/watermarks.js';
import { FAILED, attempt, failedStepLetter } from './chain.js';
import type { PipelineDeadLetter } from './messages.js';
import type { OperatorCounters } from './operator-counters.js';
import type { RecordRouter } from './router.js';
import type { StepChain } from './step-chain.js';

export interface StepChainOutputSetup {
  readonly chain: StepChain;
  readonly router: RecordRouter;
  readonly counters: OperatorCounters;
  readonly retries: number;
  readonly deadLetter: (letter: PipelineDeadLetter) => void;
  /** Where a failure is reported when the step that threw is not known. */
  readonly stage: string;
  /** The largest event time the chain had assigned before (a checkpoint's, or the state's). */
  readonly maxTimestamp: number;
}

function applyChain(chain: StepChain, record: unknown, timestamp: number | undefined): unknown[] {
  return chain.apply(record, timestamp);
}

export class StepChainOutput {
  readonly #chain: StepChain;
  #router: RecordRouter;
  readonly #counters: OperatorCounters;
  readonly #retries: number;
  readonly #deadLetter: (letter: PipelineDeadLetter) => void;
  readonly #stage: string;
  readonly #bound: number;
  #maxTimestamp: number;
  #watermark: number;

  constructor(setup: StepChainOutputSetup) {
    this.#chain = setup.chain;
    this.#router = setup.router;
    this.#counters = setup.counters;
    this.#retries = setup.retries;
    this.#deadLetter = setup.deadLetter;
    this.#stage = setup.stage;
    this.#bound = setup.chain.generator?.maxOutOfOrdernessMs ?? 0;
    this.#maxTimestamp = setup.maxTimestamp;
    this.#watermark = boundedWatermark(setup.maxTimestamp, this.#bound);
  }

  /**
   * Starts over on `router`, from `maxTimestamp`, as a new output made with the same chain would:
   * a partition keeps one output for all its messages, each handled to its end before the next.
   */
  restart(router: RecordRouter, maxTimestamp: number): void {
    this.#router = router;
    this.#maxTimestamp = maxTimestamp;
    this.#watermark = boundedWatermark(maxTimestamp, this.#bound);
  }

  /** The largest event time the chain has assigned (−∞ before any, or without `withTimestamps`). */
  get maxTimestamp(): number {
    return this.#maxTimestamp;
  }

  /** The watermark of everything this chain has routed: its largest time less the bound, less 1. */
  get watermark(): number {
    return this.#watermark;
  }

  /**
   * Takes `record`, with its event time on a timed stream.
   * @returns how many records it routed (0 when it was filtered out or dead-lettered).
   */
  take(record: unknown, timestamp: number | undefined): number {
    const chain = this.#chain;
    if (chain.identity) {
      this.#counters.recordsOut++;
      this.#router.route(record, timestamp);
      return 1;
    }
    const outputs = attempt(this.#retries, applyChain, chain, record, timestamp);
    if (outputs === FAILED) {
      this.#deadLetter(failedStepLetter(record, this.#stage, timestamp));
      return 0;
    }
    this.#counters.recordsOut += outputs.length;
    const router = this.#router;
    if (chain.generator === undefined) {
      const times = chain.timed ? chain.timestamps : undefined;
      for (let i = 0; i < outputs.length; i++) router.route(outputs[i], times === undefined ? undefined : times[i]);
      return outputs.length;
    }
    const times = chain.timestamps;
    for (let i = 0; i < outputs.length; i++) {
      const time = times[i] as number;
      router.route(outputs[i], time, this.#watermark);
      if (time > this.#maxTimestamp) {
        this.#maxTimestamp = time;
        this.#watermark = boundedWatermark(time, this.#bound);
      }
    }
    return outputs.length;
  }
}
