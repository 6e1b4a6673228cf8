import { describe, expect, it } from 'vitest';
import {
  RESTART_TYPES,
  RestartIntensityExceededError,
  defineActor,
  type ActorRef,
  type ActorSystem,
  type RestartType,
  type StopReason,
} from '../../src/index.js';
import { nextEvent, recordDeadLetters, recordEvents, useSystems } from '../actors/helpers.js';
import { flaky, nextOutcome, parent, rejectionOf, spawnWorker, worker, type WorkerMsg } from './helpers.js';

const newSystem = useSystems();

type Trigger = "decider 'restart'" | "decider 'stop'" | 'ctx.stop()' | 'ref.stop()';

type Expected =
  { readonly restarts: true; readonly from: 'snapshot' | 'initial-state'; readonly state: number } | { readonly restarts: false; readonly reason: StopReason };

const restarted = (from: 'snapshot' | 'initial-state', state: number): Expected => ({ restarts: true, from, state });
const stopped = (reason: StopReason): Expected => ({ restarts: false, reason });

/**
 * Restart type × what ended the incarnation. The actor holds 5, then gets the trigger, then an
 * `inc` of 2 that is already queued: a restart keeps the mailbox, so the `inc` is processed after
 * it. A restart from the snapshot keeps the 5; a fresh start begins again from 0.
 */
const MATRIX: Record<RestartType, Record<Trigger, Expected>> = {
  permanent: {
    "decider 'restart'": restarted('snapshot', 7),
    "decider 'stop'": restarted('snapshot', 7),
    'ctx.stop()': restarted('initial-state', 2),
    'ref.stop()': stopped('requested'),
  },
  transient: {
    "decider 'restart'": restarted('snapshot', 7),
    "decider 'stop'": stopped('failed'),
    'ctx.stop()': stopped('requested'),
    'ref.stop()': stopped('requested'),
  },
  temporary: {
    "decider 'restart'": stopped('failed'),
    "decider 'stop'": stopped('failed'),
    'ctx.stop()': stopped('requested'),
    'ref.stop()': stopped('requested'),
  },
};

const TRIGGERS: readonly Trigger[] = ["decider 'restart'", "decider 'stop'", 'ctx.stop()', 'ref.stop()'];

const CASES = RESTART_TYPES.flatMap((type) => TRIGGERS.map((trigger) => ({ type, trigger, expected: MATRIX[type][trigger] })));

function describeExpected(expected: Expected): string {
  return expected.restarts ? `restarts from ${expected.from}` : `stops with reason ${expected.reason}`;
}

/** Pulls `trigger` on `ref`; returns the message that failed, if the trigger is one. */
function pull(trigger: Trigger, ref: ActorRef<WorkerMsg>): WorkerMsg | undefined {
  switch (trigger) {
    case "decider 'restart'": {
      // Fails once, then succeeds on the retry: a restart replays it.
      const message = flaky(new Error('boom'));
      ref.tell(message);
      return message;
    }
    case "decider 'stop'": {
      const message: WorkerMsg = { type: 'fail', error: new Error('boom') };
      ref.tell(message);
      return message;
    }
    case 'ctx.stop()':
      ref.tell({ type: 'stop-self' });
      return undefined;
    case 'ref.stop()':
      void ref.stop();
      return undefined;
  }
}

