/**
 * A run's side outputs: its dead letters, and each window stage's late records, which go to the
 * stage's `lateRecords` sink or else to dead letters as `late`. Counted, the recent ones kept, and
 * closed when the run ends, after every actor has stopped posting.
 */
import type { PhysicalStage } from '../plan/physical-plan.js';
import type { PipelineDeadLetter } from '../run/messages.js';
import { SideOutput } from '../run/side-output.js';
import type { Sink } from '../sinks/sink.js';
import type { StageOutputs } from '../run/stage-outputs.js';

export class JobOutputs {
  readonly #deadLetters: SideOutput<PipelineDeadLetter>;
  readonly #late: readonly (SideOutput<unknown> | undefined)[];
  #lateRecords = 0;

  constructor(stages: readonly PhysicalStage[], deadLetters: Sink<PipelineDeadLetter> | undefined) {
    this.#deadLetters = new SideOutput(deadLetters);
    this.#late = stages.map(({ step }) =>
      step.kind === 'keyed' && step.operator.kind === 'window' && step.operator.lateRecords !== undefined
        ? new SideOutput<unknown>(step.operator.lateRecords)
        : undefined,
    );
  }

  /** Posts a dead letter; passed around as is, so it is bound. */
  readonly deadLetter = (letter: PipelineDeadLetter): void => this.#deadLetters.post(letter);

  /** What stage `index` (named `name`) posts to. */
  forStage(index: number, name: string): StageOutputs {
    const late = this.#late[index];
    return {
      deadLetter: this.deadLetter,
      late: (record, timestamp) => {
        this.#lateRecords++;
        if (late !== undefined) late.post(record);
        else this.deadLetter({ reason: 'late', stage: name, record, error: undefined, timestamp });
      },
      lateBacklog: () => (late?.congested === true ? late.drained() : undefined),
    };
  }

  get deadLetters(): number {
    return this.#deadLetters.count;
  }

  get lateRecords(): number {
    return this.#lateRecords;
  }

  /** The most recent dead letters (up to 1000), oldest first. */
  recentDeadLetters(): PipelineDeadLetter[] {
    return this.#deadLetters.recent();
  }

  /** Closes each output, in order, once every write to it has settled; one close each, failing or not. */
  closings(): (() => Promise<void>)[] {
    const closings = [() => this.#deadLetters.close()];
    for (const output of this.#late) if (output !== undefined) closings.push(() => output.close());
    return closings;
  }
}
