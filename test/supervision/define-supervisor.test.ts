import { describe, expect, it } from 'vitest';
import {
  ActorFailedError,
  RESTART_TYPES,
  RestartIntensityExceededError,
  defineActor,
  defineSupervisor,
  whichChildren,
  type ActorRef,
  type AnyActorRef,
  type ChildSpec,
  type DefineSupervisorOptions,
  type RestartType,
  type SupervisedChild,
  type SupervisorMessage,
} from '../../src/index.js';
import { createTestKit, type TestKit } from '../../src/testing/index.js';
import { deferred, expectInvalidOption } from '../actors/helpers.js';
import { flaky, worker, type WorkerMsg } from './helpers.js';

/** A worker whose hooks log `<event> <name>`, and whose `started` waits on `startedGate` when given one. */
function logged(log: string[], startedGate?: () => Promise<void>) {
  return defineActor<number, WorkerMsg>({
    ...worker,
    async started(_state, ctx) {
      log.push(`begin ${ctx.self.name}`);
      await startedGate?.();
      log.push(`end ${ctx.self.name}`);
    },
    stopping(_state, ctx) {
      log.push(`stopping ${ctx.self.name}`);
    },
  });
}

async function children(kit: TestKit, sup: ActorRef<SupervisorMessage>): Promise<SupervisedChild[]> {
  const asked = whichChildren(sup);
  await kit.settle();
  return asked;
}

/** The children that run, by id. */
async function running(kit: TestKit, sup: ActorRef<SupervisorMessage>): Promise<string[]> {
  return (await children(kit, sup)).filter((child) => child.ref?.status === 'running').map((child) => child.id);
}

async function childRef(kit: TestKit, sup: ActorRef<SupervisorMessage>, id: string): Promise<ActorRef<WorkerMsg>> {
  const ref = (await children(kit, sup)).find((child) => child.id === id)?.ref;
  if (ref === undefined) throw new Error(`no child ${id}`);
  return ref as unknown as ActorRef<WorkerMsg>;
}

function restartedPaths(kit: TestKit): string[] {
  return kit.events.flatMap((e) => (e.type === 'actor-restarted' ? [e.path] : []));
}

function stoppedPaths(kit: TestKit): string[] {
  return kit.events.flatMap((e) => (e.type === 'actor-stopped' ? [e.path] : []));
}

const specs = (log: string[], ids: readonly string[] = ['a', 'b', 'c'], extra: Partial<ChildSpec> = {}): ChildSpec[] =>
  ids.map((id) => ({ id, start: { definition: logged(log) }, ...extra }));

