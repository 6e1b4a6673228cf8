import { describe, expect, it } from 'vitest';
import { ActorFailedError, ActorStoppedError, AskTimeoutError, MailboxOverflowError, defineActor, type ActorSystem } from '../../src/index.js';
import { VirtualClock } from '../../src/testing/index.js';
import { Inbox, counter, deferred, expectInvalidOption, nextDeadLetter, recordDeadLetters, useSystems, type Deferred } from './helpers.js';

const newSystem = useSystems();

function virtualSystem(askTimeoutMs?: number): { system: ActorSystem; clock: VirtualClock } {
  const clock = new VirtualClock();
  const system = newSystem(askTimeoutMs === undefined ? { clock } : { clock, askTimeoutMs });
  return { system, clock };
}

/** Tracks whether a promise has settled, without leaving a rejection unhandled. */
function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly result: Promise<unknown> } {
  let settled = false;
  const result = promise.then(
    (value) => {
      settled = true;
      return value;
    },
    (error: unknown) => {
      settled = true;
      return error;
    },
  );
  return {
    get settled() {
      return settled;
    },
    result,
  };
}

type SlowMsg = { id: number };

/**
 * Waits on `gates[id]` before replying `reply-<id>` to each message; records what `ctx.reply`
 * returned and announces each message as it starts.
 */
function slowReplier(gates: Deferred<void>[], entered: Inbox<number>, replied: boolean[]) {
  return defineActor<null, SlowMsg>({
    initialState: () => null,
    async receive(state, msg, ctx) {
      entered.push(msg.id);
      await gates[msg.id]?.promise;
      replied.push(ctx.reply(`reply-${msg.id}`));
      return state;
    },
  });
}