describe('SupervisionOptions', () => {
  describe('restart', () => {
    it.each(CASES.map((c) => ({ ...c, outcome: describeExpected(c.expected) })))('$type after $trigger $outcome', async ({ type, trigger, expected }) => {
      const system = newSystem();
      const events = recordEvents(system);
      const letters = recordDeadLetters(system);
      let initialStates = 0;
      const definition = defineActor<number, WorkerMsg>({
        ...worker,
        initialState: () => {
          initialStates++;
          return 0;
        },
      });
      const directive = trigger === "decider 'stop'" ? 'stop' : 'restart';
      const ref = system.spawn(definition, { name: 'subject', supervision: { restart: type, decide: () => directive } });
      ref.tell({ type: 'inc', by: 5 });
      await expect(ref.ask({ type: 'get' })).resolves.toBe(5);
      const outcome = nextOutcome(system, ref.path);
      const failed = pull(trigger, ref);
      ref.tell({ type: 'inc', by: 2 });
      const event = await outcome;

      if (expected.restarts) {
        expect(event).toMatchObject({ type: 'actor-restarted', from: expected.from });
        await expect(ref.ask({ type: 'get' })).resolves.toBe(expected.state);
        expect(ref.status).toBe('running');
        expect(initialStates).toBe(expected.from === 'initial-state' ? 2 : 1);
        expect(events.filter((e) => e.type === 'actor-restarted')).toHaveLength(1);
      } else {
        expect(event).toMatchObject({ type: 'actor-stopped', reason: expected.reason });
        expect(ref.status).toBe('stopped');
        expect(events.filter((e) => e.type === 'actor-restarted')).toEqual([]);
        expect(letters.filter((letter) => letter.reason === 'unprocessed' || letter.reason === 'recipient-stopped')).toContainEqual(
          expect.objectContaining({ message: { type: 'inc', by: 2 } }),
        );
      }
      // A message given up (not retried) goes to dead letters as handler-failed.
      const givenUp = trigger === "decider 'stop'" || (trigger === "decider 'restart'" && !expected.restarts);
      expect(letters.filter((letter) => letter.reason === 'handler-failed').map((letter) => letter.message)).toEqual(givenUp ? [failed] : []);
    });

    describe.each(RESTART_TYPES)('%s', (type) => {
      it('is not restarted when its parent stops', async () => {
        const system = newSystem();
        const events = recordEvents(system);
        const sup = system.spawn(parent, { name: 'sup' });
        const child = await spawnWorker(sup, 'child', { supervision: { restart: type } });
        const outcome = nextOutcome(system, child.path);
        await sup.stop();
        await expect(outcome).resolves.toMatchObject({ type: 'actor-stopped', reason: 'shutdown' });
        expect(child.status).toBe('stopped');
        expect(events.filter((e) => e.type === 'actor-restarted')).toEqual([]);
      });

      it('is not restarted by a shutdown of the system', async () => {
        const system = newSystem();
        const events = recordEvents(system);
        const ref = system.spawn(worker, { name: 'subject', supervision: { restart: type } });
        const outcome = nextOutcome(system, ref.path);
        await system.shutdown();
        await expect(outcome).resolves.toMatchObject({ type: 'actor-stopped', reason: 'shutdown' });
        expect(events.filter((e) => e.type === 'actor-restarted')).toEqual([]);
      });
    });

    it('defaults to transient', async () => {
      const system = newSystem();
      const ref = system.spawn(worker, { name: 'subject' });
      const outcome = nextOutcome(system, ref.path);
      ref.tell({ type: 'stop-self' });
      await expect(outcome).resolves.toMatchObject({ type: 'actor-stopped', reason: 'requested' });
    });

    describe('permanent', () => {
      it('counts each fresh start against its supervisor', async () => {
        const system: ActorSystem = newSystem({ supervisor: { maxRestarts: 1 } });
        const ref = system.spawn(worker, { name: 'subject', supervision: { restart: 'permanent' } });
        const first = nextEvent(system, 'actor-restarted');
        ref.tell({ type: 'stop-self' });
        await expect(first).resolves.toMatchObject({ from: 'initial-state' });
        ref.tell({ type: 'stop-self' });
        const failure = await rejectionOf(system.whenTerminated);
        expect(failure).toBeInstanceOf(RestartIntensityExceededError);
        expect(failure).toMatchObject({ supervisor: '/user', child: '/user/subject' });
      });

      it('processes what was queued behind ctx.stop() after the fresh start, in order', async () => {
        const system = newSystem();
        const ref = system.spawn(worker, { name: 'subject', supervision: { restart: 'permanent' } });
        ref.tell({ type: 'inc', by: 100 });
        ref.tell({ type: 'stop-self' });
        ref.tell({ type: 'inc', by: 1 });
        ref.tell({ type: 'inc', by: 2 });
        await expect(ref.ask({ type: 'get' })).resolves.toBe(3);
        expect(ref.metrics().processed).toBe(5);
      });
    });
  });
});
