/**
 * The context of one call of a process handler. It only records what the handler asks for —
 * outputs, timer changes, clearing the state — so a try that throws leaves no trace, and the
 * runtime applies what a successful try recorded.
 */
import { InvalidPipelineError } from '../../../errors.js';
import type { PartitionKey } from '../../partitioning/canonical-key.js';
import type { ProcessContext, TimeDomain } from '../../process-function.js';

export interface TimerChange {
  readonly domain: TimeDomain;
  readonly time: number;
  readonly add: boolean;
}

export class ProcessCall implements ProcessContext<PartitionKey, unknown> {
  readonly key: PartitionKey;
  readonly timestamp: number | undefined;
  readonly watermark: number;
  readonly now: number;
  readonly outputs: { record: unknown; timestamp: number | undefined }[] = [];
  readonly timers: TimerChange[] = [];
  cleared = false;
  readonly #operator: string;
  readonly #timed: boolean;

  constructor(operator: string, timed: boolean, key: PartitionKey, timestamp: number | undefined, watermark: number, now: number) {
    this.#operator = operator;
    this.#timed = timed;
    this.key = key;
    this.timestamp = timestamp;
    this.watermark = watermark;
    this.now = now;
  }

  emit(record: unknown, timestamp: number | undefined = this.timestamp): void {
    this.outputs.push({ record, timestamp });
  }

  registerEventTimer(time: number): void {
    if (!this.#timed) {
      throw new InvalidPipelineError(this.#operator, 'an event-time timer needs event time: call withTimestamps(...) before keyBy');
    }
    this.#change('event-time', time, true);
  }

  deleteEventTimer(time: number): void {
    this.#change('event-time', time, false);
  }

  registerProcessingTimer(time: number): void {
    this.#change('processing-time', time, true);
  }

  deleteProcessingTimer(time: number): void {
    this.#change('processing-time', time, false);
  }

  clearState(): void {
    this.cleared = true;
  }

  #change(domain: TimeDomain, time: number, add: boolean): void {
    if (typeof time !== 'number' || Number.isNaN(time)) throw new TypeError(`A timer's time must be a number of milliseconds, got ${String(time)}`);
    this.timers.push({ domain, time, add });
  }
}
