import { describe, expect, it } from 'vitest';
import {
  ActorFailedError,
  DIRECTIVES,
  InvalidOptionError,
  defineActor,
  type ActorDefinition,
  type ActorRef,
  type ActorSystem,
  type Decider,
  type Directive,
} from '../../src/index.js';
import { counter, nextDeadLetter, nextEvent, nextTurn, recordDeadLetters, recordEvents, useSystems, type CounterMsg, type EventOf } from '../actors/helpers.js';

const newSystem = useSystems();

/** The counter, with a handler that fails after an await: a rejection rather than a throw. */
const asyncCounter = defineActor<number, CounterMsg>({
  ...counter,
  async receive(state, msg, ctx) {
    await Promise.resolve();
    return counter.receive(state, msg, ctx);
  },
});

type NodeMsg = CounterMsg | { type: 'spawn'; name: string; decide: Directive };

/** A counter that can also spawn children like itself, each with the directive it is told. */
const node: ActorDefinition<number, NodeMsg> = defineActor<number, NodeMsg>({
  initialState: () => 0,
  receive(state, msg, ctx) {
    switch (msg.type) {
      case 'spawn':
        ctx.reply(ctx.spawn(node, { name: msg.name, supervision: { decide: () => msg.decide } }));
        return state;
      default:
        return counter.receive(state, msg, ctx as never);
    }
  },
});

function spawnChild(parent: ActorRef<NodeMsg>, name: string, decide: Directive): Promise<ActorRef<NodeMsg>> {
  return parent.ask<ActorRef<NodeMsg>>({ type: 'spawn', name, decide });
}

/** A decider that answers `directive` and records every error it is asked about. */
function recordingDecider(directive: Directive): Decider & { readonly errors: unknown[] } {
  const errors: unknown[] = [];
  return Object.assign(
    (error: unknown) => {
      errors.push(error);
      return directive;
    },
    { errors },
  );
}

function actorStopped(system: ActorSystem, path: string) {
  return nextEvent(system, 'actor-stopped', (event) => event.path === path);
}

