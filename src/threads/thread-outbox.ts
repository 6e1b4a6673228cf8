/**
 * What a worker thread posts to the main thread besides records: dead letters and late records
 * (gathered and posted once per turn, not one message each), events, and failures. A value the
 * structured clone cannot copy (a record holding a function) is posted described instead, so a
 * dead letter is never lost to the way it travels.
 */
import type { PipelineDeadLetter } from '../streams/run/messages.js';
import type { StageOutputs } from '../streams/run/stage-outputs.js';
import { crossError, type FromThread } from './thread-protocol.js';
import { uncrossable } from './uncrossable.js';
import type { LinkPort } from './link-port.js';

/** A record as it can be posted: itself, or a description of what it holds that cannot cross. */
function postable(record: unknown): unknown {
  const what = uncrossable(record);
  return what === undefined ? record : `[a record that cannot cross threads: it holds ${what}]`;
}

export class ThreadOutbox {
  readonly #port: LinkPort;
  #letters: PipelineDeadLetter[] = [];
  #late = new Map<number, { record: unknown; timestamp: number | undefined }[]>();
  #flushing = false;

  /** @param port - the thread's end of its control channel to the main thread. */
  constructor(port: LinkPort) {
    this.#port = port;
  }

  /** Posts `message` to the main thread. */
  post(message: FromThread): void {
    this.#port.postMessage(message);
  }

  readonly deadLetter = (letter: PipelineDeadLetter): void => {
    const error = letter.error === undefined ? undefined : crossError(letter.error);
    this.#letters.push({ ...letter, record: postable(letter.record), error });
    this.#flushSoon();
  };

  /** What stage `index` posts to: dead letters and late records go to the main thread. */
  forStage(index: number): StageOutputs {
    return {
      deadLetter: this.deadLetter,
      late: (record, timestamp) => {
        let records = this.#late.get(index);
        if (records === undefined) this.#late.set(index, (records = []));
        records.push({ record: postable(record), timestamp });
        this.#flushSoon();
      },
      lateBacklog: () => undefined,
    };
  }

  /** Posts what was gathered. */
  flush(): void {
    this.#flushing = false;
    if (this.#letters.length > 0) {
      this.post({ type: 'dead-letters', letters: this.#letters });
      this.#letters = [];
    }
    for (const [stage, records] of this.#late) this.post({ type: 'late', stage, records });
    this.#late.clear();
  }

  #flushSoon(): void {
    if (this.#flushing) return;
    this.#flushing = true;
    queueMicrotask(() => this.flush());
  }
}