describe('ActorRef', () => {
  describe('ask', () => {
    it('resolves with the value the handler passes to ctx.reply and clears its timer', async () => {
      const { system, clock } = virtualSystem();
      const ref = system.spawn(counter);
      ref.tell({ type: 'inc', by: 41 });
      ref.tell({ type: 'inc' });
      await expect(ref.ask({ type: 'get' }, { timeoutMs: 1000 })).resolves.toBe(42);
      expect(clock.pendingTimers).toBe(0);
    });

    it('resolves with a reply given after an await in an async handler', async () => {
      const { system } = virtualSystem();
      const gates = [deferred()];
      const entered = new Inbox<number>();
      const replied: boolean[] = [];
      const ref = system.spawn(slowReplier(gates, entered, replied));
      const reply = ref.ask({ id: 0 });
      await entered.next();
      gates[0]?.resolve();
      await expect(reply).resolves.toBe('reply-0');
      expect(replied).toEqual([true]);
    });

    it('rejects with AskTimeoutError once the clock reaches timeoutMs, not before', async () => {
      const { system, clock } = virtualSystem();
      const ref = system.spawn(counter, { name: 'silent' });
      const ask = track(ref.ask({ type: 'inc' }, { timeoutMs: 1000 }));
      await expect(ref.ask({ type: 'get' }, { timeoutMs: Infinity })).resolves.toBe(1);
      await clock.advance(999);
      expect(ask.settled).toBe(false);
      await clock.advance(1);
      expect(ask.settled).toBe(true);
      const error = await ask.result;
      expect(error).toBeInstanceOf(AskTimeoutError);
      expect(error).toMatchObject({
        code: 'ASK_TIMEOUT',
        recipient: '/user/silent',
        timeoutMs: 1000,
        request: { type: 'inc' },
      });
      expect(clock.pendingTimers).toBe(0);
    });

    it('uses the system’s askTimeoutMs when no timeout is given', async () => {
      const { system, clock } = virtualSystem(250);
      const ref = system.spawn(counter);
      const ask = track(ref.ask({ type: 'inc' }));
      await clock.advance(249);
      expect(ask.settled).toBe(false);
      await clock.advance(1);
      await expect(ask.result).resolves.toMatchObject({ timeoutMs: 250 });
    });

    it('defaults to a 5000 ms timeout', async () => {
      const { system, clock } = virtualSystem();
      const ask = track(system.spawn(counter).ask({ type: 'inc' }));
      await clock.advance(4999);
      expect(ask.settled).toBe(false);
      await clock.advance(1);
      await expect(ask.result).resolves.toBeInstanceOf(AskTimeoutError);
    });

    it('sets no timer and never times out with timeoutMs Infinity', async () => {
      const { system, clock } = virtualSystem();
      const ref = system.spawn(counter);
      const ask = track(ref.ask({ type: 'inc' }, { timeoutMs: Infinity }));
      expect(clock.pendingTimers).toBe(0);
      await clock.advance(1e12);
      expect(ask.settled).toBe(false);
      await system.shutdown();
      await expect(ask.result).resolves.toBeInstanceOf(ActorStoppedError);
    });

    it('counts the wait for mailbox room against the timeout, and withdraws an ask that times out waiting: it is never delivered, and a retry takes effect once', async () => {
      const { system, clock } = virtualSystem();
      const gates = [deferred(), deferred(), deferred()];
      const entered = new Inbox<number>();
      const ref = system.spawn(slowReplier(gates, entered, []), { mailbox: { capacity: 1 } });
      ref.tell({ id: 0 });
      await entered.next();
      ref.tell({ id: 1 });
      const ask = track(ref.ask({ id: 2 }, { timeoutMs: 100 }));
      expect(ref.metrics().waitingSenders).toBe(1);
      await clock.advance(100);
      await expect(ask.result).resolves.toMatchObject({ code: 'ASK_TIMEOUT', request: { id: 2 } });
      const afterTimeout = ref.metrics();
      for (const gate of gates) gate.resolve();
      expect(afterTimeout).toMatchObject({ waitingSenders: 0, depth: 1 });
      // The caller retries after the timeout: the message is handled once, for the retry.
      await expect(ref.ask({ id: 2 }, { timeoutMs: Infinity })).resolves.toBe('reply-2');
      expect(entered.items).toEqual([0, 1, 2]);
      expect(system.deadLetters.count).toBe(0);
    });

    it('processes an ask that times out after the mailbox accepted it, and dead-letters its reply as a late-reply', async () => {
      const { system, clock } = virtualSystem();
      const gates = [deferred(), deferred()];
      const entered = new Inbox<number>();
      const replied: boolean[] = [];
      const ref = system.spawn(slowReplier(gates, entered, replied), { name: 'accepted' });
      ref.tell({ id: 0 });
      await entered.next();
      const ask = track(ref.ask({ id: 1 }, { timeoutMs: 100 }));
      expect(ref.metrics()).toMatchObject({ depth: 1, waitingSenders: 0 });
      await clock.advance(100);
      await expect(ask.result).resolves.toBeInstanceOf(AskTimeoutError);
      const late = nextDeadLetter(system, 'late-reply');
      for (const gate of gates) gate.resolve();
      await expect(late).resolves.toMatchObject({ recipient: '/user/accepted', message: 'reply-1' });
      expect(entered.items).toEqual([0, 1]);
      expect(replied).toEqual([false, false]);
    });

    it('rejects at once with ActorStoppedError when the actor has stopped, and dead-letters the message', async () => {
      const { system, clock } = virtualSystem();
      const ref = system.spawn(counter, { name: 'gone' });
      await ref.stop();
      const letters = recordDeadLetters(system);
      const error = await ref.ask({ type: 'get' }, { timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActorStoppedError);
      expect(error).toMatchObject({ code: 'ACTOR_STOPPED', recipient: '/user/gone', undelivered: { type: 'get' } });
      expect(letters).toMatchObject([{ reason: 'recipient-stopped', recipient: '/user/gone', message: { type: 'get' } }]);
      expect(clock.pendingTimers).toBe(0);
    });

    it('rejects at once with ActorStoppedError while the actor is stopping', async () => {
      const { system } = virtualSystem();
      const gates = [deferred()];
      const entered = new Inbox<number>();
      const ref = system.spawn(slowReplier(gates, entered, []), { name: 'closing' });
      ref.tell({ id: 0 });
      await entered.next();
      const stopped = ref.stop();
      expect(ref.status).toBe('stopping');
      await expect(ref.ask({ id: 1 })).rejects.toMatchObject({ code: 'ACTOR_STOPPED', recipient: '/user/closing' });
      gates[0]?.resolve();
      await stopped;
    });

    it('rejects with ActorStoppedError when the actor stops before taking the message', async () => {
      const { system, clock } = virtualSystem();
      const gates = [deferred()];
      const entered = new Inbox<number>();
      const ref = system.spawn(slowReplier(gates, entered, []), { name: 'busy' });
      ref.tell({ id: 0 });
      const ask = track(ref.ask({ id: 1 }, { timeoutMs: 1000 }));
      await entered.next();
      const stopped = ref.stop();
      gates[0]?.resolve();
      await stopped;
      await expect(ask.result).resolves.toBeInstanceOf(ActorStoppedError);
      await expect(ask.result).resolves.toMatchObject({ recipient: '/user/busy', undelivered: { id: 1 } });
      expect(clock.pendingTimers).toBe(0);
    });

    it('rejects with ActorFailedError carrying the cause when the handler throws on the asked message', async () => {
      const { system, clock } = virtualSystem();
      const ref = system.spawn(counter, { name: 'fragile' });
      const cause = new Error('no');
      const error = await ref.ask({ type: 'fail', error: cause }, { timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActorFailedError);
      expect(error).toMatchObject({ code: 'ACTOR_FAILED', actor: '/user/fragile', cause });
      expect((error as Error).message).toContain('no');
      expect(clock.pendingTimers).toBe(0);
    });

    it('rejects with ActorFailedError when an async handler rejects on the asked message', async () => {
      const { system } = virtualSystem();
      const cause = new Error('later');
      const ref = system.spawn(
        defineActor<null, 'go'>({
          initialState: () => null,
          async receive() {
            await Promise.resolve();
            throw cause;
          },
        }),
      );
      await expect(ref.ask('go')).rejects.toMatchObject({ code: 'ACTOR_FAILED', cause });
    });

    it('rejects with MailboxOverflowError when the mailbox is full under the fail policy', async () => {
      const { system } = virtualSystem();
      const ref = system.spawn(counter, { name: 'full', mailbox: { capacity: 1, overflow: 'fail' } });
      ref.tell({ type: 'inc' });
      const error = await ref.ask({ type: 'get' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailboxOverflowError);
      expect(error).toMatchObject({ recipient: '/user/full', capacity: 1, undelivered: { type: 'get' } });
    });

    it.each([0, -1, Number.NaN])('throws InvalidOptionError naming `timeoutMs` for %s', (timeoutMs) => {
      const { system } = virtualSystem();
      const ref = system.spawn(counter);
      expectInvalidOption(() => ref.ask({ type: 'get' }, { timeoutMs }), 'timeoutMs');
    });

    it('sends a reply given after the timeout to dead letters as a late-reply', async () => {
      const { system, clock } = virtualSystem();
      const gates = [deferred()];
      const entered = new Inbox<number>();
      const replied: boolean[] = [];
      const ref = system.spawn(slowReplier(gates, entered, replied), { name: 'late' });
      const ask = track(ref.ask({ id: 0 }, { timeoutMs: 100 }));
      await entered.next();
      await clock.advance(100);
      await expect(ask.result).resolves.toBeInstanceOf(AskTimeoutError);
      const late = nextDeadLetter(system, 'late-reply');
      gates[0]?.resolve();
      await expect(late).resolves.toMatchObject({ reason: 'late-reply', recipient: '/user/late', message: 'reply-0', at: 100 });
      expect(replied).toEqual([false]);
    });
  });
});

describe('ActorContext', () => {
  describe('reply', () => {
    it('returns false for a message that came by tell or send, and posts no dead letter', async () => {
      const { system } = virtualSystem();
      const replied: boolean[] = [];
      const ref = system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive(state, msg, ctx) {
            replied.push(ctx.reply(msg));
            return state;
          },
        }),
      );
      ref.tell('told');
      await ref.send('sent');
      await expect(ref.ask('asked')).resolves.toBe('asked');
      expect(replied).toEqual([false, false, true]);
      expect(system.deadLetters.count).toBe(0);
    });

    it('returns false for a second reply and sends it to dead letters as a late-reply', async () => {
      const { system } = virtualSystem();
      const replied: boolean[] = [];
      const ref = system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive(state, msg, ctx) {
            replied.push(ctx.reply(`${msg} 1`), ctx.reply(`${msg} 2`));
            return state;
          },
        }),
        { name: 'twice' },
      );
      const late = nextDeadLetter(system, 'late-reply');
      await expect(ref.ask('hi')).resolves.toBe('hi 1');
      expect(replied).toEqual([true, false]);
      await expect(late).resolves.toMatchObject({ recipient: '/user/twice', message: 'hi 2' });
    });

    it('does not answer an earlier ask from the handler of a later told message', async () => {
      const { system } = virtualSystem();
      const replied = new Inbox<boolean>();
      const ref = system.spawn(
        defineActor<null, 'ask' | 'tell'>({
          initialState: () => null,
          receive(state, msg, ctx) {
            if (msg === 'tell') replied.push(ctx.reply('from tell'));
            return state;
          },
        }),
      );
      const ask = track(ref.ask('ask', { timeoutMs: Infinity }));
      ref.tell('tell');
      await expect(replied.next()).resolves.toBe(false);
      await ref.send('tell');
      await expect(replied.next()).resolves.toBe(false);
      expect(ask.settled).toBe(false);
      await system.shutdown();
      await expect(ask.result).resolves.toBeInstanceOf(ActorStoppedError);
    });
  });
});
