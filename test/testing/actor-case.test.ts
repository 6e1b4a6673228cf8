import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/index.js';
import { actorCaseArb, actorCaseOf, simplerActorCases, type ActorCase } from '../../src/testing/actor-case.js';
import {
  actorScheduleArb,
  DEFAULT_ACTOR_SCHEDULE,
  describeActorCase,
  describeActorSchedule,
  type ActorFault,
  type ActorSchedule,
} from '../../src/testing/index.js';

const schedule: ActorSchedule = { mailbox: 2, budget: 1, snapshotEvery: 3, picks: [1, 0, 3], ticks: [{ step: 7, ms: 5 }] };

const testCase: ActorCase<string> = actorCaseOf(
  [
    { message: 'inc', sender: 0, via: 'tell', delayMs: 0 },
    { message: 'get', sender: 1, via: 'ask', delayMs: 5 },
  ],
  schedule,
  [
    { at: 2, poison: false },
    { at: 1, poison: false, after: true },
  ],
);

describe('describeActorCase', () => {
  it('says the messages, who sends them and how, the schedule and the faults, one per line', () => {
    expect(describeActorCase(testCase)).toBe(
      [
        'messages (2): #1 tell "inc"; #2 ask "get" from sender 1 after 5 ms',
        'schedule: mailbox of 2, 1 message a turn, a snapshot every 3 messages, picks 1 0 3, +5 ms before step 7',
        'faults: throws at its 2nd message; fails after handling its 1st message',
      ].join('\n'),
    );
    expect(describeActorCase(actorCaseOf([], DEFAULT_ACTOR_SCHEDULE, []))).toBe(
      ['messages (0): none', "schedule: mailbox of 1024, 256 messages a turn, the actor's own snapshots, queue order", 'faults: none'].join('\n'),
    );
  });

  it('is how fast-check prints a case', () => {
    expect(fc.stringify(testCase)).toBe(`\n${describeActorCase(testCase)}\n`);
  });
});

describe('describeActorSchedule', () => {
  it('says how often the actor snapshots', () => {
    expect(describeActorSchedule({ ...schedule, snapshotEvery: 1, picks: [], ticks: [] })).toBe(
      'mailbox of 2, 1 message a turn, a snapshot after every message, queue order',
    );
  });
});

describe('actorScheduleArb', () => {
  it('stays within its bounds', () => {
    for (const s of fc.sample(actorScheduleArb({ maxMailbox: 2, maxBudget: 3, maxSnapshotEvery: 2 }), { seed: 1, numRuns: 100 })) {
      expect(s.mailbox).toBeGreaterThanOrEqual(1);
      expect(s.mailbox).toBeLessThanOrEqual(2);
      expect(s.budget).toBeLessThanOrEqual(3);
      expect(s.snapshotEvery).toBeLessThanOrEqual(2);
    }
  });

  it('rejects a bound that is not a positive integer, naming it', () => {
    expect(() => actorScheduleArb({ maxBudget: 0 })).toThrow(InvalidOptionError);
    expect(() => actorScheduleArb({ maxSnapshotEvery: 1.5 })).toThrow('`maxSnapshotEvery`');
  });
});

describe('actorCaseArb', () => {
  const faults = fc.array(fc.record({ at: fc.integer({ min: 1, max: 64 }), poison: fc.boolean() }), { maxLength: 3 });
  const arb = actorCaseArb({ messages: fc.array(fc.nat(9), { maxLength: 8 }), schedule: actorScheduleArb(), faults, senders: 3, asks: 'some', maxDelayMs: 20 });

  it('puts every fault on one of the messages the case sends', () => {
    for (const c of fc.sample(arb, { seed: 2, numRuns: 200 })) {
      for (const fault of c.faults) expect(fault.at).toBeLessThanOrEqual(Math.max(1, c.messages.length));
    }
  });

  it('draws senders, asks and delays within their bounds', () => {
    const sent = fc.sample(arb, { seed: 3, numRuns: 200 }).flatMap((c) => c.messages);
    expect(new Set(sent.map((m) => m.sender))).toEqual(new Set([0, 1, 2]));
    expect(new Set(sent.map((m) => m.via))).toEqual(new Set(['tell', 'ask']));
    expect(Math.max(...sent.map((m) => m.delayMs))).toBeLessThanOrEqual(20);
    expect(sent.some((m) => m.delayMs > 0)).toBe(true);
  });
});

describe('simplerActorCases', () => {
  const candidates = [...simplerActorCases(testCase)];

  it('tries every fault and every message away first', () => {
    expect(candidates[0]?.faults).toEqual([{ at: 1, poison: false, after: true }]);
    expect(candidates[1]?.faults).toEqual([{ at: 2, poison: false }]);
    // Without the first message, the fault at the second moves down with it; then as it was.
    expect(candidates[2]?.messages.map((m) => m.message)).toEqual(['get']);
    expect(candidates[2]?.faults).toEqual([
      { at: 1, poison: false },
      { at: 1, poison: false, after: true },
    ]);
    expect(candidates[3]?.faults).toEqual(testCase.faults);
  });

  it('moves a fault before a message to after the one before it, which needs no message after', () => {
    expect(candidates.map((c) => c.faults)).toContainEqual([
      { at: 1, poison: false, after: true },
      { at: 1, poison: false, after: true },
    ]);
  });

  it('makes each message and schedule item simpler, one at a time', () => {
    const messages = candidates.map((c) => c.messages[1]);
    expect(messages).toContainEqual({ message: 'get', sender: 1, via: 'tell', delayMs: 5 });
    expect(messages).toContainEqual({ message: 'get', sender: 0, via: 'ask', delayMs: 5 });
    expect(messages).toContainEqual({ message: 'get', sender: 1, via: 'ask', delayMs: 0 });
    const schedules = candidates.map((c) => c.schedule);
    expect(schedules).toContainEqual({ ...schedule, ticks: [] });
    expect(schedules).toContainEqual({ ...schedule, picks: [] });
    expect(schedules).toContainEqual({ ...schedule, picks: [0, 3] });
    expect(schedules).toContainEqual({ ...schedule, mailbox: 1 });
    expect(schedules).toContainEqual({ ...schedule, snapshotEvery: 1 });
  });

  it('keeps asks asks when every message goes by ask', () => {
    expect([...simplerActorCases(testCase, false)].some((c) => c.messages[1]?.via === 'tell')).toBe(false);
  });

  it('has nothing simpler than the simplest case', () => {
    const simplest = actorCaseOf(
      [{ message: 'inc', sender: 0, via: 'tell', delayMs: 0 }],
      { ...DEFAULT_ACTOR_SCHEDULE, mailbox: 1, budget: 1 },
      [] as ActorFault[],
    );
    expect([...simplerActorCases(simplest)].map((c) => c.messages.length)).toEqual([0]);
  });
});
