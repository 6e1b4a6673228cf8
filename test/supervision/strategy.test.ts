import { describe, expect, it } from 'vitest';
import { STRATEGIES, defineActor, type ActorRef, type ActorSystem, type SpawnOptions, type SupervisionStrategy, type SystemEvent } from '../../src/index.js';
import { createTestKit } from '../../src/testing/index.js';
import { Inbox, deferred, gatedWorker, nextEvent, recordDeadLetters, recordEvents, stoppedPaths, useSystems } from '../actors/helpers.js';
import { CHILDREN, RESTART_GROUPS, flaky, parent, spawnParent, spawnWorker, worker, type ChildName, type ParentMsg, type WorkerMsg } from './helpers.js';

const newSystem = useSystems();

/** Each child's state before the failure: distinct, and built from several messages. */
const INCREMENTS: Record<ChildName, readonly number[]> = { a: [1], b: [10, 10], c: [100, 100, 100, 100, 100] };

function stateOf(name: ChildName): number {
  return INCREMENTS[name].reduce((sum, n) => sum + n, 0);
}

interface Family {
  readonly system: ActorSystem;
  readonly children: Record<ChildName, ActorRef<WorkerMsg>>;
  readonly pathOf: (name: ChildName) => string;
}

/**
 * Three workers a, b, c started in that order, supervised under `strategy` either by an actor
 * (`/user/sup`) or by the system itself. Snapshots every 3 messages, so a restart rolls back to a
 * snapshot older than the current state and replays what came after it.
 */
async function family(supervisor: 'actor' | 'system', strategy: SupervisionStrategy): Promise<Family> {
  const childOptions = { snapshot: { everyMessages: 3 } };
  let system: ActorSystem;
  let spawn: (name: ChildName) => Promise<ActorRef<WorkerMsg>>;
  let pathOf: (name: ChildName) => string;
  if (supervisor === 'actor') {
    system = newSystem();
    const sup: ActorRef<ParentMsg> = system.spawn(parent, { name: 'sup', supervisor: { strategy } });
    spawn = (name) => spawnWorker(sup, name, childOptions);
    pathOf = (name) => `/user/sup/${name}`;
  } else {
    system = newSystem({ supervisor: { strategy } });
    spawn = async (name) => system.spawn(worker, { ...childOptions, name });
    pathOf = (name) => `/user/${name}`;
  }
  const children = {} as Record<ChildName, ActorRef<WorkerMsg>>;
  for (const name of CHILDREN) {
    const child = await spawn(name);
    for (const by of INCREMENTS[name]) child.tell({ type: 'inc', by });
    children[name] = child;
  }
  return { system, children, pathOf };
}

function restartsIn(events: readonly SystemEvent[]): { path: string; error: unknown; from: string }[] {
  return events.flatMap((event) => (event.type === 'actor-restarted' ? [{ path: event.path, error: event.error, from: event.from }] : []));
}

