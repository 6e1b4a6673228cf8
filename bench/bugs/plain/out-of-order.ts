/**
 * Records delivered out of order within a bound, as a fast-check user makes them for an event-time
 * pipeline: each record is held back by a generated delay of at most the bound (in event time),
 * and records go out in order of time plus delay. A record then never comes more than the bound
 * behind one delivered before it, which is what `maxOutOfOrdernessMs` promises to tolerate.
 */
import fc from 'fast-check';

/** Delays, one per record by input index (missing ones are 0), each in [0, bound]. */
export function delaysArb(bound: number): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 0, max: bound }), { maxLength: 30 });
}

/** `input` in the order it is delivered: by time plus delay, ties in input order. */
export function outOfOrder<TRecord>(input: readonly TRecord[], delays: readonly number[], timeOf: (record: TRecord) => number): TRecord[] {
  const due = input.map((record, i) => ({ record, at: timeOf(record) + (delays[i] ?? 0), i }));
  due.sort((a, b) => a.at - b.at || a.i - b.i);
  return due.map((d) => d.record);
}
