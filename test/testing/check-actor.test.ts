import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineActor, InvalidOptionError } from '../../src/index.js';
import {
  ActorCheckError,
  assertActor,
  checkActor,
  DEFAULT_ACTOR_SCHEDULE,
  defineActorCheck,
  type ActorCase,
  type ActorCheckOptions,
  type ActorFault,
  type ActorModel,
  type CaseMessage,
} from '../../src/testing/index.js';

/** A register: `set` stores a value, `get` answers it, `swap` stores a value and answers the one before. */
type Reg = { type: 'set'; value: number } | { type: 'get' } | { type: 'swap'; value: number };

const register = defineActor<number, Reg>({
  initialState: () => 0,
  receive(value, msg, ctx) {
    if (msg.type === 'get') {
      ctx.reply(value);
      return value;
    }
    if (msg.type === 'swap') ctx.reply(value);
    return msg.value;
  },
});

const registerModel: ActorModel<number, Reg> = {
  initialState: () => 0,
  receive(value, msg) {
    if (msg.type === 'get') return { state: value, reply: value };
    return msg.type === 'swap' ? { state: msg.value, reply: value } : { state: msg.value };
  },
};

const regs = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('set' as const), value: fc.integer({ min: 1, max: 9 }) }),
    fc.constant({ type: 'get' as const }),
    fc.record({ type: fc.constant('swap' as const), value: fc.integer({ min: 1, max: 9 }) }),
  ),
  { maxLength: 10 },
);

/** An adding register: `set` adds, `swap` replaces and answers; kept in a Map written in place, so shared with its snapshot. */
const shared = defineActor<Map<'value', number>, Reg>({
  initialState: () => new Map([['value', 0]]),
  receive(box, msg, ctx) {
    const value = box.get('value') ?? 0;
    if (msg.type !== 'set') ctx.reply(value);
    return msg.type === 'get' ? box : box.set('value', msg.type === 'set' ? value + msg.value : msg.value);
  },
});

const addModel: ActorModel<number, Reg> = {
  initialState: () => 0,
  receive: (v, m) => (m.type === 'get' ? { state: v, reply: v } : m.type === 'set' ? { state: v + m.value } : { state: m.value, reply: v }),
};

const options = (overrides: Partial<ActorCheckOptions<number, Reg, number>> = {}): ActorCheckOptions<number, Reg, number> => ({
  actor: register,
  messages: regs,
  model: registerModel,
  ...overrides,
});

/** A case written by hand: each message `[message, sender?, via?, delayMs?]`, told by sender 0 unless said. */
function caseOf(
  messages: readonly (readonly [Reg, number?, CaseMessage<Reg>['via']?, number?])[],
  faults: readonly ActorFault[] = [],
  schedule: Partial<ActorCase<Reg>['schedule']> = {},
): ActorCase<Reg> {
  return {
    messages: messages.map(([message, sender = 0, via = 'tell', delayMs = 0]) => ({ message, sender, via, delayMs })),
    schedule: { ...DEFAULT_ACTOR_SCHEDULE, ...schedule },
    faults,
  };
}

/** The error `check` rejects `testCase` with. */
async function failure(check: { check(testCase: ActorCase<Reg>): Promise<void> }, testCase: ActorCase<Reg>): Promise<ActorCheckError> {
  const error = await check.check(testCase).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ActorCheckError);
  return error as ActorCheckError;
}