describe('SupervisionOptions', () => {
  describe('decide', () => {
    describe.each(
      DIRECTIVES.flatMap((directive) => [
        { directive, how: 'throws', definition: counter },
        { directive, how: 'rejects', definition: asyncCounter },
      ]),
    )("answering '$directive' when the handler $how", ({ directive, definition }) => {
      // A message that fails every time is retried under 'restart' until it is poison.
      const expectedReason = directive === 'restart' ? 'poison' : 'handler-failed';

      it(`dead-letters the failing message with reason ${expectedReason} and its error`, async () => {
        const system = newSystem();
        const ref = system.spawn(definition, { name: 'fragile', supervision: { decide: () => directive } });
        const error = new Error('boom');
        const message: CounterMsg = { type: 'fail', error };
        const letter = nextDeadLetter(system, expectedReason);
        ref.tell(message);
        const { reason, recipient, message: dead, error: deadError } = await letter;
        expect(reason).toBe(expectedReason);
        expect(recipient).toBe('/user/fragile');
        expect(dead).toBe(message);
        expect(deadError).toBe(error);
      });

      it('rejects an ask for the failing message with ActorFailedError carrying the error', async () => {
        const system = newSystem();
        const ref = system.spawn(definition, { name: 'fragile', supervision: { decide: () => directive } });
        const error = new Error('boom');
        const failure = await ref.ask({ type: 'fail', error }).catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(ActorFailedError);
        expect((failure as ActorFailedError).actor).toBe('/user/fragile');
        expect((failure as ActorFailedError).cause).toBe(error);
      });

      it('publishes actor-failed with the directive, the error and the message', async () => {
        const system = newSystem();
        const ref = system.spawn(definition, { name: 'fragile', supervision: { decide: () => directive } });
        const error = new Error('boom');
        const message: CounterMsg = { type: 'fail', error };
        const failed = nextEvent(system, 'actor-failed');
        ref.tell(message);
        const event = await failed;
        expect(event).toMatchObject({ path: '/user/fragile', id: ref.id, directive });
        expect(event.error).toBe(error);
        expect(event.message).toBe(message);
      });
    });

    describe("answering 'resume'", () => {
      it.each([
        ['throws', counter],
        ['rejects', asyncCounter],
      ])('keeps the state and goes on with the next message when the handler %s', async (_how, definition) => {
        const system = newSystem();
        const events = recordEvents(system);
        const ref = system.spawn(definition, { supervision: { decide: () => 'resume' } });
        ref.tell({ type: 'inc' });
        ref.tell({ type: 'inc' });
        ref.tell({ type: 'fail', error: new Error('boom') });
        ref.tell({ type: 'inc' });
        await expect(ref.ask({ type: 'get' })).resolves.toBe(3);
        expect(ref.status).toBe('running');
        expect(events.map((event) => event.type)).toEqual(['actor-started', 'actor-failed']);
        await ref.stop();
        expect(ref.metrics().processed).toBe(5);
      });
    });

    describe("answering 'restart'", () => {
      it.each([
        ['throws', counter],
        ['rejects', asyncCounter],
      ])('restarts from the state before the failure, retries the message until it is poison, and goes on when the handler %s', async (_how, definition) => {
        const system = newSystem();
        const events = recordEvents(system);
        const ref = system.spawn(definition, { supervision: { decide: () => 'restart', maxRetries: 3 } });
        ref.tell({ type: 'inc', by: 5 });
        ref.tell({ type: 'fail', error: new Error('boom') });
        ref.tell({ type: 'inc' });
        ref.tell({ type: 'inc' });
        await expect(ref.ask({ type: 'get' })).resolves.toBe(7);
        expect(ref.status).toBe('running');
        expect(events.filter((event) => event.type === 'actor-restarted')).toHaveLength(2);
        expect(events).toContainEqual(expect.objectContaining({ type: 'poison-message', attempts: 3 }));
      });

      it('publishes actor-restarted with the running restart count and the error', async () => {
        const system = newSystem();
        const ref = system.spawn(counter, { name: 'phoenix', supervision: { decide: () => 'restart' } });
        const events = recordEvents(system);
        const first = new Error('first');
        const second = new Error('second');
        ref.tell({ type: 'fail', error: first });
        ref.tell({ type: 'inc' });
        ref.tell({ type: 'fail', error: second });
        await ref.ask({ type: 'get' });
        const restarts = events.flatMap((event) => (event.type === 'actor-restarted' ? [event] : []));
        // Each failing message is tried three times (the default maxRetries): two restarts apiece.
        expect(restarts.map(({ path, id, restarts: count, error, from, replayed }) => ({ path, id, count, error, from, replayed }))).toEqual([
          { path: '/user/phoenix', id: ref.id, count: 1, error: first, from: 'snapshot', replayed: 1 },
          { path: '/user/phoenix', id: ref.id, count: 2, error: first, from: 'snapshot', replayed: 1 },
          { path: '/user/phoenix', id: ref.id, count: 3, error: second, from: 'snapshot', replayed: 1 },
          { path: '/user/phoenix', id: ref.id, count: 4, error: second, from: 'snapshot', replayed: 1 },
        ]);
      });

      it('is what the default decider answers', async () => {
        const system = newSystem();
        const ref = system.spawn(counter);
        const restarted = nextEvent(system, 'actor-restarted');
        ref.tell({ type: 'inc' });
        ref.tell({ type: 'fail', error: new Error('boom') });
        await expect(ref.ask({ type: 'get' })).resolves.toBe(1);
        await expect(restarted).resolves.toMatchObject({ restarts: 1 });
      });

      it('stops the children before restarting, so started can spawn them again', async () => {
        const system = newSystem();
        const parent = system.spawn(node, { name: 'parent', supervision: { decide: () => 'restart', maxRetries: 2 } });
        const child = await spawnChild(parent, 'child', 'resume');
        child.tell({ type: 'inc', by: 7 });
        const childStopped = actorStopped(system, '/user/parent/child');
        const restarted = nextEvent(system, 'actor-restarted');
        parent.tell({ type: 'fail', error: new Error('boom') });
        await expect(childStopped).resolves.toMatchObject({ reason: 'shutdown' });
        await restarted;
        expect(child.status).toBe('stopped');
        expect(system.lookup('/user/parent/child')).toBeUndefined();
        await expect(spawnChild(parent, 'child', 'resume')).resolves.toMatchObject({ path: '/user/parent/child' });
      });

      it('reports a failing restarting hook and restarts anyway', async () => {
        const system = newSystem();
        const hookError = new Error('restarting failed');
        const hookFailed = nextEvent(system, 'hook-failed');
        const ref = system.spawn(
          defineActor<number, CounterMsg>({
            ...counter,
            restarting() {
              throw hookError;
            },
          }),
          { supervision: { decide: () => 'restart' } },
        );
        ref.tell({ type: 'inc' });
        ref.tell({ type: 'fail', error: new Error('boom') });
        await expect(ref.ask({ type: 'get' })).resolves.toBe(1);
        await expect(hookFailed).resolves.toMatchObject({ hook: 'restarting', error: hookError });
      });

      it('restarts from the last snapshot without calling initialState again', async () => {
        const system = newSystem();
        let calls = 0;
        const ref = system.spawn(
          defineActor<number, CounterMsg>({
            ...counter,
            initialState() {
              calls++;
              return 0;
            },
          }),
          { name: 'kept', supervision: { decide: () => 'restart' } },
        );
        const restarted = nextEvent(system, 'actor-restarted');
        ref.tell({ type: 'inc', by: 3 });
        ref.tell({ type: 'fail', error: new Error('boom') });
        await expect(restarted).resolves.toMatchObject({ from: 'snapshot' });
        await expect(ref.ask({ type: 'get' })).resolves.toBe(3);
        expect(calls).toBe(1);
      });

      it('processes again what a poison message rolled back before anything queued behind it', async () => {
        const system = newSystem();
        const ref = system.spawn(
          defineActor<number[], number | 'get'>({
            initialState: () => [],
            receive(state, msg, ctx) {
              if (msg === 'get') ctx.reply(state);
              else if (msg === 2) throw new Error('poison');
              return msg === 'get' ? state : [...state, msg];
            },
          }),
          { snapshot: { everyMessages: 10 }, supervision: { decide: () => 'restart', maxRetries: 1 } },
        );
        for (const msg of [1, 2, 3] as const) ref.tell(msg);
        await expect(ref.ask('get')).resolves.toEqual([1, 3]);
      });

      it('stops the actor with reason failed when started throws during the restart', async () => {
        const system = newSystem();
        let starts = 0;
        const ref = system.spawn(
          defineActor<number, CounterMsg>({
            ...counter,
            started() {
              starts++;
              if (starts > 1) throw new Error('cannot start again');
            },
          }),
          { name: 'once', supervision: { decide: () => 'restart' } },
        );
        const stopped = actorStopped(system, '/user/once');
        ref.tell({ type: 'fail', error: new Error('boom') });
        await expect(stopped).resolves.toMatchObject({ reason: 'failed' });
        expect(starts).toBe(2);
      });
    });

    describe("answering 'stop'", () => {
      it('stops the actor with reason failed and dead-letters what was queued as unprocessed', async () => {
        const system = newSystem();
        const letters = recordDeadLetters(system);
        const ref = system.spawn(counter, { name: 'quitter', supervision: { decide: () => 'stop' } });
        const stopped = actorStopped(system, '/user/quitter');
        const error = new Error('boom');
        ref.tell({ type: 'inc' });
        ref.tell({ type: 'fail', error });
        ref.tell({ type: 'inc', by: 2 });
        ref.tell({ type: 'inc', by: 3 });
        await expect(stopped).resolves.toMatchObject({ reason: 'failed' });
        expect(ref.status).toBe('stopped');
        expect(letters.map(({ reason, message }) => ({ reason, message }))).toEqual([
          { reason: 'handler-failed', message: { type: 'fail', error } },
          { reason: 'unprocessed', message: { type: 'inc', by: 2 } },
          { reason: 'unprocessed', message: { type: 'inc', by: 3 } },
        ]);
        expect(ref.tell({ type: 'inc' })).toBe(false);
        expect(letters.at(-1)).toMatchObject({ reason: 'recipient-stopped', message: { type: 'inc' } });
      });

      it('stops the children too, with reason shutdown', async () => {
        const system = newSystem();
        const parent = system.spawn(node, { name: 'parent', supervision: { decide: () => 'stop' } });
        const child = await spawnChild(parent, 'child', 'resume');
        const childStopped = actorStopped(system, '/user/parent/child');
        const parentStopped = actorStopped(system, '/user/parent');
        parent.tell({ type: 'fail', error: new Error('boom') });
        await expect(childStopped).resolves.toMatchObject({ reason: 'shutdown' });
        await expect(parentStopped).resolves.toMatchObject({ reason: 'failed' });
        expect(child.status).toBe('stopped');
      });
    });

    describe("answering 'escalate'", () => {
      it('stops the child with reason escalated and fails the parent with ActorFailedError', async () => {
        const system = newSystem();
        const decide = recordingDecider('resume');
        const events = recordEvents(system);
        const parent = system.spawn(node, { name: 'parent', supervision: { decide } });
        parent.tell({ type: 'inc', by: 4 });
        const child = await spawnChild(parent, 'child', 'escalate');
        const error = new Error('too hard');
        const parentFailed = nextEvent(system, 'actor-failed', (event) => event.path === '/user/parent');
        child.tell({ type: 'fail', error });
        const event = await parentFailed;
        expect(event.directive).toBe('resume');
        expect(event.message).toBeUndefined();
        expect(decide.errors).toHaveLength(1);
        const failure = decide.errors[0];
        expect(failure).toBeInstanceOf(ActorFailedError);
        expect((failure as ActorFailedError).actor).toBe('/user/parent/child');
        expect((failure as ActorFailedError).cause).toBe(error);
        expect(event.error).toBe(failure);
        await expect(parent.ask({ type: 'get' })).resolves.toBe(4);
        expect(child.status).toBe('stopped');
        expect(events).toContainEqual(expect.objectContaining({ type: 'actor-escalated', path: '/user/parent/child', error }));
        expect(events).toContainEqual(expect.objectContaining({ type: 'actor-stopped', path: '/user/parent/child', reason: 'escalated' }));
        expect(system.status).toBe('running');
      });

      it("lets the parent's 'restart' apply", async () => {
        const system = newSystem();
        const parent = system.spawn(node, { name: 'parent', supervision: { decide: () => 'restart' } });
        parent.tell({ type: 'inc', by: 4 });
        const child = await spawnChild(parent, 'child', 'escalate');
        const restarted = nextEvent(system, 'actor-restarted');
        child.tell({ type: 'fail', error: new Error('too hard') });
        const event = await restarted;
        expect(event.path).toBe('/user/parent');
        expect(event.error).toBeInstanceOf(ActorFailedError);
        await expect(parent.ask({ type: 'get' })).resolves.toBe(4);
      });

      it("lets the parent's 'stop' apply", async () => {
        const system = newSystem();
        const parent = system.spawn(node, { name: 'parent', supervision: { decide: () => 'stop' } });
        const child = await spawnChild(parent, 'child', 'escalate');
        const sibling = await spawnChild(parent, 'sibling', 'resume');
        const parentStopped = actorStopped(system, '/user/parent');
        child.tell({ type: 'fail', error: new Error('too hard') });
        await expect(parentStopped).resolves.toMatchObject({ reason: 'failed' });
        expect(sibling.status).toBe('stopped');
        expect(system.status).toBe('running');
      });

      it('passes up through a parent that escalates too', async () => {
        const system = newSystem();
        const decide = recordingDecider('resume');
        const root = system.spawn(node, { name: 'root', supervision: { decide } });
        const middle = await spawnChild(root, 'middle', 'escalate');
        const leaf = await spawnChild(middle, 'leaf', 'escalate');
        const error = new Error('from the leaf');
        const rootFailed = nextEvent(system, 'actor-failed', (event) => event.path === '/user/root');
        const middleStopped = actorStopped(system, '/user/root/middle');
        leaf.tell({ type: 'fail', error });
        await rootFailed;
        await expect(middleStopped).resolves.toMatchObject({ reason: 'escalated' });
        const failure = decide.errors[0] as ActorFailedError;
        expect(failure.actor).toBe('/user/root/middle');
        expect(failure.cause).toBeInstanceOf(ActorFailedError);
        expect((failure.cause as ActorFailedError).actor).toBe('/user/root/middle/leaf');
        expect((failure.cause as ActorFailedError).cause).toBe(error);
        expect(root.status).toBe('running');
      });

      it('fails the system when a failure escalates past a top-level actor from below', async () => {
        const system = newSystem();
        const top = system.spawn(node, { name: 'top', supervision: { decide: () => 'escalate' } });
        const child = await spawnChild(top, 'child', 'escalate');
        const error = new Error('from below');
        child.tell({ type: 'fail', error });
        const failure = await system.whenTerminated.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(system.status).toBe('failed');
        expect(failure).toBeInstanceOf(ActorFailedError);
        expect((failure as ActorFailedError).actor).toBe('/user/top');
        const cause = (failure as ActorFailedError).cause as ActorFailedError;
        expect(cause).toBeInstanceOf(ActorFailedError);
        expect(cause.actor).toBe('/user/top/child');
        expect(cause.cause).toBe(error);
      });

      it('at the top level stops the system and rejects whenTerminated with ActorFailedError, unhandled by nobody', async () => {
        const unhandled: unknown[] = [];
        const onUnhandled = (reason: unknown): void => {
          unhandled.push(reason);
        };
        process.on('unhandledRejection', onUnhandled);
        try {
          const system = newSystem({ name: 'doomed' });
          const events = recordEvents(system);
          const bystander = system.spawn(counter, { name: 'bystander' });
          const top = system.spawn(counter, { name: 'top', supervision: { decide: () => 'escalate' } });
          const terminated = nextEvent(system, 'system-terminated');
          const error = new Error('to the top');
          top.tell({ type: 'fail', error });
          const event = await terminated;
          // Node reports an unhandled rejection once the microtask queue has drained: give it a turn.
          await nextTurn();
          expect(unhandled).toEqual([]);
          expect(system.status).toBe('failed');
          const failure = await system.whenTerminated.then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(failure).toBeInstanceOf(ActorFailedError);
          expect((failure as ActorFailedError).actor).toBe('/user/top');
          expect((failure as ActorFailedError).cause).toBe(error);
          expect(event).toMatchObject({ system: 'doomed' });
          expect(event.error).toBe(failure);
          expect(bystander.status).toBe('stopped');
          const stops = events.flatMap((e) => (e.type === 'actor-stopped' ? [[e.path, e.reason]] : []));
          expect(stops).toEqual(
            expect.arrayContaining([
              ['/user/top', 'escalated'],
              ['/user/bystander', 'shutdown'],
            ]),
          );
          expect(() => system.spawn(counter)).toThrow();
          await expect(system.shutdown()).resolves.toBeUndefined();
        } finally {
          process.off('unhandledRejection', onUnhandled);
        }
      });
    });

    describe('throwing', () => {
      it("counts as 'stop' and reports hook-failed", async () => {
        const system = newSystem();
        const events = recordEvents(system);
        const deciderError = new Error('decider broke');
        const ref = system.spawn(counter, {
          name: 'unlucky',
          supervision: {
            decide: () => {
              throw deciderError;
            },
          },
        });
        const stopped = actorStopped(system, '/user/unlucky');
        ref.tell({ type: 'fail', error: new Error('boom') });
        await expect(stopped).resolves.toMatchObject({ reason: 'failed' });
        expect(events).toContainEqual(expect.objectContaining({ type: 'hook-failed', hook: 'decide', path: '/user/unlucky', error: deciderError }));
        expect(events).toContainEqual(expect.objectContaining({ type: 'actor-failed', directive: 'stop' }));
        expect(ref.status).toBe('stopped');
      });
    });

    describe('answering something that is not a directive', () => {
      it.each<[string, unknown, string]>([
        ['an unknown word', 'retry', '"retry"'],
        ['undefined', undefined, 'undefined'],
        ['an object', { directive: 'restart' }, '{"directive":"restart"}'],
      ])("counts %s as 'stop' and reports hook-failed with an error naming it", async (_, answer, shown) => {
        const system = newSystem();
        const events = recordEvents(system);
        const ref = system.spawn(counter, {
          name: 'confused',
          supervision: { decide: () => answer as Directive },
        });
        const failed = nextEvent(system, 'actor-failed');
        const stopped = actorStopped(system, '/user/confused');
        ref.tell({ type: 'fail', error: new Error('boom') });
        await expect(failed).resolves.toMatchObject({ directive: 'stop' });
        await expect(stopped).resolves.toMatchObject({ reason: 'failed' });
        const reports = events.filter((event) => event.type === 'hook-failed');
        expect(reports).toEqual([expect.objectContaining({ hook: 'decide', path: '/user/confused' })]);
        const { error } = reports[0] as EventOf<'hook-failed'>;
        expect(error).toBeInstanceOf(InvalidOptionError);
        expect(error).toMatchObject({ option: 'supervision.decide(error)', received: answer });
        expect((error as Error).message).toContain(`got \`${shown}\``);
        expect((error as Error).message).toContain("'resume', 'restart', 'stop', 'escalate'");
      });
    });
  });
});

describe('DIRECTIVES', () => {
  it('lists the four directives', () => {
    expect([...DIRECTIVES].sort()).toEqual(['escalate', 'restart', 'resume', 'stop']);
  });
});
