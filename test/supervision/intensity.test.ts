import { describe, expect, it } from 'vitest';
import { ActorFailedError, RestartIntensityExceededError, type ActorRef, type ActorSystem, type SystemOptions } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { nextEvent, nextTurn, recordDeadLetters, recordEvents, stoppedPaths, useSystems } from '../actors/helpers.js';
import { flaky, parent, rejectionOf, spawnParent, spawnWorker, worker, type WorkerMsg } from './helpers.js';

const newSystem = useSystems();

function virtualSystem(options: SystemOptions = {}): { system: ActorSystem; clock: VirtualClock } {
  const clock = new VirtualClock();
  return { system: newSystem({ ...options, clock }), clock };
}

/** Makes `child` fail once and waits until it has restarted. */
async function failOnce(system: ActorSystem, child: ActorRef<WorkerMsg>, error = new Error('boom')): Promise<void> {
  const restarted = nextEvent(system, 'actor-restarted', (event) => event.path === child.path);
  child.tell(flaky(error, { by: 1 }));
  await restarted;
}

function restartCount(events: ReturnType<typeof recordEvents>, path: string): number {
  return events.filter((event) => event.type === 'actor-restarted' && event.path === path).length;
}

/** Expects `error` to be the supervisor's give-up with these details. */
function expectGaveUp(error: unknown, expected: { supervisor: string; child: string; maxRestarts: number; withinMs: number; cause: unknown }): void {
  expect(error).toBeInstanceOf(RestartIntensityExceededError);
  const { supervisor, child, maxRestarts, withinMs, cause, code } = error as RestartIntensityExceededError;
  expect({ supervisor, child, maxRestarts, withinMs, cause }).toEqual(expected);
  expect(cause).toBe(expected.cause);
  expect(code).toBe('RESTART_INTENSITY');
}

