/**
 * The source of a pipeline under test: replayable over an array, but each record (and the end)
 * waits at a gate until the test's engine opens it, so when the source delivers is a scheduling
 * decision like any actor's turn, and the engine can hold it at a checkpoint or crash point.
 */
import { InvalidOptionError } from '../../errors.js';
import type { Source, SourceItem } from '../../streams/sources/source.js';

/** Where the source waits, and how the engine lets it go on. */
export class SourceGate {
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

export function gatedSource<TRecord>(records: readonly TRecord[], gate: SourceGate): Source<TRecord, number> {
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
