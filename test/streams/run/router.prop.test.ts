import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { KeyedStep } from '../../../src/streams/internal/logical-plan.js';
import type { PartitionKey } from '../../../src/streams/partitioning/canonical-key.js';
import { assignmentFor } from '../../../src/streams/run/assign.js';
import type { StageMessage } from '../../../src/streams/run/messages.js';
import { Router } from '../../../src/streams/run/router.js';
import { stateKeyOf } from '../../../src/streams/run/state-key.js';
import { UNVERSIONED } from '../../../src/streams/stage-state.js';

/** A keyed step over `keyOf`; the operator is never run here. */
function keyedStep(keyOf: (record: unknown) => PartitionKey, partitions: number): KeyedStep {
  return {
    kind: 'keyed',
    name: 'count',
    keyOf,
    partitions,
    maxParallelism: 128,
    boundaries: undefined,
    state: UNVERSIONED,
    operator: { kind: 'aggregate' } as never,
  };
}

/** Records that are their own key (strings, numbers) or are not (a tuple key, a prefixed string, a NUL-led string). */
const recordArb = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(Number.NaN, -0, '\u0000x'),
  fc.record({ id: fc.integer({ min: 0, max: 9 }) }),
);

/** Strings and numbers key themselves; objects key by a tuple. */
const keyOf = (record: unknown): PartitionKey =>
  typeof record === 'object' && record !== null ? ['id', (record as { id: number }).id] : (record as string | number);

describe('Router', () => {
  it.prop([fc.array(recordArb, { maxLength: 300 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 })])(
    'sends each record once, in order per partition, beside its own state key, whether or not records are their own keys',
    async (records, partitions, batchSize) => {
      const assignment = assignmentFor(keyedStep(keyOf, partitions));
      const sent: { index: number; message: StageMessage<unknown> }[] = [];
      const router = new Router({
        next: assignment,
        batchSize,
        retries: 0,
        send: (index, message) => {
          sent.push({ index, message });
          return Promise.resolve();
        },
        deadLetter: () => {
          throw new Error('no record here is invalid');
        },
        from: 0,
        timed: false,
      });
      for (const record of records) router.route(record);
      await router.flush();
      const received: unknown[][] = Array.from({ length: partitions }, () => []);
      for (const { index, message } of sent) {
        if (message.type !== 'batch') continue;
        expect(message.entries.length).toBeLessThanOrEqual(batchSize);
        expect(message.keys).toHaveLength(message.entries.length);
        message.entries.forEach((record, i) => {
          expect(Object.is(message.keys?.[i], stateKeyOf(keyOf(record)))).toBe(true);
          expect(assignment.partitionOfKey(keyOf(record))).toBe(index);
          received[index]?.push(record);
        });
      }
      for (let p = 0; p < partitions; p++) {
        expect(received[p]).toEqual(records.filter((record) => assignment.partitionOfKey(keyOf(record)) === p));
      }
    },
  );
});
