/**
 * Runs one case of an actor check on a deterministic schedule: the actor lives in a system whose
 * dispatcher runs only when the engine says so, and at each step the schedule picks one slice of a
 * ready actor or one message of a ready sender; virtual time moves at the schedule's ticks, and to
 * the next timer when nothing else can happen while a sender (or the query) still waits. Between
 * steps, promise callbacks settle. The same case runs the same way every time.
 *
 * Messages reach the mailbox in the order the senders send them (one FIFO: a tell never overtakes
 * a send still waiting for room), so the order they were sent in is the order the actor first
 * takes them: the order the model is given them in.
 */
import type { ActorDefinition } from '../../actors/behavior.js';
import { createSystemWithScheduler } from '../../actors/system.js';
import type { SystemEvent } from '../../actors/events.js';
import { mulberry32 } from '../../internal/mulberry32.js';
import type { DeadLetter } from '../../mailbox/dead-letters.js';
import type { ActorCase } from '../actor-case.js';
import { describeActorFault, InjectedFault } from '../actor-faults.js';
import { ManualScheduler } from '../manual-scheduler.js';
import type { Tick } from '../schedule.js';
import { VirtualClock } from '../virtual-clock.js';
import { StuckRunError } from './case-runner.js';
import { CaseSender, type AskOutcome } from './case-sender.js';
import { show } from './compare.js';
import { macrotask, settled } from './event-loop.js';
import { CaseLetter, observeActor } from './observed-actor.js';

export interface ActorRunSetup<TState, TMessage> {
  readonly definition: ActorDefinition<TState, TMessage>;
  readonly testCase: ActorCase<TMessage>;
  /** Steps the model with each message as it is sent, in order: true when the actor answers it. */
  readonly answers: (message: TMessage) => boolean;
  /** The actor's state as the check compares it, read once every message is handled; undefined: not compared. */
  readonly stateView: ((state: TState) => unknown) | undefined;
  /** A message asked once every message is handled; its answer is compared with the model's. */
  readonly query: { readonly message: TMessage } | undefined;
  /** Most steps (turns, sends and moves of time) the run may take. */
  readonly maxSteps: number;
}

/** A dead letter, its message unwrapped, with its index in the case when it is one of the case's. */
export interface CaseDeadLetter {
  readonly letter: DeadLetter;
  readonly index: number | undefined;
}

/** What happened in a run. */
export interface ActorRunReport {
  /** Indexes of the case's messages, in the order they were sent (so first taken). */
  readonly arrivals: readonly number[];
  /** How each ask that ended before the end of the run ended, by index. */
  readonly answers: ReadonlyMap<number, AskOutcome>;
  /** Indexes of the messages a poison fault struck. */
  readonly poisoned: ReadonlySet<number>;
  /** Indexes of the messages the handler ran to its end at least once: an ask of one was answered then, if the handler answers it. */
  readonly handled: ReadonlySet<number>;
  /** `stateView` of the state the actor held once every message was handled. */
  readonly state: unknown;
  /** How the query's ask ended; undefined without a query, or when it never did. */
  readonly query: AskOutcome | undefined;
  readonly deadLetters: readonly CaseDeadLetter[];
  /** What happened, in words. */
  readonly events: readonly string[];
  readonly steps: number;
}

/** A case message in words for what happened: `#2 {"type":"get"}`. */
function labelOf(message: unknown): string {
  if (!(message instanceof CaseLetter)) return `its own message ${show(message)}`;
  const letter = message as CaseLetter<unknown>;
  return letter.index === -1 ? `the query ${show(letter.message)}` : `#${letter.index + 1} ${show(letter.message)}`;
}

/** A system event in words, or undefined for one that says nothing a failure needs. */
function eventText(event: SystemEvent): string | undefined {
  switch (event.type) {
    case 'actor-failed':
      // An injected fault is told as it strikes, with the fault.
      return event.error instanceof InjectedFault ? undefined : `the actor threw on ${labelOf(event.message)}: ${String(event.error)}`;
    case 'actor-restarted':
      return `restarted from ${event.from === 'snapshot' ? 'its last snapshot' : 'its initial state'}, to process ${event.replayed} message${event.replayed === 1 ? '' : 's'} again`;
    case 'poison-message':
      return `${labelOf(event.message)} went to dead letters as poison after ${event.attempts} attempts`;
    case 'actor-stopped':
      return `the actor stopped (${event.reason})`;
    case 'hook-failed':
      return `its ${event.hook} hook failed: ${String(event.error)}`;
    case 'system-terminated':
      return event.error === undefined ? undefined : `the actor system gave up: ${String(event.error)}`;
    default:
      return undefined;
  }
}

