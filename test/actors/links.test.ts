import { describe, expect, it } from 'vitest';
import {
  ActorFailedError,
  InvalidOptionError,
  defineActor,
  type ActorContext,
  type ActorRef,
  type AnyActorRef,
  type Exit,
  type ExitReason,
  type RestartType,
  type SpawnOptions,
  type Terminated,
} from '../../src/index.js';
import { createTestKit, type TestKit } from '../../src/testing/index.js';
import { deferred } from './helpers.js';

type NodeMsg =
  | { type: 'link'; ref: AnyActorRef }
  | { type: 'unlink'; ref: AnyActorRef }
  | { type: 'trap'; on: boolean }
  | { type: 'watch'; ref: AnyActorRef }
  | { type: 'fail'; error: unknown }
  | { type: 'stop-self' }
  | { type: 'inc' }
  | { type: 'get' }
  | Exit
  | Terminated;

/** What a node received that was not a command: exits and Terminated notifications, as plain data. */
type Seen = { at: string; exit: string; reason: ExitReason } | { at: string; terminated: string; reason: Terminated['reason'] };

/**
 * A node of a link graph: links, unlinks, traps exits and watches on request, fails or stops
 * itself when told, counts `inc`s; every exit and Terminated it receives goes to `seen`.
 */
function node(seen: Seen[]) {
  return defineActor<number, NodeMsg>({
    initialState: () => 0,
    receive(count, msg, ctx) {
      switch (msg.type) {
        case 'link':
          ctx.link(msg.ref);
          return count;
        case 'unlink':
          ctx.unlink(msg.ref);
          return count;
        case 'trap':
          ctx.trapExits(msg.on);
          return count;
        case 'watch':
          ctx.watch(msg.ref);
          return count;
        case 'fail':
          throw msg.error;
        case 'stop-self':
          ctx.stop();
          return count;
        case 'inc':
          return count + 1;
        case 'get':
          ctx.reply(count);
          return count;
        case 'exit':
          seen.push({ at: ctx.self.name, exit: msg.ref.name, reason: msg.reason });
          return count;
        case 'terminated':
          seen.push({ at: ctx.self.name, terminated: msg.ref.name, reason: msg.reason });
          return count;
      }
    },
  });
}

/** A kit with `names` spawned as nodes (decider 'stop', so a `fail` stops the node), and what they saw. */
function graph(names: readonly string[], options: (name: string) => SpawnOptions = () => ({})) {
  const kit = createTestKit();
  const seen: Seen[] = [];
  const refs = Object.fromEntries(
    names.map((name) => [name, kit.system.spawn(node(seen), { supervision: { decide: () => 'stop' }, ...options(name), name })]),
  ) as Record<string, ActorRef<NodeMsg>>;
  return { kit, seen, refs };
}

function ref(refs: Record<string, ActorRef<NodeMsg>>, name: string): ActorRef<NodeMsg> {
  const found = refs[name];
  if (found === undefined) throw new Error(`no node ${name}`);
  return found;
}

function statuses(refs: Record<string, ActorRef<NodeMsg>>): Record<string, string> {
  return Object.fromEntries(Object.entries(refs).map(([name, r]) => [name, r.status]));
}

/** What `call` throws when a handler makes it (undefined when it throws nothing). */
async function thrownInHandler(kit: TestKit, call: (ctx: ActorContext<'go' | Exit>) => void): Promise<unknown> {
  let thrown: unknown;
  const ref = kit.system.spawn(
    defineActor<null, 'go' | Exit>({
      initialState: () => null,
      receive(state, _msg, ctx) {
        try {
          call(ctx);
        } catch (error) {
          thrown = error;
        }
        return state;
      },
    }),
  );
  ref.tell('go');
  await kit.settle();
  return thrown;
}

async function link(kit: TestKit, from: ActorRef<NodeMsg>, to: AnyActorRef): Promise<void> {
  from.tell({ type: 'link', ref: to });
  await kit.settle();
}

const boom = new Error('boom');

