/**
 * The source of a pipeline under test: replayable over an array, but each record (and the end)
 * waits at a gate until the test's engine opens it, so when the source delivers is a scheduling
 * decision like any actor's turn, and the engine can hold it at a checkpoint or crash point.
 */
import { InvalidOptionError } from '../../errors.js';
import type { Source, SourceItem } from '../../streams/sources/source.js';

/** Where the source waits, and how the engine lets it go on. */
export class SourceGate implements Gate {
  #waiting: { readonly offset: number; readonly open: () => void } | undefined;
  /** The offset the current read started at. */
  from = 0;

  /** The offset of the record the source waits to deliver (the input's length: its end), if it waits. */
  get waiting(): number | undefined {
    return this.#waiting?.offset;
  }

  wait(offset: number): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting = { offset, open: resolve };
    });
  }

  /** Lets the waiting source deliver its record (or end). */
  open(): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.open();
  }
}

/** What a gated source waits at: the engine's {@link SourceGate}, or a threaded run's {@link ThreadedGate}. */
export interface Gate {
  /** The offset the current read started at. */
  from: number;
  /** Resolves when the source may deliver the record at `offset` (the input's length: its end). */
  wait(offset: number): Promise<void>;
}

/**
 * The gate of a run on worker threads, which runs on the system clock: records before `stopAt` pass
 * at once; at `stopAt` the source is held for good and `reached` resolves, for the engine to stop the
 * run at a checkpoint there. A `stopAt` past the input's length never holds it.
 */
export class ThreadedGate implements Gate {
  from = 0;
  readonly #stopAt: number;
  #reach!: () => void;
  readonly reached = new Promise<void>((resolve) => (this.#reach = resolve));

  constructor(stopAt: number) {
    this.#stopAt = stopAt;
  }

  wait(offset: number): Promise<void> {
    if (offset < this.#stopAt) return Promise.resolve();
    this.#reach();
    return new Promise<void>(() => undefined);
  }
}

export function gatedSource<TRecord>(records: readonly TRecord[], gate: Gate): Source<TRecord, number> {
  return {
    name: 'test-input',
    replayable: true,
    start: 0,
    read(from = 0) {
      if (!Number.isInteger(from) || from < 0 || from > records.length) {
        throw new InvalidOptionError('from', `an offset of the test input, from 0 to ${records.length}`, from);
      }
      gate.from = from;
      return (async function* (): AsyncGenerator<SourceItem<TRecord, number>> {
        for (let i = from; i < records.length; i++) {
          await gate.wait(i);
          yield { kind: 'record', value: records[i] as TRecord, next: i + 1 };
        }
        await gate.wait(records.length);
      })();
    },
  };
}
