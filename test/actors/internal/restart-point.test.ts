/**
 * The restart point's in-flight log: whatever was logged, dropped, captured or rolled back before,
 * a rollback hands back exactly the entries logged since the last snapshot, in order, each with
 * its ordinal — the log's slots are reused across snapshots, so nothing of an earlier log may show.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestartPoint } from '../../../src/actors/internal/restart-point.js';

type Op = { readonly kind: 'take'; readonly entry: string } | { readonly kind: 'drop' } | { readonly kind: 'capture' } | { readonly kind: 'rollback' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 3 }).map((entry) => ({ kind: 'take' as const, entry })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'drop' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'capture' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'rollback' as const }) },
);

describe('RestartPoint', () => {
  describe('rollback', () => {
    it('hands back the entries logged since the last snapshot, in order, with their ordinals', () => {
      // Long runs of takes too: an emptied log keeps its slots only up to a bound.
      const ops = fc.array(
        fc.oneof(
          op,
          fc.array(op, { maxLength: 150 }).map((run) => ({ kind: 'run' as const, run })),
        ),
        { maxLength: 40 },
      );
      fc.assert(
        fc.property(ops, (items) => {
          const point = new RestartPoint<number, string>(1_000_000, { sequence: 0, state: 0, seq: 0, highWater: new Map() });
          let model: { entry: string; ordinal: number }[] = [];
          let ordinal = 0;
          const apply = (step: Op): void => {
            switch (step.kind) {
              case 'take':
                point.taken(step.entry, ++ordinal);
                model.push({ entry: step.entry, ordinal });
                break;
              case 'drop':
                point.dropLast();
                model.pop();
                break;
              case 'capture':
                point.capture(0, 0, new Map(), undefined);
                model = [];
                break;
              case 'rollback':
                expect(point.rollback().replay).toEqual(model);
                model = [];
                break;
            }
            expect(point.logged).toBe(model.length);
          };
          for (const item of items) {
            if (item.kind === 'run') item.run.forEach(apply);
            else apply(item);
          }
          expect(point.rollback().replay).toEqual(model);
        }),
      );
    });
  });
});