describe('ActorContext', () => {
  describe('link', () => {
    it.each([
      ['the actor that linked', 'a', 'b'],
      ['the actor it linked to', 'b', 'a'],
    ])('stops a partner that does not trap exits when %s fails', async (_who, failing, partner) => {
      const { kit, refs } = graph(['a', 'b', 'watcher']);
      await link(kit, ref(refs, 'a'), ref(refs, 'b'));
      ref(refs, 'watcher').tell({ type: 'watch', ref: ref(refs, partner) });
      ref(refs, failing).tell({ type: 'fail', error: boom });
      await kit.settle();
      expect(statuses(refs)).toMatchObject({ [failing]: 'stopped', [partner]: 'stopped', watcher: 'running' });
      const stopped = kit.events.filter((e) => e.type === 'actor-stopped').map((e) => [e.path, e.reason]);
      expect(stopped).toEqual([
        [`/user/${failing}`, 'failed'],
        [`/user/${partner}`, 'linked'],
      ]);
      await kit.shutdown();
    });

    it.each([
      ['ref.stop()', (r: ActorRef<NodeMsg>) => void r.stop()],
      ['ctx.stop()', (r: ActorRef<NodeMsg>) => void r.tell({ type: 'stop-self' })],
    ])('leaves a partner that does not trap exits running after %s', async (_how, stop) => {
      const { kit, refs, seen } = graph(['a', 'b']);
      await link(kit, ref(refs, 'a'), ref(refs, 'b'));
      stop(ref(refs, 'a'));
      await kit.settle();
      expect(statuses(refs)).toEqual({ a: 'stopped', b: 'running' });
      expect(seen).toEqual([]);
      await kit.shutdown();
    });

    it('leaves a partner running when the linked actor stops because its parent stops', async () => {
      const kit = createTestKit();
      const seen: Seen[] = [];
      const parent = kit.system.spawn(
        defineActor<null, { type: 'spawn' }>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            ctx.reply(ctx.spawn(node(seen), { name: 'child' }));
            return state;
          },
        }),
        { name: 'parent' },
      );
      const partner = kit.system.spawn(node(seen), { name: 'partner' });
      const asked = parent.ask<ActorRef<NodeMsg>>({ type: 'spawn' });
      await kit.settle();
      const child = await asked;
      await link(kit, partner, child);
      void parent.stop();
      await kit.settle();
      expect([child.status, partner.status]).toEqual(['stopped', 'running']);
      await kit.shutdown();
    });

    it('stops every actor along a chain of links that do not trap exits, each naming the one before', async () => {
      const { kit, refs, seen } = graph(['a', 'b', 'c', 'd']);
      await link(kit, ref(refs, 'a'), ref(refs, 'b'));
      await link(kit, ref(refs, 'b'), ref(refs, 'c'));
      await link(kit, ref(refs, 'c'), ref(refs, 'd'));
      ref(refs, 'd').tell({ type: 'trap', on: true });
      ref(refs, 'a').tell({ type: 'fail', error: boom });
      await kit.settle();
      expect(statuses(refs)).toEqual({ a: 'stopped', b: 'stopped', c: 'stopped', d: 'running' });
      expect(seen).toHaveLength(1);
      const exit = seen[0] as { at: string; exit: string; reason: ExitReason };
      expect(exit).toMatchObject({ at: 'd', exit: 'c', reason: { kind: 'failed', stop: 'linked' } });
      // c failed because b did, which failed because a did: the cause chain names each.
      const error = (exit.reason as { error: unknown }).error as ActorFailedError;
      expect(error).toBeInstanceOf(ActorFailedError);
      expect(error.actor).toBe('/user/b');
      expect((error.cause as ActorFailedError).actor).toBe('/user/a');
      expect((error.cause as ActorFailedError).cause).toBe(boom);
      await kit.shutdown();
    });

    it('signals the exit of an actor that already stopped at once', async () => {
      const { kit, refs, seen } = graph(['a', 'b', 'c']);
      ref(refs, 'a').tell({ type: 'fail', error: boom });
      void ref(refs, 'b').stop();
      await kit.settle();
      ref(refs, 'c').tell({ type: 'trap', on: true });
      await link(kit, ref(refs, 'c'), ref(refs, 'b'));
      await link(kit, ref(refs, 'c'), ref(refs, 'a'));
      expect(seen).toEqual([
        { at: 'c', exit: 'b', reason: { kind: 'normal', stop: 'requested' } },
        { at: 'c', exit: 'a', reason: { kind: 'failed', stop: 'failed', error: boom } },
      ]);
      ref(refs, 'c').tell({ type: 'trap', on: false });
      await link(kit, ref(refs, 'c'), ref(refs, 'a'));
      expect(ref(refs, 'c').status).toBe('stopped');
      await kit.shutdown();
    });

    it('links once however often it is asked, and never to itself', async () => {
      const { kit, refs, seen } = graph(['a', 'b']);
      ref(refs, 'b').tell({ type: 'trap', on: true });
      await link(kit, ref(refs, 'a'), ref(refs, 'b'));
      await link(kit, ref(refs, 'b'), ref(refs, 'a'));
      await link(kit, ref(refs, 'a'), ref(refs, 'a'));
      ref(refs, 'a').tell({ type: 'fail', error: boom });
      await kit.settle();
      expect(seen).toEqual([{ at: 'b', exit: 'a', reason: { kind: 'failed', stop: 'failed', error: boom } }]);
      await kit.shutdown();
    });

    it('keeps the link through a restart in place, which signals nothing', async () => {
      const { kit, refs, seen } = graph(['a', 'b'], (name) => (name === 'a' ? { supervision: { decide: () => 'restart' } } : {}));
      ref(refs, 'b').tell({ type: 'trap', on: true });
      await link(kit, ref(refs, 'a'), ref(refs, 'b'));
      ref(refs, 'a').tell({ type: 'fail', error: boom });
      await kit.settle();
      // The failing message is poison after three attempts; a restarted three times meanwhile.
      expect(kit.events.filter((e) => e.type === 'actor-restarted' && e.path === '/user/a')).toHaveLength(2);
      expect(statuses(refs)).toEqual({ a: 'running', b: 'running' });
      expect(seen).toEqual([]);
      void ref(refs, 'a').stop();
      await kit.settle();
      expect(seen).toEqual([{ at: 'b', exit: 'a', reason: { kind: 'normal', stop: 'requested' } }]);
      await kit.shutdown();
    });

    it.each<[RestartType, string]>([
      ['permanent', 'restarts from its snapshot'],
      ['transient', 'stops'],
      ['temporary', 'stops'],
    ])('when a linked actor fails, a %s partner that does not trap exits %s', async (restart, _outcome) => {
      const { kit, refs } = graph(['a', 'b'], (name) => (name === 'b' ? { supervision: { restart } } : {}));
      ref(refs, 'b').tell({ type: 'inc' });
      await link(kit, ref(refs, 'a'), ref(refs, 'b'));
      ref(refs, 'a').tell({ type: 'fail', error: boom });
      await kit.settle();
      if (restart === 'permanent') {
        expect(ref(refs, 'b').status).toBe('running');
        const restarted = kit.events.find((e) => e.type === 'actor-restarted' && e.path === '/user/b');
        expect(restarted).toMatchObject({ from: 'snapshot', error: expect.any(ActorFailedError) });
        const count = ref(refs, 'b').ask({ type: 'get' });
        await kit.settle();
        await expect(count).resolves.toBe(1);
      } else {
        expect(ref(refs, 'b').status).toBe('stopped');
        expect(kit.events.find((e) => e.type === 'actor-stopped' && e.path === '/user/b')).toMatchObject({ reason: 'linked' });
      }
      await kit.shutdown();
    });

    it('reports an escalating actor as failed with the reason escalated', async () => {
      const kit = createTestKit();
      const seen: Seen[] = [];
      // The parent resumes after its child's escalation, so the system goes on.
      const parent = kit.system.spawn(
        defineActor<null, 'spawn'>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            ctx.reply(ctx.spawn(node(seen), { name: 'a', supervision: { decide: () => 'escalate' } }));
            return state;
          },
        }),
        { name: 'parent', supervision: { decide: () => 'resume' } },
      );
      const asked = parent.ask<ActorRef<NodeMsg>>('spawn');
      await kit.settle();
      const escalating = await asked;
      const trapper = kit.system.spawn(node(seen), { name: 'b', trapExits: true });
      await link(kit, trapper, escalating);
      escalating.tell({ type: 'fail', error: boom });
      await kit.settle();
      expect(seen).toEqual([{ at: 'b', exit: 'a', reason: { kind: 'failed', stop: 'escalated', error: boom } }]);
      expect(parent.status).toBe('running');
      await kit.shutdown();
    });

    it('throws InvalidOptionError naming ref for something that is not a ref of this runtime', async () => {
      const kit = createTestKit();
      const thrown = await thrownInHandler(kit, (ctx) => ctx.link({ path: '/user/fake' } as unknown as AnyActorRef));
      expect(thrown).toBeInstanceOf(InvalidOptionError);
      expect((thrown as InvalidOptionError).option).toBe('ref');
      await kit.shutdown();
    });
  });

  describe('unlink', () => {
    it('removes the link both ways', async () => {
      const { kit, refs } = graph(['a', 'b', 'c']);
      await link(kit, ref(refs, 'a'), ref(refs, 'b'));
      await link(kit, ref(refs, 'a'), ref(refs, 'c'));
      ref(refs, 'b').tell({ type: 'unlink', ref: ref(refs, 'a') });
      ref(refs, 'a').tell({ type: 'unlink', ref: ref(refs, 'c') });
      await kit.settle();
      ref(refs, 'a').tell({ type: 'fail', error: boom });
      await kit.settle();
      expect(statuses(refs)).toEqual({ a: 'stopped', b: 'running', c: 'running' });
      await kit.shutdown();
    });
  });

  describe('trapExits', () => {
    it('turns the exits of linked actors into messages, and back', async () => {
      const { kit, refs, seen } = graph(['a', 'b', 'c', 'd']);
      ref(refs, 'a').tell({ type: 'trap', on: true });
      for (const other of ['b', 'c', 'd']) await link(kit, ref(refs, 'a'), ref(refs, other));
      ref(refs, 'b').tell({ type: 'fail', error: boom });
      await kit.settle();
      void ref(refs, 'c').stop();
      await kit.settle();
      expect(seen).toEqual([
        { at: 'a', exit: 'b', reason: { kind: 'failed', stop: 'failed', error: boom } },
        { at: 'a', exit: 'c', reason: { kind: 'normal', stop: 'requested' } },
      ]);
      ref(refs, 'a').tell({ type: 'trap', on: false });
      ref(refs, 'd').tell({ type: 'fail', error: boom });
      await kit.settle();
      expect(ref(refs, 'a').status).toBe('stopped');
      expect(seen).toHaveLength(2);
      await kit.shutdown();
    });

    it.each<[string, (seen: Seen[]) => { definition: ReturnType<typeof node>; options: SpawnOptions }]>([
      ['the definition', (seen) => ({ definition: defineActor<number, NodeMsg>({ ...node(seen), trapExits: true }), options: {} })],
      ['spawn', (seen) => ({ definition: node(seen), options: { trapExits: true } })],
    ])('traps exits from the start when %s says so', async (_where, make) => {
      const kit = createTestKit();
      const seen: Seen[] = [];
      const { definition, options } = make(seen);
      const trapper = kit.system.spawn(definition, { ...options, name: 'trapper' });
      const failing = kit.system.spawn(node(seen), { name: 'failing', supervision: { decide: () => 'stop' } });
      await link(kit, trapper, failing);
      failing.tell({ type: 'fail', error: boom });
      await kit.settle();
      expect(trapper.status).toBe('running');
      expect(seen).toEqual([{ at: 'trapper', exit: 'failing', reason: { kind: 'failed', stop: 'failed', error: boom } }]);
      await kit.shutdown();
    });

    it('lets spawn override the definition', async () => {
      const kit = createTestKit();
      const seen: Seen[] = [];
      const trapper = kit.system.spawn(defineActor<number, NodeMsg>({ ...node(seen), trapExits: true }), { name: 'a', trapExits: false });
      const failing = kit.system.spawn(node(seen), { name: 'b', supervision: { decide: () => 'stop' } });
      await link(kit, trapper, failing);
      failing.tell({ type: 'fail', error: boom });
      await kit.settle();
      expect(trapper.status).toBe('stopped');
      await kit.shutdown();
    });

    it('sends an exit that reaches an actor already stopping to dead letters', async () => {
      const kit = createTestKit();
      const seen: Seen[] = [];
      const gate = deferred();
      const slow = kit.system.spawn(
        defineActor<null, 'wait' | Exit>({
          initialState: () => null,
          trapExits: true,
          async receive(state) {
            await gate.promise;
            return state;
          },
        }),
        { name: 'slow' },
      );
      const failing = kit.system.spawn(node(seen), { name: 'failing', supervision: { decide: () => 'stop' } });
      await link(kit, failing, slow);
      slow.tell('wait');
      await kit.settle();
      const stopped = slow.stop();
      failing.tell({ type: 'fail', error: boom });
      await kit.settle();
      gate.resolve();
      await kit.settle();
      await stopped;
      expect(kit.deadLetters.filter((l) => l.reason === 'unprocessed').map((l) => l.message)).toEqual([
        { type: 'exit', ref: failing, reason: { kind: 'failed', stop: 'failed', error: boom } },
      ]);
      await kit.shutdown();
    });

    it('throws InvalidOptionError naming trapExits for something not a boolean, in ctx, spawn and the definition', async () => {
      const kit = createTestKit();
      const thrown = await thrownInHandler(kit, (ctx) => ctx.trapExits('yes' as unknown as boolean));
      expect((thrown as InvalidOptionError).option).toBe('trapExits');
      expect(() => kit.system.spawn(node([]), { trapExits: 1 as unknown as boolean })).toThrow(/`trapExits`/);
      expect(() => defineActor<number, NodeMsg>({ ...node([]), trapExits: 'no' as unknown as boolean })).toThrow(/`trapExits`/);
      await kit.shutdown();
    });
  });
});