describe('SupervisorOptions', () => {
  describe('maxRestarts and withinMs', () => {
    describe('of an actor supervisor', () => {
      async function tree(maxRestarts: number, withinMs: number) {
        const { system, clock } = virtualSystem();
        const root = system.spawn(parent, { name: 'root', supervision: { decide: () => 'resume' } });
        const sup = await spawnParent(root, 'sup', { supervisor: { maxRestarts, withinMs } });
        const failing = await spawnWorker(sup, 'failing');
        const bystander = await spawnWorker(sup, 'bystander');
        bystander.tell({ type: 'inc', by: 5 });
        return { system, clock, root, sup, failing, bystander };
      }

      it('allows maxRestarts restarts within withinMs', async () => {
        const { system, clock, sup, failing, bystander } = await tree(3, 1000);
        const events = recordEvents(system);
        for (let i = 0; i < 3; i++) {
          await failOnce(system, failing);
          await clock.advance(100);
        }
        await expect(failing.ask({ type: 'get' })).resolves.toBe(3);
        await expect(bystander.ask({ type: 'get' })).resolves.toBe(5);
        expect(restartCount(events, failing.path)).toBe(3);
        expect(sup.status).toBe('running');
        expect(events.filter((event) => event.type === 'actor-escalated')).toEqual([]);
      });

      /** Two restarts within the window, then a third failure that is one too many. */
      async function exhaust(maxRestarts: number, withinMs: number) {
        const family = await tree(maxRestarts, withinMs);
        const { system, clock, failing } = family;
        const events = recordEvents(system);
        await failOnce(system, failing);
        await clock.advance(400);
        await failOnce(system, failing);
        await clock.advance(400);
        const last = new Error('third strike');
        const expected = { supervisor: family.sup.path, child: failing.path, maxRestarts, withinMs, cause: last };
        return { ...family, events, last, expected };
      }

      it('gives up on one restart more: stops its children, then itself with reason escalated, escalating RestartIntensityExceededError', async () => {
        const { system, root, sup, failing, bystander, events, last, expected } = await exhaust(2, 1000);
        const supStopped = nextEvent(system, 'actor-stopped', (event) => event.path === sup.path);
        failing.tell(flaky(last));

        await expect(supStopped).resolves.toMatchObject({ reason: 'escalated' });
        const escalated = events.find((event) => event.type === 'actor-escalated' && event.path === sup.path);
        expect(escalated).toBeDefined();
        expectGaveUp((escalated as { error: unknown }).error, expected);
        expect(restartCount(events, failing.path)).toBe(2);
        expect(failing.status).toBe('stopped');
        expect(bystander.status).toBe('stopped');
        const stops = stoppedPaths(events);
        expect(stops.indexOf(sup.path)).toBe(stops.length - 1);
        expect(stops).toEqual(expect.arrayContaining([failing.path, bystander.path]));
        expect(events).toContainEqual(expect.objectContaining({ type: 'actor-stopped', path: bystander.path, reason: 'shutdown' }));
        expect(root.status).toBe('running');
        expect(system.status).toBe('running');
      });

      it('fails its parent with the RestartIntensityExceededError, as the system top level is failed with it', async () => {
        const { system, root, failing, last, expected } = await exhaust(2, 1000);
        const rootFailed = nextEvent(system, 'actor-failed', (event) => event.path === root.path);
        failing.tell(flaky(last));
        const failure = await rootFailed;
        expect(failure.message).toBeUndefined();
        expect(failure.directive).toBe('resume');
        expectGaveUp(failure.error, expected);
        expect(root.status).toBe('running');
      });

      it('tolerates no restart at all with maxRestarts 0', async () => {
        const { system, sup, failing } = await tree(0, 1000);
        const events = recordEvents(system);
        const supStopped = nextEvent(system, 'actor-stopped', (event) => event.path === sup.path);
        failing.tell(flaky(new Error('boom')));
        await expect(supStopped).resolves.toMatchObject({ reason: 'escalated' });
        expect(restartCount(events, failing.path)).toBe(0);
      });

      it('never gives up on restarts spread over more than withinMs', async () => {
        const { system, clock, sup, failing } = await tree(2, 1000);
        const events = recordEvents(system);
        for (let i = 0; i < 10; i++) {
          await failOnce(system, failing);
          await clock.advance(600);
        }
        await expect(failing.ask({ type: 'get' })).resolves.toBe(10);
        expect(restartCount(events, failing.path)).toBe(10);
        expect(sup.status).toBe('running');
      });

      it('does not count restarts whose cause is exempt, and still counts the others', async () => {
        class PlannedFault extends Error {}
        const { system } = virtualSystem();
        const root = system.spawn(parent, { name: 'root', supervision: { decide: () => 'resume' } });
        const sup = await spawnParent(root, 'sup', { supervisor: { maxRestarts: 1, withinMs: 1000, exempt: (cause) => cause instanceof PlannedFault } });
        const failing = await spawnWorker(sup, 'failing');
        const events = recordEvents(system);
        // Five planned faults within the window: each restarts the child, none is counted.
        for (let i = 0; i < 5; i++) await failOnce(system, failing, new PlannedFault('planned'));
        await failOnce(system, failing, new Error('real'));
        expect(restartCount(events, failing.path)).toBe(6);
        expect(sup.status).toBe('running');
        // The second real failure is one more than maxRestarts: the supervisor gives up.
        const supStopped = nextEvent(system, 'actor-stopped', (event) => event.path === sup.path);
        failing.tell(flaky(new Error('real again')));
        await expect(supStopped).resolves.toMatchObject({ reason: 'escalated' });
        expect(restartCount(events, failing.path)).toBe(6);
      });

      it('rejects an exempt that is not a function, naming it', () => {
        const { system } = virtualSystem();
        expect(() => system.spawn(parent, { supervisor: { exempt: 'planned' as never } })).toThrow(/supervisor\.exempt/);
      });

      it('forgets a restart exactly withinMs after it, not a tick before', async () => {
        const early = await tree(2, 1000);
        await failOnce(early.system, early.failing);
        await early.clock.advance(500);
        await failOnce(early.system, early.failing);
        await early.clock.advance(499);
        const earlyStopped = nextEvent(early.system, 'actor-stopped', (event) => event.path === early.sup.path);
        early.failing.tell(flaky(new Error('at 999 ms')));
        await expect(earlyStopped).resolves.toMatchObject({ reason: 'escalated' });

        const onTime = await tree(2, 1000);
        await failOnce(onTime.system, onTime.failing);
        await onTime.clock.advance(500);
        await failOnce(onTime.system, onTime.failing);
        await onTime.clock.advance(500);
        await failOnce(onTime.system, onTime.failing, new Error('at 1000 ms'));
        expect(onTime.sup.status).toBe('running');
      });

      it('counts one restart per failure under one-for-all, however many siblings restart with it', async () => {
        const { system } = virtualSystem();
        const events = recordEvents(system);
        const sup = system.spawn(parent, { name: 'sup', supervisor: { strategy: 'one-for-all', maxRestarts: 2, withinMs: 1000 } });
        const children = [await spawnWorker(sup, 'a'), await spawnWorker(sup, 'b'), await spawnWorker(sup, 'c')];
        await failOnce(system, children[0] as ActorRef<WorkerMsg>);
        await failOnce(system, children[2] as ActorRef<WorkerMsg>);
        await Promise.all(children.map((child) => child.ask({ type: 'get' })));
        expect(events.filter((event) => event.type === 'actor-restarted')).toHaveLength(6);
        expect(sup.status).toBe('running');
      });
    });

    describe.each(['actor', 'system'] as const)('of %s supervisor, on giving up', (supervisor) => {
      /** A worker under a supervisor that tolerates no restart, with an inc queued behind what fails. */
      async function noRestarts() {
        const { system } = virtualSystem(supervisor === 'system' ? { supervisor: { maxRestarts: 0 } } : {});
        const letters = recordDeadLetters(system);
        let failing: ActorRef<WorkerMsg>;
        if (supervisor === 'actor') {
          const root = system.spawn(parent, { name: 'root', supervision: { decide: () => 'resume' } });
          const sup = await spawnParent(root, 'sup', { supervisor: { maxRestarts: 0 } });
          failing = await spawnWorker(sup, 'failing');
        } else {
          failing = system.spawn(worker, { name: 'failing' });
        }
        const stopped = nextEvent(system, 'actor-stopped', (event) => event.path === failing.path);
        return { system, letters, failing, stopped };
      }

      it('dead-letters the message whose failure was one restart too many, once, as handler-failed with its error', async () => {
        const { letters, failing, stopped } = await noRestarts();
        const error = new Error('one too many');
        const message = flaky(error);
        failing.tell(message);
        failing.tell({ type: 'inc', by: 1 });
        await stopped;
        expect(letters.map(({ reason, message }) => ({ reason, message }))).toEqual([
          { reason: 'handler-failed', message },
          { reason: 'unprocessed', message: { type: 'inc', by: 1 } },
        ]);
        expect(letters[0]?.error).toBe(error);
      });

      it('rejects an ask for that message with ActorFailedError carrying the error, and dead-letters it once', async () => {
        const { letters, failing, stopped } = await noRestarts();
        const error = new Error('one too many');
        const message = flaky(error);
        const failure = rejectionOf(failing.ask(message, { timeoutMs: Infinity }));
        await stopped;
        expect(await failure).toBeInstanceOf(ActorFailedError);
        expect(await failure).toMatchObject({ actor: failing.path, cause: error });
        expect(letters.map(({ reason, message }) => ({ reason, message }))).toEqual([{ reason: 'handler-failed', message }]);
      });
    });

    describe('of the system', () => {
      it('defaults to 10 restarts within 10 seconds', async () => {
        const { system } = virtualSystem();
        const ref = system.spawn(worker, { name: 'w' });
        for (let i = 0; i < 10; i++) await failOnce(system, ref);
        expect(system.status).toBe('running');
        ref.tell(flaky(new Error('eleventh')));
        const failure = await rejectionOf(system.whenTerminated);
        expect(failure).toBeInstanceOf(RestartIntensityExceededError);
        expect(failure).toMatchObject({ maxRestarts: 10, withinMs: 10_000 });
      });

      it('gives up on one restart more: the system fails and whenTerminated rejects with RestartIntensityExceededError, unhandled by nobody', async () => {
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown): void => {
          unhandled.push(reason);
        };
        process.on('unhandledRejection', onUnhandled);
        try {
          const { system, clock } = virtualSystem({ supervisor: { maxRestarts: 2, withinMs: 1000 } });
          const events = recordEvents(system);
          const failing = system.spawn(worker, { name: 'failing' });
          const bystander = system.spawn(worker, { name: 'bystander' });
          await failOnce(system, failing);
          await clock.advance(900);
          await failOnce(system, failing);
          expect(system.status).toBe('running');
          const last = new Error('third strike');
          const terminated = nextEvent(system, 'system-terminated');
          failing.tell(flaky(last));
          const event = await terminated;
          await nextTurn();
          expect(unhandled).toEqual([]);
          expect(system.status).toBe('failed');
          const failure = await rejectionOf(system.whenTerminated);
          expectGaveUp(failure, { supervisor: '/user', child: '/user/failing', maxRestarts: 2, withinMs: 1000, cause: last });
          expect(event.error).toBe(failure);
          expect(restartCount(events, failing.path)).toBe(2);
          expect(failing.status).toBe('stopped');
          expect(bystander.status).toBe('stopped');
          expect(events).toContainEqual(expect.objectContaining({ type: 'actor-stopped', path: '/user/bystander', reason: 'shutdown' }));
        } finally {
          process.off('unhandledRejection', onUnhandled);
        }
      });

      it('fails with the RestartIntensityExceededError of a top-level supervisor that gave up', async () => {
        const { system } = virtualSystem();
        const sup = system.spawn(parent, { name: 'sup', supervisor: { maxRestarts: 1, withinMs: 1000 } });
        const child = await spawnWorker(sup, 'child');
        await failOnce(system, child);
        const last = new Error('second strike');
        child.tell(flaky(last));
        const failure = await rejectionOf(system.whenTerminated);
        expect(system.status).toBe('failed');
        expectGaveUp(failure, { supervisor: '/user/sup', child: '/user/sup/child', maxRestarts: 1, withinMs: 1000, cause: last });
      });

      it('never gives up on restarts spread over more than withinMs', async () => {
        const { system, clock } = virtualSystem({ supervisor: { maxRestarts: 1, withinMs: 1000 } });
        const ref = system.spawn(worker, { name: 'w' });
        for (let i = 0; i < 5; i++) {
          await failOnce(system, ref);
          await clock.advance(1000);
        }
        await expect(ref.ask({ type: 'get' })).resolves.toBe(5);
        expect(system.status).toBe('running');
      });
    });
  });
});
