/**
 * Cases of an actor check: the messages sent (each with its sender, by `tell` or `ask`, after a
 * delay in virtual time), the schedule and the faults, drawn together by fast-check so they shrink
 * together; read back in words; and made one step simpler at a time, for minimizing. Faults are
 * anchored within the messages as a case is drawn, so each one strikes a message the case sends.
 */
import fc from 'fast-check';
import { describeActorFaults, type ActorFault } from './actor-faults.js';
import { describeActorSchedule, type ActorSchedule } from './actor-schedule.js';
import { show } from './internal/compare.js';
import { without } from './internal/greedy-minimize.js';

/** One message of a case, and how it is sent. */
export interface CaseMessage<TMessage> {
  readonly message: TMessage;
  /**
   * Which sender sends it, from 0: each sender sends its own messages in case order, and an
   * asking sender waits for the answer the model says the actor gives.
   */
  readonly sender: number;
  /** By `tell` (nobody waits for an answer) or by `ask` (its answer is compared with the model's). */
  readonly via: 'tell' | 'ask';
  /** Virtual milliseconds its sender waits, once it gets to it, before sending it. */
  readonly delayMs: number;
}

/** One generated case: what the actor is sent, how the run is scheduled, and what strikes it. */
export interface ActorCase<TMessage> {
  readonly messages: readonly CaseMessage<TMessage>[];
  readonly schedule: ActorSchedule;
  /** Faults of the actor's handler, counted over the messages it takes (replays included). */
  readonly faults: readonly ActorFault[];
}

/** How the cases of a check are drawn. */
export interface ActorCaseSetup<TMessage> {
  readonly messages: fc.Arbitrary<readonly TMessage[]>;
  readonly schedule: fc.Arbitrary<ActorSchedule>;
  readonly faults: fc.Arbitrary<ActorFault[]>;
  /** Senders, at least 1. */
  readonly senders: number;
  /** Which messages go by ask: none, all, or some drawn. */
  readonly asks: 'none' | 'some' | 'all';
  /** Longest delay before a message; 0 for none. */
  readonly maxDelayMs: number;
}

/** Sends drawn beside the messages, by index; a message without one is sent the default way. */
const MAX_SENDS = 64;

/**
 * Cases as fast-check values. Messages past the sends drawn go from sender 0 without delay, by tell
 * (by ask with `asks: 'all'`), so a case shrinks toward one sender telling at once.
 */
export function actorCaseArb<TMessage>(setup: ActorCaseSetup<TMessage>): fc.Arbitrary<ActorCase<TMessage>> {
  const { senders, asks, maxDelayMs } = setup;
  const firstVia: CaseMessage<TMessage>['via'] = asks === 'all' ? 'ask' : 'tell';
  const send = fc.record({
    sender: senders > 1 ? fc.nat({ max: senders - 1 }) : fc.constant(0),
    via: asks === 'some' ? fc.constantFrom<'tell' | 'ask'>('tell', 'ask') : fc.constant(firstVia),
    // Most messages go at once: a delay matters where it lets another sender's message overtake.
    delayMs:
      maxDelayMs === 0 ? fc.constant(0) : fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: maxDelayMs }), weight: 1 }),
  });
  return fc
    .record({
      messages: setup.messages,
      sends: fc.array(send, { maxLength: MAX_SENDS }),
      schedule: setup.schedule,
      faults: setup.faults,
    })
    .map(({ messages, sends, schedule, faults }) => {
      const sent = messages.map((message, i): CaseMessage<TMessage> => ({ message, ...(sends[i] ?? { sender: 0, via: firstVia, delayMs: 0 }) }));
      // A fault past the messages would strike nothing (or the replays alone): fold it onto them.
      const anchored = faults.map((fault) => ({ ...fault, at: 1 + ((fault.at - 1) % Math.max(1, sent.length)) }));
      return actorCaseOf(sent, schedule, anchored);
    });
}

/** A case of these parts, that fast-check prints in words. */
export function actorCaseOf<TMessage>(messages: readonly CaseMessage<TMessage>[], schedule: ActorSchedule, faults: readonly ActorFault[]): ActorCase<TMessage> {
  const testCase: ActorCase<TMessage> = { messages, schedule, faults };
  // fast-check prints a counterexample with this: the case in words, not a wall of JSON.
  Object.defineProperty(testCase, fc.toStringMethod, { value: () => `\n${describeActorCase(testCase)}\n`, enumerable: false });
  return testCase;
}