describe('defineActorCheck', () => {
  describe('check', () => {
    it('passes a correct actor under throws, poison and delays, any schedule and three senders', async () => {
      const check = defineActorCheck(
        options({ senders: 3, query: { type: 'get' }, state: (value) => value, faults: { throws: true, poison: true, delays: true } }),
      );
      await fc.assert(check.property, { seed: 7, numRuns: 150 });
    });

    it('gives the model the messages in the order they were sent: a sender waiting for an answer is overtaken', async () => {
      // A model that answers every get with 99 fails the case, and the failure says the order.
      const check = defineActorCheck(
        options({ model: { ...registerModel, receive: (v, m) => (m.type === 'get' ? { state: v, reply: 99 } : registerModel.receive(v, m)) } }),
      );
      // The actor starts; sender 0 asks, then waits for the answer; the third pick lets sender 1 go before the actor answers.
      const testCase = caseOf(
        [
          [{ type: 'get' }, 0, 'ask'],
          [{ type: 'set', value: 1 }, 0],
          [{ type: 'set', value: 2 }, 1],
        ],
        [],
        { picks: [0, 0, 1] },
      );
      const error = await failure(check, testCase);
      expect(error.message).toContain('what happened: sent in the order #1, #3, #2');
      expect(error.message).toContain('messages (3): #1 ask {"type":"get"}; #2 tell {"type":"set","value":1}; #3 tell {"type":"set","value":2} from sender 1');
    });

    it('holds a delayed message back in virtual time, so the other sender overtakes it', async () => {
      const check = defineActorCheck(options({ model: { ...registerModel, receive: (v, m) => ({ ...registerModel.receive(v, m), reply: 99 }) } }));
      const error = await failure(
        check,
        caseOf([
          [{ type: 'set', value: 1 }, 0, 'tell', 5],
          [{ type: 'get' }, 1, 'ask'],
        ]),
      );
      expect(error.message).toContain('sent in the order #2, #1');
      expect(error.message).toContain('#1 tell {"type":"set","value":1} after 5 ms');
    });

    it('reports an ask the actor never answers, and the sender that waited for it', async () => {
      const silent = defineActor<number, Reg>({ initialState: () => 0, receive: (value, msg) => (msg.type === 'set' ? msg.value : value) });
      const error = await failure(
        defineActorCheck(options({ actor: silent })),
        caseOf([
          [{ type: 'set', value: 4 }, 0],
          [{ type: 'get' }, 0, 'ask'],
          [{ type: 'set', value: 5 }, 0],
        ]),
      );
      expect(error.message).toContain(['the answer to #2 (ask {"type":"get"}) differs from the model\'s', '  expected 4', '  actual   no answer'].join('\n'));
      expect(error.message).toContain('sender 0 waited for an answer to #2; #3 was never sent');
    });

    it('does not wait for an answer the model does not give', async () => {
      const check = defineActorCheck(options({ query: { type: 'get' } }));
      await check.check(
        caseOf([
          [{ type: 'set', value: 4 }, 0, 'ask'],
          [{ type: 'swap', value: 6 }, 0, 'ask'],
        ]),
      );
    });

    it('expects a poisoned message to be left out: the model goes on without it, and its ask is rejected', async () => {
      const check = defineActorCheck(options({ query: { type: 'get' }, state: (value) => value }));
      const set4 = [{ type: 'set', value: 4 }, 0] as const;
      await check.check(caseOf([[{ type: 'set', value: 3 }], set4, [{ type: 'get' }, 0, 'ask']], [{ at: 2, poison: true }]));
      await check.check(caseOf([set4, [{ type: 'swap', value: 5 }, 0, 'ask']], [{ at: 2, poison: true }]));
      // An actor whose state keeps what a poisoned handler wrote in place fails such a case.
      const keeps = defineActorCheck({ actor: shared, messages: regs, model: addModel, query: { type: 'get' } });
      const error = await failure(keeps, caseOf([set4], [{ at: 1, poison: true, after: true }]));
      expect(error.message).toContain('#1 {"type":"set","value":4} went to dead letters as poison after 2 attempts');
      expect(error.message).toContain('  expected 0\n  actual   8');
    });

    it('expects the answer a poisoned handler gave before it failed, and the state without the message', async () => {
      const check = defineActorCheck(options({ query: { type: 'get' }, state: (value) => value }));
      await check.check(
        caseOf(
          [
            [{ type: 'set', value: 4 }, 0],
            [{ type: 'swap', value: 6 }, 0, 'ask'],
          ],
          [{ at: 2, poison: true, after: true }],
        ),
      );
    });

    it('fails a case in which the actor sent messages to dead letters, unless allowDeadLetters', async () => {
      // It answers a swap twice: the second answer has nobody to go to.
      const twice = defineActor<number, Reg>({
        initialState: () => 0,
        receive(value, msg, ctx) {
          if (msg.type === 'swap') ctx.reply(value);
          return register.receive(value, msg, ctx);
        },
      });
      const testCase = caseOf([[{ type: 'swap', value: 3 }, 0, 'ask']]);
      const error = await failure(defineActorCheck(options({ actor: twice })), testCase);
      expect(error.message).toMatch(/^the actor dead-lettered 1 message: late-reply: 0\n/);
      await defineActorCheck(options({ actor: twice, allowDeadLetters: true })).check(testCase);
    });

    it('compares the final state with the model when given `state`', async () => {
      const stuckAtFirst = defineActor<number, Reg>({
        initialState: () => 0,
        receive: (value, msg) => (msg.type === 'set' && value === 0 ? msg.value : value),
      });
      const testCase = caseOf([[{ type: 'set', value: 1 }], [{ type: 'set', value: 2 }]]);
      await defineActorCheck(options({ actor: stuckAtFirst })).check(testCase);
      const error = await failure(defineActorCheck(options({ actor: stuckAtFirst, state: (value) => value })), testCase);
      expect(error.message).toMatch(/^the actor's final state differs from the model's\n {2}expected 2\n {2}actual {3}1\n/);
    });

    it('reports a message loop as a run that never ends, naming maxSteps', async () => {
      const echo = defineActor<number, Reg>({ initialState: () => 0, receive: (value, msg, ctx) => (ctx.self.tell(msg), value) });
      const error = await failure(defineActorCheck(options({ actor: echo, maxSteps: 200 })), caseOf([[{ type: 'get' }]]));
      expect(error.message).toMatch(/^the run never ended: sluice\/testing: the run is still busy after 200 steps \(maxSteps\), a message loop\?/);
    });

    it('runs a case the same way every time', async () => {
      const check = defineActorCheck(
        options({ model: { ...registerModel, receive: (v, m) => ({ ...registerModel.receive(v, m), reply: v + 1 }) }, senders: 3 }),
      );
      const cases = fc.sample(check.cases, { seed: 3, numRuns: 20 });
      for (const testCase of cases) {
        const first = await check.check(testCase).then(
          () => 'passed',
          (e: unknown) => String(e),
        );
        const again = await check.check(testCase).then(
          () => 'passed',
          (e: unknown) => String(e),
        );
        expect(again).toBe(first);
      }
    });
  });

  describe('minimize', () => {
    const check = defineActorCheck({ actor: shared, messages: regs, model: addModel, query: { type: 'get' } });
    const big = caseOf(
      [
        [{ type: 'set', value: 5 }, 0, 'ask'],
        [{ type: 'set', value: 1 }, 1, 'ask', 3],
        [{ type: 'get' }, 0, 'ask'],
        [{ type: 'set', value: 2 }, 1],
      ],
      [
        { at: 3, poison: false },
        { at: 2, poison: false, after: true },
      ],
      { mailbox: 3, budget: 2, snapshotEvery: 2, picks: [1, 0, 2], ticks: [{ step: 2, ms: 4 }] },
    );

    it('takes away, one at a time, every message, fault and schedule item the failure does not need', async () => {
      await failure(check, big);
      const { testCase, minimal, attempts } = await check.minimize(big);
      expect(minimal).toBe(true);
      expect(attempts).toBeGreaterThan(0);
      expect(testCase.messages).toEqual([{ message: { type: 'set', value: expect.any(Number) }, sender: 0, via: 'tell', delayMs: 0 }]);
      expect(testCase.faults).toEqual([{ at: 1, poison: false, after: true }]);
      expect(testCase.schedule).toEqual({ mailbox: 1, budget: 1, snapshotEvery: 1, picks: [], ticks: [] });
    });

    it('stops when its budget is spent, and says so', async () => {
      expect(await check.minimize(big, 2)).toMatchObject({ attempts: 2, minimal: false });
    });
  });

  it('runs every case with a roomy mailbox in queue order under schedule: false', () => {
    const check = defineActorCheck(options({ schedule: false }));
    for (const testCase of fc.sample(check.cases, { seed: 1, numRuns: 20 })) expect(testCase.schedule).toEqual(DEFAULT_ACTOR_SCHEDULE);
  });

  it('sends every message by ask under asks: all, and none under asks: none', () => {
    const vias = (asks: 'all' | 'none') =>
      new Set(fc.sample(defineActorCheck(options({ asks })).cases, { seed: 2, numRuns: 30 }).flatMap((c) => c.messages.map((m) => m.via)));
    expect(vias('all')).toEqual(new Set(['ask']));
    expect(vias('none')).toEqual(new Set(['tell']));
  });

  it('rejects invalid options with InvalidOptionError naming the option', () => {
    const invalid: [Partial<ActorCheckOptions<number, Reg, number>>, string][] = [
      [{ messages: [] as never }, 'messages'],
      [{ model: { initialState: () => 0 } as never }, 'model.receive'],
      [{ actor: { initialState: () => 0 } as never }, 'receive'],
      [{ asks: 'many' as never }, 'asks'],
      [{ senders: 0 }, 'senders'],
      [{ state: 'value' as never }, 'state'],
      [{ faults: { throws: 'yes' as never } }, 'faults.throws'],
      [{ faults: { maxFaults: 0 } }, 'faults.maxFaults'],
      [{ schedule: { maxMailbox: 0 } }, 'maxMailbox'],
      [{ allowDeadLetters: 1 as never }, 'allowDeadLetters'],
      [{ maxSteps: -1 }, 'maxSteps'],
    ];
    for (const [bad, name] of invalid) {
      expect(() => defineActorCheck(options(bad)), name).toThrow(InvalidOptionError);
      expect(() => defineActorCheck(options(bad)), name).toThrow(`\`${name}\``);
    }
  });
});