describe('SupervisorOptions', () => {
  describe('strategy', () => {
    describe.each(['actor', 'system'] as const)('of %s supervisor', (supervisor) => {
      describe.each(STRATEGIES)('%s', (strategy) => {
        it.each(CHILDREN)('restarts exactly the expected children when child %s fails, each keeping its own state', async (failing) => {
          const { system, children, pathOf } = await family(supervisor, strategy);
          const events = recordEvents(system);
          const error = new Error(`${failing} broke`);
          const failedRestarted = nextEvent(system, 'actor-restarted', (event) => event.path === pathOf(failing));
          children[failing].tell(flaky(error, { by: 1000 }));
          await failedRestarted;

          // A sibling's restart request is queued before anything sent now, so these answers come after it.
          const states = await Promise.all(CHILDREN.map((name) => children[name].ask<number>({ type: 'get' })));

          expect(states).toEqual(CHILDREN.map((name) => stateOf(name) + (name === failing ? 1000 : 0)));
          const expected = RESTART_GROUPS[strategy][failing];
          const restarts = restartsIn(events);
          expect([...restarts.map((r) => r.path)].sort()).toEqual(expected.map(pathOf));
          for (const restart of restarts) {
            expect(restart.error).toBe(error);
            expect(restart.from).toBe('snapshot');
          }
          for (const name of CHILDREN) expect(children[name].status).toBe('running');
          expect(stoppedPaths(events)).toEqual([]);
        });
      });
    });

    describe.each(['one-for-all', 'rest-for-one'] as const)('%s', (strategy) => {
      it('restarts the siblings in start order', async () => {
        const { system, children, pathOf } = await family('actor', strategy);
        const events = recordEvents(system);
        children.a.tell(flaky(new Error('a broke')));
        await Promise.all(CHILDREN.map((name) => children[name].ask({ type: 'get' })));
        const siblings = restartsIn(events)
          .map((r) => r.path)
          .filter((path) => path !== pathOf('a'));
        expect(siblings).toEqual([pathOf('b'), pathOf('c')]);
      });
    });

    describe('one-for-all', () => {
      it('restarts a sibling from its own snapshot and replays what it took since', async () => {
        const system = newSystem();
        const sup = system.spawn(parent, { name: 'sup', supervisor: { strategy: 'one-for-all' } });
        const failing = await spawnWorker(sup, 'failing');
        const sibling = await spawnWorker(sup, 'sibling', { snapshot: { everyMessages: 3 } });
        // Three messages make a snapshot (state 6); the fourth inc and the get are only in the log.
        for (const by of [1, 2, 3, 4]) sibling.tell({ type: 'inc', by });
        await expect(sibling.ask({ type: 'get' })).resolves.toBe(10);
        const restarted = nextEvent(system, 'actor-restarted', (event) => event.path === sibling.path);
        failing.tell(flaky(new Error('boom')));
        // The inc and the get after the snapshot are processed again.
        await expect(restarted).resolves.toMatchObject({ from: 'snapshot', replayed: 2 });
        await expect(sibling.ask({ type: 'get' })).resolves.toBe(10);
      });

      it("stops a restarted sibling's children first, with reason shutdown", async () => {
        const system = newSystem();
        const events = recordEvents(system);
        const sup = system.spawn(parent, { name: 'sup', supervisor: { strategy: 'one-for-all' } });
        const failing = await spawnWorker(sup, 'failing');
        const sibling = await spawnParent(sup, 'sibling');
        const grandchild = await spawnWorker(sibling, 'grandchild');
        const grandchildStopped = nextEvent(system, 'actor-stopped', (event) => event.path === grandchild.path);
        const siblingRestarted = nextEvent(system, 'actor-restarted', (event) => event.path === sibling.path);
        failing.tell(flaky(new Error('boom')));
        await expect(grandchildStopped).resolves.toMatchObject({ reason: 'shutdown' });
        await siblingRestarted;
        const order = events.flatMap((event) =>
          (event.type === 'actor-stopped' && event.path === grandchild.path) || (event.type === 'actor-restarted' && event.path === sibling.path)
            ? [event.type]
            : [],
        );
        expect(order).toEqual(['actor-stopped', 'actor-restarted']);
        expect(sibling.status).toBe('running');
        expect(system.lookup(grandchild.path)).toBeUndefined();
      });

      it('restarts a child without waiting for an elder sibling that is stopping', async () => {
        const system = newSystem({ supervisor: { strategy: 'one-for-all' } });
        const gate = deferred();
        const a = system.spawn(
          defineActor<number, WorkerMsg>({
            ...worker,
            async stopping() {
              await gate.promise;
            },
          }),
          { name: 'a' },
        );
        const b = system.spawn(worker, { name: 'b' });
        await a.ask({ type: 'get' }); // started, so its stopping hook runs
        const aStopped = a.stop();
        const bRestarted = nextEvent(system, 'actor-restarted', (event) => event.path === b.path);
        b.tell(flaky(new Error('b broke'), { by: 1 }));
        await bRestarted;
        await expect(b.ask({ type: 'get' })).resolves.toBe(1);
        expect(a.status).toBe('stopping');
        gate.resolve();
        await aStopped;
      });

      it('stops a child waiting for its turn at once when its supervisor stops, and restarts nobody', async () => {
        const system = newSystem({ supervisor: { strategy: 'one-for-all' } });
        const events = recordEvents(system);
        const letters = recordDeadLetters(system);
        const gate = deferred();
        const entered = new Inbox<number>();
        const a = system.spawn(gatedWorker(gate.promise, entered), { name: 'a' });
        const b = system.spawn(worker, { name: 'b' });
        const c = system.spawn(worker, { name: 'c' });
        a.tell(0);
        await entered.next();
        // b fails while a is busy: b and c wait for a's restart, which waits for a's handler.
        const failed = nextEvent(system, 'actor-failed');
        const message = flaky(new Error('b broke'));
        b.tell(message);
        await failed;
        const bStopped = nextEvent(system, 'actor-stopped', (event) => event.path === b.path);
        const shutdown = system.shutdown();
        // c and b stop (last started first) while a's handler still runs: neither waits for a.
        await bStopped;
        expect(stoppedPaths(events)).toEqual([c.path, b.path]);
        gate.resolve();
        await shutdown;
        expect(events.filter((event) => event.type === 'actor-restarted')).toEqual([]);
        expect(letters.filter((letter) => letter.message === message).map((letter) => letter.reason)).toEqual(['unprocessed']);
      });

      /**
       * `a` fails and waits out a backoff; meanwhile `b`, whose async handler was in progress when
       * it was asked to restart with `a`, fails too and asks `a` to restart again: `a` gets that
       * second restart before it has processed its failed message again.
       */
      async function restartedTwice(snapshot: SpawnOptions['snapshot']) {
        const kit = createTestKit({ supervisor: { strategy: 'one-for-all' } });
        const a = kit.system.spawn(worker, { name: 'a', snapshot, supervision: { backoff: { minMs: 100, jitter: 0 } } });
        const gate = deferred();
        let bFailures = 0;
        const b = kit.system.spawn(
          defineActor<null, 'work'>({
            initialState: () => null,
            async receive(state) {
              await gate.promise;
              if (bFailures++ === 0) throw new Error('b broke');
              return state;
            },
          }),
          { name: 'b' },
        );
        b.tell('work');
        await kit.settle();
        const message = flaky(new Error('a broke'), { by: 1 });
        a.tell(message);
        await kit.settle();
        gate.resolve();
        await kit.settle();
        expect(kit.events.filter((event) => event.type === 'actor-failed').map((event) => event.path)).toEqual([a.path, b.path]);
        return { kit, a, message };
      }

      describe.each([
        ['per-message snapshots', undefined],
        ['a snapshot every 3 messages', { everyMessages: 3 }],
      ] as const)('with %s', (_, snapshot) => {
        it('processes the failed message again only once when a second restart comes before it is processed again', async () => {
          const { kit, a, message } = await restartedTwice(snapshot);
          await kit.advance(1000);
          const state = a.ask({ type: 'get' });
          await kit.settle();
          await expect(state).resolves.toBe(1);
          expect(message.attempts.n).toBe(2);
          await kit.shutdown();
        });

        it('dead-letters the failed message once, unprocessed, when stopped during the second restart', async () => {
          const { kit, a, message } = await restartedTwice(snapshot);
          // The first restart ends at 100 ms; the second then waits out its own backoff.
          await kit.advance(100);
          expect(kit.events.filter((event) => event.type === 'actor-restarted' && event.path === a.path)).toHaveLength(1);
          const stopped = a.stop();
          await kit.settle();
          await stopped;
          expect(kit.deadLetters.filter((letter) => letter.message === message).map((letter) => letter.reason)).toEqual(['unprocessed']);
          expect(message.attempts.n).toBe(1);
          await kit.shutdown();
        });
      });
    });

    describe('one-for-one', () => {
      it('is the default', async () => {
        const system = newSystem();
        const events = recordEvents(system);
        const sup = system.spawn(parent, { name: 'sup' });
        const first = await spawnWorker(sup, 'first');
        const second = await spawnWorker(sup, 'second');
        first.tell(flaky(new Error('boom')));
        await Promise.all([first.ask({ type: 'get' }), second.ask({ type: 'get' })]);
        expect(restartsIn(events).map((r) => r.path)).toEqual([first.path]);
      });
    });
  });
});
