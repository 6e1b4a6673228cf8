/**
 * The message ids of a JetStream sink's output (`Nats-Msg-Id`), chosen so that JetStream's
 * duplicate detection drops what a resumed run writes a second time. A record's id is
 * `<incarnation>.<layout>.<partition>.<n>.<hash>`:
 *
 * - `incarnation`: drawn at random when a job starts without a checkpoint, then kept in every
 *   checkpoint, so a job started afresh never shares ids with an earlier one;
 * - `layout`: names the partition count of the stage before the sink, and changes (as a function
 *   of the one before and the new count) when a resume changes that count, so numbers counted under
 *   one partitioning never meet those of another;
 * - `partition`, `n`: the record is the n-th that partition sent the sink under that layout. Each
 *   partition's output after a checkpoint is a function of the checkpoint; how the outputs of
 *   several partitions interleave is not, and neither is where the next barrier falls, so the
 *   count runs on across checkpoints rather than starting again at each;
 * - `hash`: of the payload, so a record that comes out differently after a resume (code that is not
 *   deterministic) gets an id of its own and is written, at least once, rather than being dropped as
 *   the duplicate of another record.
 *
 * Pure bookkeeping: what a checkpoint stores and how ids follow from it.
 */
import { InvalidOptionError } from '../../errors.js';
import { murmur3 } from '../../streams/partitioning/murmur3.js';

/** What a checkpoint keeps of a sink's numbering (plain JSON). */
export interface NumberingToken {
  readonly incarnation: string;
  /** '' until the first record. */
  readonly layout: string;
  /** The partition count the layout is for; 0 until the first record. */
  readonly partitions: number;
  /** Records numbered so far under the layout, per partition. */
  readonly counts: readonly number[];
}

const encoder = new TextEncoder();

/**
 * The layout after `layout` when the stage before the sink now has `partitions` partitions: a
 * function of the two, so every run that resumes from one checkpoint with one count picks the same.
 */
export function nextLayout(layout: string, partitions: number): string {
  if (layout === '') return `p${partitions}`;
  return `h${murmur3(encoder.encode(`${layout}>${partitions}`)).toString(36)}`;
}

/** A sink's running numbering: one per run, started from a checkpoint's token or afresh. */
export class OutputNumbering {
  readonly #incarnation: string;
  #layout: string;
  #partitions: number;
  #counts: number[];

  constructor(token: NumberingToken) {
    this.#incarnation = token.incarnation;
    this.#layout = token.layout;
    this.#partitions = token.partitions;
    this.#counts = [...token.counts];
  }

  /** Readies numbering for a batch from a stage of `partitions` partitions: a new layout when the count changed. */
  begin(partitions: number): void {
    if (partitions === this.#partitions) return;
    this.#layout = nextLayout(this.#layout, partitions);
    this.#partitions = partitions;
    this.#counts = new Array<number>(partitions).fill(0);
  }

  /** The id of the next record from `partition`, whose encoded payload is `payload`. */
  next(partition: number, payload: Uint8Array): string {
    const n = ((this.#counts[partition] as number) += 1);
    return `${this.#incarnation}.${this.#layout}.${partition}.${n}.${murmur3(payload).toString(36)}`;
  }

  /** What a checkpoint keeps: a copy. */
  token(): NumberingToken {
    return { incarnation: this.#incarnation, layout: this.#layout, partitions: this.#partitions, counts: [...this.#counts] };
  }
}

/**
 * `token` as a checkpoint restored it.
 * @throws InvalidOptionError naming `checkpoint` when it is not a token this sink wrote.
 */
export function checkNumberingToken(token: unknown): NumberingToken {
  const t = token as Partial<NumberingToken> | null;
  const counts = t?.counts;
  const valid =
    typeof t === 'object' &&
    t !== null &&
    typeof t.incarnation === 'string' &&
    t.incarnation !== '' &&
    typeof t.layout === 'string' &&
    Number.isInteger(t.partitions) &&
    Array.isArray(counts) &&
    counts.length === t.partitions &&
    counts.every((n) => Number.isInteger(n) && (n as number) >= 0);
  if (!valid) throw new InvalidOptionError('checkpoint', 'a checkpoint whose sink was toJetStream (its token numbers the output)', token);
  return t as NumberingToken;
}