/** One message of a case in words, e.g. `ask {"type":"get"} from sender 1 after 5 ms`. */
export function describeCaseMessage<TMessage>(sent: CaseMessage<TMessage>): string {
  const from = sent.sender === 0 ? '' : ` from sender ${sent.sender}`;
  const delay = sent.delayMs === 0 ? '' : ` after ${sent.delayMs} ms`;
  return `${sent.via} ${show(sent.message)}${from}${delay}`;
}

/**
 * An actor case in words: messages, schedule and faults, one per line.
 *
 * @example
 * ```ts
 * describeActorCase(testCase);
 * // messages (2): #1 tell {"type":"inc","key":"a"}; #2 ask {"type":"get","key":"a"} from sender 1
 * // schedule: mailbox of 1, 1 message a turn, a snapshot after every message, queue order
 * // faults: fails after handling its 1st message
 * ```
 */
export function describeActorCase<TMessage>(testCase: ActorCase<TMessage>): string {
  const { messages } = testCase;
  return [
    `messages (${messages.length}): ${messages.length === 0 ? 'none' : messages.map((sent, i) => `#${i + 1} ${describeCaseMessage(sent)}`).join('; ')}`,
    `schedule: ${describeActorSchedule(testCase.schedule)}`,
    `faults: ${describeActorFaults(testCase.faults)}`,
  ].join('\n');
}

/**
 * Every case one step simpler than `testCase`, removals first: one fault or message less (the faults
 * after it moved down with their messages, or left where they were), a fault
 * earlier or not poison (or one that throws before the k-th message made one that fails after the
 * one before it, which needs no k-th), a message told rather than asked, from sender 0 or without
 * delay, one tick or pick less, and one message of room, one a turn, a snapshot after every
 * message. With `tells` false (a check whose messages all go by ask), asks stay asks.
 */
export function* simplerActorCases<TMessage>(testCase: ActorCase<TMessage>, tells = true): Generator<ActorCase<TMessage>> {
  const { messages, schedule, faults } = testCase;
  const withMessages = (next: readonly CaseMessage<TMessage>[]) => actorCaseOf(next, schedule, faults);
  const withFaults = (next: readonly ActorFault[]) => actorCaseOf(messages, schedule, next);
  const withSchedule = (next: Partial<ActorSchedule>) => actorCaseOf(messages, { ...schedule, ...next }, faults);
  const replaceAt = <T>(list: readonly T[], index: number, item: T): T[] => list.map((old, i) => (i === index ? item : old));
  for (let i = 0; i < faults.length; i++) yield withFaults(without(faults, i));
  for (let i = 0; i < messages.length; i++) {
    // Faults count the messages taken: those past the one removed move down with their messages.
    const shifted = faults.map((fault) => (fault.at > i + 1 ? { ...fault, at: fault.at - 1 } : fault));
    yield actorCaseOf(without(messages, i), schedule, shifted);
    if (shifted.some((fault, f) => fault !== faults[f])) yield withMessages(without(messages, i));
  }
  for (const [i, fault] of faults.entries()) {
    if (fault.at > 1) yield withFaults(replaceAt(faults, i, { ...fault, at: fault.at - 1 }));
    // The same moment, between two messages, told of the earlier one: the later one may then go.
    if (fault.at > 1 && !fault.poison && fault.after !== true) yield withFaults(replaceAt(faults, i, { ...fault, at: fault.at - 1, after: true }));
    if (fault.poison) yield withFaults(replaceAt(faults, i, { ...fault, poison: false }));
  }
  for (const [i, sent] of messages.entries()) {
    if (sent.via === 'ask' && tells) yield withMessages(replaceAt(messages, i, { ...sent, via: 'tell' }));
    if (sent.sender !== 0) yield withMessages(replaceAt(messages, i, { ...sent, sender: 0 }));
    if (sent.delayMs !== 0) yield withMessages(replaceAt(messages, i, { ...sent, delayMs: 0 }));
  }
  for (let i = 0; i < schedule.ticks.length; i++) yield withSchedule({ ticks: without(schedule.ticks, i) });
  if (schedule.picks.length > 0) yield withSchedule({ picks: [] });
  for (let i = 0; i < schedule.picks.length; i++) yield withSchedule({ picks: without(schedule.picks, i) });
  if (schedule.mailbox > 1) yield withSchedule({ mailbox: 1 });
  if (schedule.budget > 1) yield withSchedule({ budget: 1 });
  if (schedule.snapshotEvery !== undefined && schedule.snapshotEvery > 1) yield withSchedule({ snapshotEvery: 1 });
}