describe('defineSupervisor', () => {
  describe('start', () => {
    it('starts the children in spec order, each once the one before it has started', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      // Each started hook yields to the event loop: a child started early would log in between.
      const later = () => new Promise<void>((resolve) => setImmediate(resolve));
      const sup = kit.system.spawn(defineSupervisor({ children: ['a', 'b', 'c'].map((id) => ({ id, start: { definition: logged(log, later) } })) }), {
        name: 'sup',
      });
      await kit.settle();
      expect(log).toEqual(['begin a', 'end a', 'begin b', 'end b', 'begin c', 'end c']);
      const listed = await children(kit, sup);
      expect(listed.map(({ id, restart, ref }) => ({ id, restart, path: ref?.path }))).toEqual([
        { id: 'a', restart: 'permanent', path: '/user/sup/a' },
        { id: 'b', restart: 'permanent', path: '/user/sup/b' },
        { id: 'c', restart: 'permanent', path: '/user/sup/c' },
      ]);
      await kit.shutdown();
    });

    it('fails its own start when a child fails to start: the children before stop last first, the ones after never start', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      const broken = new Error('no database');
      const failing = defineActor<number, WorkerMsg>({
        ...worker,
        started() {
          throw broken;
        },
      });
      const sup = kit.system.spawn(
        defineSupervisor({
          children: [
            { id: 'a', start: { definition: logged(log) } },
            { id: 'b', start: { definition: logged(log) } },
            { id: 'db', start: { definition: failing } },
            { id: 'c', start: { definition: logged(log) } },
          ],
        }),
        { name: 'sup' },
      );
      await kit.settle();
      expect(sup.status).toBe('stopped');
      expect(log).toEqual(['begin a', 'end a', 'begin b', 'end b', 'stopping b', 'stopping a']);
      const failure = kit.events.find((e) => e.type === 'hook-failed' && e.path === '/user/sup');
      expect(failure).toMatchObject({ hook: 'started', error: expect.any(ActorFailedError) });
      const error = (failure as { error: ActorFailedError }).error;
      expect([error.actor, error.cause]).toEqual(['/user/sup/db', broken]);
      expect(stoppedPaths(kit)).toEqual(['/user/sup/db', '/user/sup/b', '/user/sup/a', '/user/sup']);
      await kit.shutdown();
    });

    it('starts no more children once it is asked to stop', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      const held = deferred();
      const sup = kit.system.spawn(
        defineSupervisor({
          children: [
            { id: 'a', start: { definition: logged(log, () => held.promise) } },
            { id: 'b', start: { definition: logged(log) } },
          ],
        }),
        { name: 'sup' },
      );
      await kit.settle();
      const stopped = sup.stop();
      held.resolve();
      await kit.settle();
      await stopped;
      expect(log).toEqual(['begin a', 'end a', 'stopping a']);
      expect(kit.events.filter((e) => e.type === 'hook-failed')).toEqual([]);
      await kit.shutdown();
    });
  });

  describe('restart', () => {
    type Exit = 'handler fails' | "decider 'stop'" | 'ctx.stop()' | 'a linked actor fails';
    /** Whether the child comes back (restarting in place) or stays stopped, by restart type and what ended it. */
    const COMES_BACK: Record<RestartType, Record<Exit, boolean>> = {
      permanent: { 'handler fails': true, "decider 'stop'": true, 'ctx.stop()': true, 'a linked actor fails': true },
      transient: { 'handler fails': true, "decider 'stop'": false, 'ctx.stop()': false, 'a linked actor fails': false },
      temporary: { 'handler fails': false, "decider 'stop'": false, 'ctx.stop()': false, 'a linked actor fails': false },
    };
    const EXITS: readonly Exit[] = ['handler fails', "decider 'stop'", 'ctx.stop()', 'a linked actor fails'];

    type LinkMsg = WorkerMsg | { type: 'link'; ref: AnyActorRef };
    const linkable = defineActor<number, LinkMsg>({
      initialState: () => 0,
      receive(state, msg, ctx) {
        if (msg.type === 'link') {
          ctx.link(msg.ref);
          return state;
        }
        return worker.receive(state, msg, ctx as never);
      },
    });

    it.each(RESTART_TYPES.flatMap((restart) => EXITS.map((exit) => ({ restart, exit, back: COMES_BACK[restart][exit] }))))(
      'a $restart child after "$exit" comes back: $back',
      async ({ restart, exit, back }) => {
        const kit = createTestKit();
        const decide = exit === "decider 'stop'" ? () => 'stop' as const : () => 'restart' as const;
        const sup = kit.system.spawn(
          defineSupervisor({
            children: [
              { id: 'child', start: { definition: linkable, options: { supervision: { decide } } }, restart },
              { id: 'partner', start: { definition: worker, options: { supervision: { decide: () => 'stop' } } }, restart: 'temporary' },
            ],
          }),
          { name: 'sup' },
        );
        await kit.settle();
        const child = (await childRef(kit, sup, 'child')) as unknown as ActorRef<LinkMsg>;
        child.tell({ type: 'inc', by: 5 });
        switch (exit) {
          case 'handler fails':
          case "decider 'stop'":
            child.tell(flaky(new Error('boom')));
            break;
          case 'ctx.stop()':
            child.tell({ type: 'stop-self' });
            break;
          case 'a linked actor fails': {
            const partner = await childRef(kit, sup, 'partner');
            child.tell({ type: 'link', ref: partner });
            await kit.settle();
            partner.tell({ type: 'fail', error: new Error('partner broke') });
            break;
          }
        }
        await kit.settle();
        const listed = (await children(kit, sup)).find((c) => c.id === 'child');
        if (back) {
          expect(listed?.ref?.status).toBe('running');
          expect(restartedPaths(kit)).toContain('/user/sup/child');
        } else if (restart === 'temporary') {
          expect(listed).toBeUndefined();
        } else {
          expect(listed).toEqual({ id: 'child', restart, ref: undefined });
        }
        expect(sup.status).toBe('running');
        await kit.shutdown();
      },
    );

    it.each([
      ['one-for-one', ['/user/sup/b']],
      ['one-for-all', ['/user/sup/a', '/user/sup/b', '/user/sup/d']],
      ['rest-for-one', ['/user/sup/b', '/user/sup/d']],
    ] as const)('under %s restarts the group in start order, stopping a temporary child in it instead', async (strategy, restarted) => {
      const kit = createTestKit();
      const log: string[] = [];
      const sup = kit.system.spawn(
        defineSupervisor({
          strategy,
          children: [
            { id: 'a', start: { definition: logged(log) } },
            { id: 'b', start: { definition: logged(log) }, restart: 'transient' },
            { id: 'c', start: { definition: logged(log) }, restart: 'temporary' },
            { id: 'd', start: { definition: logged(log) } },
          ],
        }),
        { name: 'sup' },
      );
      await kit.settle();
      (await childRef(kit, sup, 'b')).tell(flaky(new Error('boom')));
      await kit.settle();
      expect(restartedPaths(kit)).toEqual(restarted);
      const temporaryStopped = strategy !== 'one-for-one';
      expect(await running(kit, sup)).toEqual(temporaryStopped ? ['a', 'b', 'd'] : ['a', 'b', 'c', 'd']);
      expect((await children(kit, sup)).map((c) => c.id)).toEqual(temporaryStopped ? ['a', 'b', 'd'] : ['a', 'b', 'c', 'd']);
      await kit.shutdown();
    });

    it('gives up after more than maxRestarts within withinMs: its children stop, and it escalates', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      const sup = kit.system.spawn(defineSupervisor({ maxRestarts: 1, withinMs: 1000, children: specs(log) }), { name: 'sup' });
      await kit.settle();
      const b = await childRef(kit, sup, 'b');
      b.tell(flaky(new Error('first')));
      await kit.settle();
      expect(sup.status).toBe('running');
      b.tell(flaky(new Error('second')));
      await kit.settle();
      expect(sup.status).toBe('stopped');
      expect(stoppedPaths(kit)).toEqual(['/user/sup/b', '/user/sup/c', '/user/sup/a', '/user/sup']);
      await expect(kit.system.whenTerminated).rejects.toBeInstanceOf(RestartIntensityExceededError);
      await kit.shutdown();
    });

    it('starts its children again, in order, when it restarts itself', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      const escalating = defineActor<number, WorkerMsg>({ ...logged(log) });
      const sup = kit.system.spawn(
        defineSupervisor({
          children: [
            { id: 'a', start: { definition: logged(log) } },
            { id: 'b', start: { definition: escalating, options: { supervision: { decide: () => 'escalate' } } } },
          ],
        }),
        { name: 'sup' },
      );
      await kit.settle();
      log.length = 0;
      (await childRef(kit, sup, 'b')).tell({ type: 'fail', error: new Error('boom') });
      await kit.settle();
      expect(log).toEqual(['stopping b', 'stopping a', 'begin a', 'end a', 'begin b', 'end b']);
      expect(await running(kit, sup)).toEqual(['a', 'b']);
      expect(restartedPaths(kit)).toEqual(['/user/sup']);
      await kit.shutdown();
    });
  });

  describe('stop', () => {
    it('stops the children last started first, forcing each after its shutdownMs', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      const hangs = (id: string) =>
        defineActor<number, WorkerMsg>({
          ...logged(log),
          stopping() {
            log.push(`stopping ${id}`);
            return new Promise<void>(() => undefined);
          },
        });
      const sup = kit.system.spawn(
        defineSupervisor({
          children: [
            { id: 'a', start: { definition: hangs('a') } },
            { id: 'b', start: { definition: logged(log) } },
            { id: 'c', start: { definition: hangs('c') }, shutdownMs: 200 },
          ],
        }),
        { name: 'sup' },
      );
      await kit.settle();
      const stopped = sup.stop();
      await kit.settle();
      await kit.advance(200);
      expect(stoppedPaths(kit)).toEqual(['/user/sup/c', '/user/sup/b']);
      await kit.advance(5000); // a's default for a worker
      await stopped;
      expect(log.filter((line) => line.startsWith('stopping'))).toEqual(['stopping c', 'stopping b', 'stopping a']);
      expect(kit.events.flatMap((e) => (e.type === 'actor-stopped' ? [[e.path, e.at, e.forced === true]] : []))).toEqual([
        ['/user/sup/c', 200, true],
        ['/user/sup/b', 200, false],
        ['/user/sup/a', 5200, true],
        ['/user/sup', 5200, false],
      ]);
      await kit.shutdown();
    });

    it('waits for a child supervisor as long as it takes by default', async () => {
      const kit = createTestKit();
      const log: string[] = [];
      const slowWorker = defineActor<number, WorkerMsg>({
        ...logged(log),
        stopping: () => new Promise<void>((resolve) => kit.clock.setTimeout(resolve, 9000)),
      });
      const inner = defineSupervisor({ children: [{ id: 'worker', start: { definition: slowWorker }, shutdownMs: Infinity }] });
      const sup = kit.system.spawn(defineSupervisor({ children: [{ id: 'inner', start: { definition: inner } }] }), { name: 'sup' });
      await kit.settle();
      const stopped = sup.stop();
      await kit.advance(9000);
      await stopped;
      expect(kit.events.filter((e) => e.type === 'actor-stopped' && e.forced === true)).toEqual([]);
      expect(kit.clock.now()).toBe(9000);
      await kit.shutdown();
    });
  });

  describe('options', () => {
    const def = defineActor<number, WorkerMsg>({ ...worker });
    const valid = (overrides: Partial<ChildSpec> = {}): ChildSpec => ({ id: 'a', start: { definition: def }, ...overrides });
    const invalid = (options: unknown) => () => defineSupervisor(options as DefineSupervisorOptions);

    it.each<[string, unknown]>([
      ['children', { children: 'a' }],
      ['children[0]', { children: [7] }],
      ['children[0].id', { children: [valid({ id: 'has space' })] }],
      ['children[0].id', { children: [valid({ id: undefined as unknown as string })] }],
      ['children[1].id', { children: [valid(), valid()] }],
      ['children[0].start', { children: [valid({ start: undefined as never })] }],
      ['children[0].start.definition', { children: [valid({ start: { definition: undefined as never } })] }],
      ['children[0].start.definition.receive', { children: [valid({ start: { definition: { initialState: () => 0 } as never } })] }],
      ['children[0].start.options.mailbox.capacity', { children: [valid({ start: { definition: def, options: { mailbox: { capacity: 0 } } } })] }],
      ['children[0].start.options.name', { children: [valid({ start: { definition: def, options: { name: 'x' } as never } })] }],
      ['children[0].start.options.shutdownMs', { children: [valid({ start: { definition: def, options: { shutdownMs: 5 } as never } })] }],
      [
        'children[0].start.options.supervision.restart',
        { children: [valid({ start: { definition: def, options: { supervision: { restart: 'permanent' } as never } } })] },
      ],
      ['children[0].restart', { children: [valid({ restart: 'always' as RestartType })] }],
      ['children[0].shutdownMs', { children: [valid({ shutdownMs: -5 })] }],
      ['strategy', { strategy: 'all-for-one', children: [] }],
      ['maxRestarts', { maxRestarts: 1.5, children: [] }],
      ['options', 'children'],
    ])('throws InvalidOptionError naming %s', (option, options) => {
      expectInvalidOption(invalid(options), option);
    });

    it('defaults restart to permanent and shutdownMs to 5000, or Infinity for a child that supervises', async () => {
      const kit = createTestKit();
      const inner = defineSupervisor({ children: [] });
      const sup = kit.system.spawn(
        defineSupervisor({
          children: [
            { id: 'worker', start: { definition: def } },
            { id: 'inner', start: { definition: inner } },
          ],
        }),
        { name: 'sup' },
      );
      await kit.settle();
      expect((await children(kit, sup)).map((c) => c.restart)).toEqual(['permanent', 'permanent']);
      const hang = defineActor<number, WorkerMsg>({ ...worker, stopping: () => new Promise<void>(() => undefined) });
      const lone = kit.system.spawn(defineSupervisor({ children: [{ id: 'w', start: { definition: hang } }] }), { name: 'lone' });
      await kit.settle();
      const stopped = lone.stop();
      await kit.advance(4999);
      expect(lone.status).toBe('stopping');
      await kit.advance(1);
      await stopped;
      expect(lone.status).toBe('stopped');
      await kit.shutdown();
    });
  });
});
