import { describe, expect, it } from 'vitest';
import { defineActor, type ActorRef, type SpawnOptions, type SupervisorOptions } from '../../src/index.js';
import { createTestKit } from '../../src/testing/index.js';
import { expectInvalidOption } from '../actors/helpers.js';
import { flaky, worker, type WorkerMsg } from './helpers.js';

/** A parent that starts workers a and b in its `started`, supervising them as `supervisor` says. */
function family(supervisor: SupervisorOptions | undefined, children: ActorRef<WorkerMsg>[]) {
  return defineActor<null, never>({
    initialState: () => null,
    started(_state, ctx) {
      for (const name of ['a', 'b']) children.push(ctx.spawn(worker, { name }));
    },
    receive: (state) => state,
    supervisor,
  });
}

async function restartedWhenAFails(definitionSupervisor: SupervisorOptions | undefined, spawnOptions: SpawnOptions = {}) {
  const kit = createTestKit();
  const children: ActorRef<WorkerMsg>[] = [];
  const parent = kit.system.spawn(family(definitionSupervisor, children), { name: 'parent', ...spawnOptions });
  await kit.settle();
  children[0]?.tell(flaky(new Error('boom')));
  await kit.settle();
  const restarted = kit.events.flatMap((e) => (e.type === 'actor-restarted' ? [e.path.slice('/user/parent/'.length)] : []));
  const status = parent.status;
  await kit.shutdown();
  return { restarted, status };
}

describe('ActorDefinition', () => {
  describe('supervisor', () => {
    it('supervises the children as the definition says when spawn does not', async () => {
      expect(await restartedWhenAFails({ strategy: 'one-for-all' })).toEqual({ restarted: ['a', 'b'], status: 'running' });
      expect(await restartedWhenAFails(undefined)).toEqual({ restarted: ['a'], status: 'running' });
    });

    it("gives way to spawn's supervisor field by field", async () => {
      // Spawn sets the limit only: the definition's strategy stays, and the one restart is one too many.
      const outcome = await restartedWhenAFails({ strategy: 'one-for-all', maxRestarts: 5 }, { supervisor: { maxRestarts: 0, strategy: undefined } });
      expect(outcome).toEqual({ restarted: [], status: 'stopped' });
      expect(await restartedWhenAFails({ strategy: 'one-for-all' }, { supervisor: { strategy: 'one-for-one' } })).toEqual({
        restarted: ['a'],
        status: 'running',
      });
    });

    it('is checked by defineActor', () => {
      expectInvalidOption(() => family({ strategy: 'all-for-one' as 'one-for-all' }, []), 'supervisor.strategy');
      expectInvalidOption(() => family({ maxRestarts: -1 }, []), 'supervisor.maxRestarts');
      expectInvalidOption(() => family('one-for-all' as SupervisorOptions, []), 'supervisor');
    });
  });
});