describe('assertActor', () => {
  const forgetful = defineActor<number, Reg>({ ...register, receive: (v, m, ctx) => (m.type === 'set' && m.value === 7 ? v : register.receive(v, m, ctx)) });
  const check = defineActorCheck(options({ actor: forgetful, query: { type: 'get' } }));

  it('throws one error with the case shrunk to a minimum and a line that replays it', async () => {
    const error = (await assertActor(check, { seed: 4, numRuns: 200 }).catch((e: unknown) => e)) as ActorCheckError;
    expect(error).toBeInstanceOf(ActorCheckError);
    expect(error.message).toContain('messages (1): #1 tell {"type":"set","value":7}');
    const replay = /replay: await assertActor\(check, \{ seed: (-?\d+), path: "([\d:]+)", endOnFailure: true \}\)$/.exec(error.message);
    expect(replay).not.toBeNull();
    const [, seed = '', path = ''] = replay as RegExpExecArray;
    const again = (await assertActor(check, { seed: Number(seed), path, endOnFailure: true }).catch((e: unknown) => e)) as ActorCheckError;
    expect(again.message.split('\n')[0]).toBe(error.message.split('\n')[0]);
    expect(again.testCase).toEqual(error.testCase);
  });

  it('resolves for a check that holds', async () => {
    await assertActor(defineActorCheck(options({ faults: { throws: true } })), { seed: 1, numRuns: 30 });
  });
});

describe('checkActor', () => {
  it('is the check as a fast-check property', async () => {
    await fc.assert(checkActor(options({ query: { type: 'get' }, faults: { throws: true } })), { seed: 5, numRuns: 30 });
  });
});
