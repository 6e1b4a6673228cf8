/**
 * Runs one case of an actor check on a deterministic schedule: the actor lives in a system whose
 * dispatcher runs only when the steps (`case-steps.ts`) say so, fed by the case's senders
 * (`case-sender.ts`), with its faults injected and its state followed (`observed-actor.ts`); then
 * the query is asked and the system shut down. The same case runs the same way every time.
 *
 * Messages reach the mailbox in the order the senders send them (one FIFO: a tell never overtakes
 * a send still waiting for room), so the order they were sent in is the order the actor first
 * takes them: the order the model is given them in.
 */
import type { ActorRef } from '../../actors/actor-ref.js';
import type { ActorDefinition } from '../../actors/behavior.js';
import { createSystemWithScheduler } from '../../actors/system.js';
import type { SystemEvent } from '../../actors/events.js';
import { mulberry32 } from '../../internal/mulberry32.js';
import type { DeadLetter } from '../../mailbox/dead-letters.js';
import type { ActorCase } from '../actor-case.js';
import { describeActorFault, InjectedFault } from '../actor-faults.js';
import { ManualScheduler } from '../manual-scheduler.js';
import { VirtualClock } from '../virtual-clock.js';
import { StuckRunError } from './case-runner.js';
import { CaseSender, type AskOutcome } from './case-sender.js';
import { CaseSteps } from './case-steps.js';
import { show } from './compare.js';
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
  const { testCase } = setup;
  const { schedule } = testCase;
  const clock = new VirtualClock();
  const scheduler = new ManualScheduler();
  const steps = new CaseSteps(scheduler, clock, schedule, setup.maxSteps);
  const events: string[] = [];
  const deadLetters: CaseDeadLetter[] = [];
  const arrivals: number[] = [];
  const answers = new Map<number, AskOutcome>();
  const poisoned = new Set<number>();
  // Once the run is over, shutting down rejects what still waits: that is not what happened in it.
  let over = false;

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
    steps.pick,
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
      const answering = setup.answers((testCase.messages[index] as { message: TMessage }).message);
      return via === 'ask' && answering;
    },
    answered(index: number, outcome: AskOutcome): void {
      if (!over) answers.set(index, outcome);
    },
  };
  const bySender = new Map<number, number[]>();
  testCase.messages.forEach(({ sender }, index) => bySender.set(sender, [...(bySender.get(sender) ?? []), index]));
  const ids = [...bySender.keys()].sort((a, b) => a - b);
  const senders = ids.map((sender) => new CaseSender(testCase.messages, bySender.get(sender) as number[], port));
  steps.senders = senders;

  // A handler still in progress, or messages still queued, may wait on time (a timer of the actor's own).
  const actorBusy = (): boolean => observed.inProgress() > 0 || system.metrics().actors.some((actor) => actor.depth > 0);
  await steps.run(() => senders.some((sender) => sender.busy) || actorBusy());
  senders.forEach((sender, i) => {
    const unfinished = sender.unfinished(ids[i] as number);
    if (unfinished !== undefined) events.push(unfinished);
  });
  const state = setup.stateView?.(observed.state());
  const query = setup.query === undefined ? undefined : await ask(ref, new CaseLetter(-1, setup.query.message), steps);
  over = true;
  const stopped = system.shutdown({ drain: false });
  // Stopping takes a few rounds of promise callbacks; one that never ends waits on something that never comes.
  for (let round = 0; round < 100 && system.status === 'stopping'; round++) await steps.run(() => system.status === 'stopping');
  if (system.status === 'stopping') throw new StuckRunError('sluice/testing: the actor never stopped: a handler or hook waits on a promise that never settles');
  await stopped;
  return { arrivals, answers, poisoned, handled: observed.handled, state, query, deadLetters, events, steps: steps.count };
}

/** Asks `ref` and steps until the ask ends; undefined when it never does. */
async function ask<TMessage>(ref: ActorRef<TMessage | CaseLetter<TMessage>>, letter: CaseLetter<TMessage>, steps: CaseSteps): Promise<AskOutcome | undefined> {
  let outcome: AskOutcome | undefined;
  void ref.ask(letter, { timeoutMs: Infinity }).then(
    (value) => void (outcome = { kind: 'answered', value }),
    (error: unknown) => void (outcome = { kind: 'rejected', error }),
  );
  await steps.run(() => outcome === undefined);
  return outcome;
}
