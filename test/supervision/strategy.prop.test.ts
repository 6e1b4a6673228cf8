/**
 * The order of a group restart, as in OTP: under every strategy, the children that restart
 * together (the failed one and the siblings the strategy names) restart one after another in start
 * order — each one's `started` hook begins only once its elder siblings' restarts have ended —
 * however fast or slow each hook is. fast-check's scheduler decides when each hook's await resumes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STRATEGIES, createSystem, defineActor, type ActorRef, type ActorSystem, type SupervisionStrategy } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { nextEvent } from '../actors/helpers.js';
import { CHILDREN, RESTART_GROUPS, flaky, worker, type ChildName, type WorkerMsg } from './helpers.js';

type ParentMsg = 'spawned';

/**
 * Three workers a, b, c started in that order under `strategy`, supervised by an actor
 * (`/user/sup`, which spawns them in its own `started`) or by the system. Each child's `started`
 * logs `begin <name>`, lets the scheduler run other tasks, then logs `end <name>`.
 */
async function family(s: fc.Scheduler, supervisor: 'actor' | 'system', strategy: SupervisionStrategy, log: string[]) {
  const system: ActorSystem = createSystem({ clock: new VirtualClock(), ...(supervisor === 'system' ? { supervisor: { strategy } } : {}) });
  const child = (name: ChildName) =>
    defineActor<number, WorkerMsg>({
      ...worker,
      async started() {
        log.push(`begin ${name}`);
        await s.schedule(Promise.resolve(), `started ${name}`);
        log.push(`end ${name}`);
      },
    });
  let children: ActorRef<WorkerMsg>[];
  if (supervisor === 'actor') {
    const refs: ActorRef<WorkerMsg>[] = [];
    const sup = system.spawn(
      defineActor<null, ParentMsg>({
        initialState: () => null,
        started(_state, ctx) {
          for (const name of CHILDREN) refs.push(ctx.spawn(child(name), { name }));
        },
        receive(state, _msg, ctx) {
          ctx.reply(null);
          return state;
        },
      }),
      { name: 'sup', supervisor: { strategy } },
    );
    await s.waitFor(sup.ask('spawned'));
    children = refs;
  } else {
    children = CHILDREN.map((name) => system.spawn(child(name), { name }));
  }
  // Every child has started for the first time: only restarts are logged from here on.
  await s.waitFor(Promise.all(children.map((ref) => ref.ask({ type: 'get' }))));
  log.length = 0;
  return { system, children: Object.fromEntries(CHILDREN.map((name, i) => [name, children[i]])) as Record<ChildName, ActorRef<WorkerMsg>> };
}

describe('SupervisorOptions', () => {
  describe('strategy', () => {
    describe.each(['actor', 'system'] as const)('of %s supervisor', (supervisor) => {
      describe.each(STRATEGIES)('%s', (strategy) => {
        it.each(CHILDREN)(
          'restarts the group in start order when %s fails, each started after its elder siblings restarted, however the hooks interleave',
          async (failing) => {
            const expected = RESTART_GROUPS[strategy][failing].flatMap((name) => [`begin ${name}`, `end ${name}`]);
            await fc.assert(
              fc.asyncProperty(fc.scheduler(), async (s) => {
                const log: string[] = [];
                const { system, children } = await family(s, supervisor, strategy, log);
                try {
                  const failed = nextEvent(system, 'actor-failed');
                  children[failing].tell(flaky(new Error(`${failing} broke`)));
                  await s.waitFor(failed);
                  // The restart requests are queued before these: each answer comes after its restart.
                  await s.waitFor(Promise.all(CHILDREN.map((name) => children[name].ask({ type: 'get' }))));
                  expect(log).toEqual(expected);
                } finally {
                  await s.waitFor(system.shutdown());
                }
              }),
              { numRuns: 25 },
            );
          },
        );
      });
    });
  });
});
