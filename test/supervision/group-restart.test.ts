/**
 * Restart types inside a group restart: a temporary child is never restarted, so a sibling's
 * restart under one-for-all or rest-for-one stops it instead, as in OTP — and the children after
 * it still restart after the ones before it.
 */
import { describe, expect, it } from 'vitest';
import { defineActor, type ActorRef, type RestartType } from '../../src/index.js';
import { createTestKit } from '../../src/testing/index.js';
import { deferred } from '../actors/helpers.js';
import { flaky, worker, type WorkerMsg } from './helpers.js';

const TYPES: readonly [string, RestartType][] = [
  ['a', 'transient'],
  ['b', 'temporary'],
  ['c', 'permanent'],
];

describe('SupervisorOptions', () => {
  describe('strategy', () => {
    it.each(['one-for-all', 'rest-for-one'] as const)(
      'under %s stops a temporary sibling instead of restarting it, keeping the order of the rest',
      async (strategy) => {
        const kit = createTestKit();
        const log: string[] = [];
        const gate = deferred();
        let restarting = false;
        const child = defineActor<number, WorkerMsg>({
          ...worker,
          async started(_state, ctx) {
            log.push(`begin ${ctx.self.name}`);
            // a holds its restart open: a sibling that did not wait for it would begin meanwhile.
            if (restarting && ctx.self.name === 'a') await gate.promise;
            log.push(`end ${ctx.self.name}`);
          },
        });
        const refs: ActorRef<WorkerMsg>[] = [];
        kit.system.spawn(
          defineActor<null, never>({
            initialState: () => null,
            started(_state, ctx) {
              for (const [name, restart] of TYPES) refs.push(ctx.spawn(child, { name, supervision: { restart } }));
            },
            receive: (state) => state,
          }),
          { name: 'sup', supervisor: { strategy } },
        );
        await kit.settle();
        log.length = 0;
        restarting = true;
        refs[0]?.tell(flaky(new Error('boom')));
        await kit.settle();
        expect(log).toEqual(['begin a']);
        gate.resolve();
        await kit.settle();
        expect(log).toEqual(['begin a', 'end a', 'begin c', 'end c']);
        expect(refs.map((ref) => ref.status)).toEqual(['running', 'stopped', 'running']);
        expect(kit.events.find((e) => e.type === 'actor-stopped')).toMatchObject({ path: '/user/sup/b', reason: 'shutdown' });
        await kit.shutdown();
      },
    );
  });
});