/** Runs a case and reports what happened; rejects with a StuckRunError when the run never ends. */
export async function runActorCase<TState, TMessage>(setup: ActorRunSetup<TState, TMessage>): Promise<ActorRunReport> {
  const { testCase, maxSteps } = setup;
  const { schedule } = testCase;
  const clock = new VirtualClock();
  const scheduler = new ManualScheduler();
  const events: string[] = [];
  const deadLetters: CaseDeadLetter[] = [];
  const arrivals: number[] = [];
  const answers = new Map<number, AskOutcome>();
  const poisoned = new Set<number>();
  let senders: CaseSender<TMessage>[] = [];
  let pickValue = 0;
  // Once the run is over, shutting down rejects what still waits: that is not what happened in it.
  let over = false;

  // The dispatcher asks at each turn: the pick indexes the ready actors, then the ready senders;
  // picking a sender lets it send and runs no actor this turn.
  const pick = (ready: number): number => {
    const waiting = senders.filter((sender) => sender.ready);
    const choice = pickValue % (ready + waiting.length);
    if (choice < ready) return choice;
    (waiting[choice - ready] as CaseSender<TMessage>).send();
    return -1;
  };
  const system = createSystemWithScheduler(
    {
      name: 'actor-check',
      clock,
      random: mulberry32(1),
      askTimeoutMs: Infinity,
      // Injected faults are as many as the case says: they never make the supervisor give up.
      supervisor: { exempt: (cause) => cause instanceof InjectedFault },
    },
    scheduler.schedule,
    pick,
  );
  system.events.subscribe((event) => {
    const text = over ? undefined : eventText(event);
    if (text !== undefined) events.push(text);
  });
  system.deadLetters.subscribe((letter) => {
    if (over) return;
    const wrapped = letter.message instanceof CaseLetter ? (letter.message as CaseLetter<TMessage>) : undefined;
    deadLetters.push({ letter: wrapped === undefined ? letter : { ...letter, message: wrapped.message }, index: wrapped?.index });
  });
  const observed = observeActor(setup.definition, testCase.faults, (fault, message) => {
    if (fault.poison && message instanceof CaseLetter) poisoned.add((message as CaseLetter<TMessage>).index);
    events.push(`the fault "${describeActorFault(fault)}" struck ${labelOf(message)}`);
  });
  const ref = system.spawn(observed.definition, {
    name: 'actor',
    mailbox: { capacity: schedule.mailbox },
    messageBudget: schedule.budget,
    // Throw faults that strike one message again and again must not make it poison: only poison faults do.
    supervision: { maxRetries: testCase.faults.length + 1 },
    ...(schedule.snapshotEvery === undefined ? {} : { snapshot: { everyMessages: schedule.snapshotEvery } }),
  });
  const port = {
    clock,
    ref,
    sent(index: number, via: 'tell' | 'ask'): boolean {
      arrivals.push(index);
      const answers = setup.answers((testCase.messages[index] as { message: TMessage }).message);
      return via === 'ask' && answers;
    },
    answered(index: number, outcome: AskOutcome): void {
      if (!over) answers.set(index, outcome);
    },
  };
  const bySender = new Map<number, number[]>();
  testCase.messages.forEach(({ sender }, index) => bySender.set(sender, [...(bySender.get(sender) ?? []), index]));
  const ids = [...bySender.keys()].sort((a, b) => a - b);
  senders = ids.map((sender) => new CaseSender(testCase.messages, bySender.get(sender) as number[], port));

  const ticks = [...schedule.ticks].sort((a, b) => a.step - b.step);
  let step = 0;
  let nextTick = 0;
  const countStep = (): void => {
    if (step++ >= maxSteps) throw new StuckRunError(`sluice/testing: the run is still busy after ${maxSteps} steps (maxSteps), a message loop?`);
  };
  /** Steps until nothing can happen, moving time to the next timer while `waits` says something still waits. */
  const run = async (waits: () => boolean): Promise<void> => {
    for (let loopTurned = false; ;) {
      await settled();
      if (scheduler.pending > 0 || senders.some((sender) => sender.ready)) {
        loopTurned = false;
        for (; nextTick < ticks.length && (ticks[nextTick] as Tick).step <= step; nextTick++) await clock.advance((ticks[nextTick] as Tick).ms, settled);
        pickValue = schedule.picks.length === 0 ? 0 : (schedule.picks[step % schedule.picks.length] as number);
        countStep();
        if (scheduler.pending > 0) scheduler.runNext();
        else {
          const ready = senders.filter((sender) => sender.ready);
          ready[pickValue % Math.max(1, ready.length)]?.send();
        }
        continue;
      }
      // Nothing is ready once promise callbacks settled: let the event loop turn once, in case a
      // handler waits on something of its own, before moving time.
      if (!loopTurned) {
        loopTurned = true;
        await macrotask();
        continue;
      }
      const due = clock.nextDue;
      if (due === undefined || !waits()) return;
      countStep();
      loopTurned = false;
      await clock.advance(due - clock.now(), settled);
    }
  };

  // A handler still in progress, or messages still queued, may wait on time (a timer of the actor's own).
  const actorBusy = (): boolean => observed.inProgress() > 0 || system.metrics().actors.some((actor) => actor.depth > 0);
  await run(() => senders.some((sender) => sender.busy) || actorBusy());
  senders.forEach((sender, i) => {
    const unfinished = sender.unfinished(ids[i] as number);
    if (unfinished !== undefined) events.push(unfinished);
  });
  const state = setup.stateView?.(observed.state());
  let query: AskOutcome | undefined;
  if (setup.query !== undefined) {
    let waiting = true;
    void ref.ask(new CaseLetter(-1, setup.query.message), { timeoutMs: Infinity }).then(
      (value) => void ((query = { kind: 'answered', value }), (waiting = false)),
      (error: unknown) => void ((query = { kind: 'rejected', error }), (waiting = false)),
    );
    await run(() => waiting);
  }
  over = true;
  const stopped = system.shutdown({ drain: false });
  // Stopping takes a few rounds of promise callbacks; one that never ends waits on something that never comes.
  for (let round = 0; round < 100 && system.status === 'stopping'; round++) await run(() => system.status === 'stopping');
  if (system.status === 'stopping') throw new StuckRunError('sluice/testing: the actor never stopped: a handler or hook waits on a promise that never settles');
  await stopped;
  return { arrivals, answers, poisoned, handled: observed.handled, state, query, deadLetters, events, steps: step };
}
