/**
 * The durable inbox's decisions, as a pure function of the frames in the stream: senders that
 * publish frames twice (a lost acknowledgement), restart elsewhere from a checkpoint (a later
 * incarnation) while their predecessor, a zombie, goes on publishing; the receiver drops what a
 * restarted sender sends again by the numbers its messages carry (a partition's sequence numbers,
 * a unit's index). Every unit then arrives once and in order, and a receiver restarted from a
 * checkpoint, reading the same stream, takes exactly what its predecessor took after it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InboxBook } from '../../src/cluster/inbox-book.js';

/** Units of a sender per epoch (its barriers come every this many units). */
const EPOCH_UNITS = 3;

interface StoredFrame {
  readonly from: string;
  readonly epoch: number;
  readonly incarnation: number;
  readonly first: number;
  /** The units its messages carry. */
  readonly units: readonly number[];
}

interface Incarnation {
  readonly incarnation: number;
  /** The next unit it sends, and the index that message gets. */
  unit: number;
  index: number;
}

type Command =
  | { readonly kind: 'frame'; readonly sender: number; readonly size: number; readonly twice: boolean }
  | { readonly kind: 'zombie'; readonly sender: number; readonly size: number }
  | { readonly kind: 'restart'; readonly sender: number; readonly back: number };

const SENDERS = 3;
const UNITS = 12;

const command: fc.Arbitrary<Command> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('frame' as const), sender: fc.nat(SENDERS - 1), size: fc.integer({ min: 1, max: 4 }), twice: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('zombie' as const), sender: fc.nat(SENDERS - 1), size: fc.integer({ min: 1, max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), sender: fc.nat(SENDERS - 1), back: fc.nat(5) }) },
);

/** Reads `frames` with a book starting at `fromEpoch`: the units delivered, in order, with their sender and epoch. */
function read(frames: readonly StoredFrame[], fromEpoch: number): { from: string; unit: number; epoch: number }[] {
  const book = new InboxBook(fromEpoch);
  const delivered: { from: string; unit: number; epoch: number }[] = [];
  for (const frame of frames) {
    const verdict = book.read(frame.from, frame.epoch, frame.incarnation, frame.first, frame.units.length);
    if (verdict.kind === 'deliver') for (const unit of frame.units.slice(verdict.skip)) delivered.push({ from: frame.from, unit, epoch: frame.epoch });
  }
  return delivered;
}

/** What the receiving partition keeps of what is delivered: each sender's units above the last it took (its sequence numbers' high water). */
function admitted(delivered: readonly { from: string; unit: number }[]): Map<string, number[]> {
  const units = new Map<string, number[]>();
  for (const { from, unit } of delivered) {
    const taken = units.get(from) ?? [];
    if (unit > (taken.at(-1) ?? -1)) taken.push(unit);
    units.set(from, taken);
  }
  return units;
}

/**
 * Runs `commands` into a stream: each sender's newest incarnation sends its units in frames (cut at
 * epoch changes), a restart begins a new incarnation from a checkpoint the receiver has taken
 * everything before, older incarnations go on as zombies; at the end every newest incarnation
 * sends what it has left.
 */
function stream(commands: readonly Command[]): StoredFrame[] {
  const frames: StoredFrame[] = [];
  const incarnations: Incarnation[][] = Array.from({ length: SENDERS }, () => [{ incarnation: 0, unit: 0, index: 0 }]);
  const publish = (sender: number, current: Incarnation, size: number, twice: boolean): void => {
    if (current.unit >= UNITS) return;
    const epoch = Math.floor(current.unit / EPOCH_UNITS);
    const count = Math.min(size, UNITS - current.unit, (epoch + 1) * EPOCH_UNITS - current.unit);
    const units = Array.from({ length: count }, (_, i) => current.unit + i);
    const frame: StoredFrame = { from: `s${sender}`, epoch, incarnation: current.incarnation, first: current.index, units };
    frames.push(frame);
    if (twice) frames.push(frame);
    current.unit += count;
    current.index += count;
  };
  for (const step of commands) {
    const own = incarnations[step.sender] as Incarnation[];
    const newest = own.at(-1) as Incarnation;
    if (step.kind === 'frame') publish(step.sender, newest, step.size, step.twice);
    else if (step.kind === 'zombie') {
      const zombie = own.at(-2);
      if (zombie !== undefined) publish(step.sender, zombie, step.size, false);
    } else {
      // A checkpoint the receiver is past: every unit of the epochs before it was taken.
      const taken = admitted(read(frames, 0)).get(`s${step.sender}`)?.length ?? 0;
      const checkpoint = Math.max(0, Math.floor(taken / EPOCH_UNITS) - Math.min(step.back, 1));
      own.push({ incarnation: newest.incarnation + 1, unit: checkpoint * EPOCH_UNITS, index: 0 });
    }
  }
  incarnations.forEach((own, sender) => {
    const newest = own.at(-1) as Incarnation;
    while (newest.unit < UNITS) publish(sender, newest, 4, false);
  });
  return frames;
}

describe('InboxBook', () => {
  it('lets every unit of every sender through once and in order, whatever was published twice, restarted or sent by a zombie', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const units = admitted(read(stream(commands), 0));
        for (let sender = 0; sender < SENDERS; sender++) expect(units.get(`s${sender}`)).toEqual(Array.from({ length: UNITS }, (_, u) => u));
      }),
    );
  });

  it('delivers to a receiver restarted from a checkpoint exactly what its predecessor took after it, in the same order, whatever was purged before it', () => {
    const checkpoints = fc.nat(Math.ceil(UNITS / EPOCH_UNITS)).chain((checkpoint) => fc.tuple(fc.constant(checkpoint), fc.nat(checkpoint)));
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), checkpoints, (commands, [checkpoint, purged]) => {
        const frames = stream(commands);
        const before = read(frames, 0).filter(({ epoch }) => epoch >= checkpoint);
        expect(
          read(
            frames.filter(({ epoch }) => epoch >= purged),
            checkpoint,
          ),
        ).toEqual(before);
      }),
    );
  });

  it('ignores a zombie’s frames once its successor’s came, and refuses a frame that leaves a gap', () => {
    const book = new InboxBook(0);
    expect(book.read('a', 0, 0, 0, 2)).toEqual({ kind: 'deliver', skip: 0 });
    expect(book.read('a', 0, 1, 0, 1)).toEqual({ kind: 'deliver', skip: 0 });
    expect(book.read('a', 0, 0, 2, 1)).toEqual({ kind: 'ignore', why: 'zombie' });
    expect(book.read('a', 0, 1, 3, 1)).toEqual({ kind: 'ignore', why: 'gap' });
    expect(book.read('a', 0, 1, 0, 2)).toEqual({ kind: 'deliver', skip: 1 });
    expect(book.place('a')).toEqual({ incarnation: 1, taken: 2 });
  });

  it('starts counting a sender at the first frame of its still in the stream', () => {
    const book = new InboxBook(1);
    expect(book.read('a', 1, 0, 7, 2)).toEqual({ kind: 'deliver', skip: 0 });
    expect(book.place('a')).toEqual({ incarnation: 0, taken: 9 });
  });

  it('counts the frames of epochs before its checkpoint as taken without delivering them', () => {
    const book = new InboxBook(2);
    expect(book.read('a', 1, 0, 0, 3)).toEqual({ kind: 'ignore', why: 'epoch' });
    expect(book.read('a', 2, 0, 3, 1)).toEqual({ kind: 'deliver', skip: 0 });
    expect(book.place('a')).toEqual({ incarnation: 0, taken: 4 });
  });
});
