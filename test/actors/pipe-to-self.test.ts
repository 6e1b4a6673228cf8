import { describe, expect, it } from 'vitest';
import { defineActor, type ActorDefinition, type ActorRef, type Directive } from '../../src/index.js';
import { createTestKit, type TestKit } from '../../src/testing/index.js';
import { deferred, type Deferred } from './helpers.js';

type Msg =
  | { readonly type: 'fetch'; readonly from: Deferred<number>; readonly fail?: number | undefined }
  | { readonly type: 'got'; readonly value: number }
  | { readonly type: 'lost'; readonly reason: string }
  | { readonly type: 'hold'; readonly until: Promise<void> }
  | { readonly type: 'state' };

/**
 * Pipes the promise of each `fetch` to itself (failing `fail` times after piping, counted outside
 * the state), and keeps what the results said, in order.
 */
function fetcher(log: string[] = [], failures = new Map<Deferred<number>, number>()): ActorDefinition<readonly string[], Msg> {
  return defineActor<readonly string[], Msg>({
    initialState: () => [],
    async receive(results, msg, ctx) {
      switch (msg.type) {
        case 'fetch': {
          ctx.pipeToSelf(
            msg.from.promise,
            (value) => ({ type: 'got', value }),
            (error) => ({ type: 'lost', reason: (error as Error).message }),
          );
          const left = failures.get(msg.from) ?? msg.fail ?? 0;
          failures.set(msg.from, left - 1);
          if (left > 0) throw new Error('failed after piping');
          return results;
        }
        case 'hold':
          log.push('hold begins');
          await msg.until;
          log.push('hold ends');
          return results;
        case 'got':
          log.push(`got ${msg.value}`);
          return [...results, `got ${msg.value}`];
        case 'lost':
          return [...results, `lost ${msg.reason}`];
        case 'state':
          ctx.reply(results);
          return results;
      }
    },
  });
}

/** What the actor keeps, once the results of settled promises have been handled. */
async function resultsOf(kit: TestKit, ref: ActorRef<Msg>): Promise<readonly string[]> {
  await kit.settle();
  const reply = ref.ask<readonly string[]>({ type: 'state' }, { timeoutMs: Infinity });
  await kit.settle();
  return reply;
}

describe('ActorContext', () => {
  describe('pipeToSelf', () => {
    it('sends the mapped value, or the mapped error, through the mailbox', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(fetcher());
      const ok = deferred<number>();
      const bad = deferred<number>();
      ref.tell({ type: 'fetch', from: ok });
      ref.tell({ type: 'fetch', from: bad });
      await kit.settle();
      bad.reject(new Error('timeout'));
      ok.resolve(7);
      expect(await resultsOf(kit, ref)).toEqual(['lost timeout', 'got 7']);
      expect(kit.deadLetters).toEqual([]);
      await kit.shutdown();
    });

    it('never delivers while the actor handles another message', async () => {
      const log: string[] = [];
      const kit = createTestKit();
      const ref = kit.system.spawn(fetcher(log));
      const value = deferred<number>();
      const release = deferred();
      ref.tell({ type: 'fetch', from: value });
      ref.tell({ type: 'hold', until: release.promise });
      await kit.settle();
      value.resolve(1);
      await kit.settle();
      expect(log).toEqual(['hold begins']);
      release.resolve();
      await kit.settle();
      expect(log).toEqual(['hold begins', 'hold ends', 'got 1']);
      await kit.shutdown();
    });

    it('waits for mailbox room under backpressure', async () => {
      const log: string[] = [];
      const kit = createTestKit();
      const ref = kit.system.spawn(fetcher(log), { mailbox: { capacity: 1 } });
      const value = deferred<number>();
      const release = deferred();
      ref.tell({ type: 'fetch', from: value });
      await kit.settle();
      ref.tell({ type: 'hold', until: release.promise });
      await kit.settle();
      ref.tell({ type: 'state' }); // fills the mailbox
      value.resolve(2);
      await kit.settle();
      expect(ref.metrics()).toMatchObject({ depth: 1, waitingSenders: 1 });
      release.resolve();
      expect(await resultsOf(kit, ref)).toEqual(['got 2']);
      expect(kit.deadLetters).toEqual([]);
      await kit.shutdown();
    });

    it('sends the result to dead letters when the actor has stopped', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(fetcher());
      const value = deferred<number>();
      ref.tell({ type: 'fetch', from: value });
      await kit.settle();
      const stopped = ref.stop();
      await kit.settle();
      await stopped;
      value.resolve(3);
      await kit.settle();
      expect(kit.deadLetters).toEqual([expect.objectContaining({ reason: 'recipient-stopped', recipient: ref.path, message: { type: 'got', value: 3 } })]);
      await kit.shutdown();
    });

    it('sends the outcome to dead letters as handler-failed when the mapping throws', async () => {
      const kit = createTestKit();
      const bug = new Error('mapping bug');
      const ref = kit.system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive(state, _msg, ctx) {
            ctx.pipeToSelf(
              Promise.resolve(5),
              () => {
                throw bug;
              },
              () => 'unused',
            );
            return state;
          },
        }),
      );
      ref.tell('go');
      await kit.settle();
      expect(kit.deadLetters).toEqual([expect.objectContaining({ reason: 'handler-failed', message: 5, error: bug })]);
      await kit.shutdown();
    });

    it.each<[Directive, readonly string[]]>([
      ['restart', ['got 4']],
      ['resume', []],
    ])('makes one message of one call when the handler throws after piping, under %s', async (directive, expected) => {
      const kit = createTestKit();
      const ref = kit.system.spawn(fetcher(), { supervision: { decide: () => directive } });
      const value = deferred<number>();
      // Under 'restart' the handler pipes twice (its first attempt, then its retry); under 'resume' once, and its effects are undone.
      ref.tell({ type: 'fetch', from: value, fail: 1 });
      await kit.settle();
      value.resolve(4);
      expect(await resultsOf(kit, ref)).toEqual(expected);
      expect(kit.deadLetters.map((letter) => letter.reason)).toEqual(directive === 'resume' ? ['handler-failed'] : []);
      await kit.shutdown();
    });

    it('makes one message of one call processed again after a restart rolled back over it', async () => {
      const kit = createTestKit();
      const ref = kit.system.spawn(fetcher(), { snapshot: { everyMessages: 100 } });
      const first = deferred<number>();
      const second = deferred<number>();
      ref.tell({ type: 'fetch', from: first });
      await kit.settle();
      first.resolve(1); // taken before the restart: the rollback hands it back with the fetch
      await kit.settle();
      ref.tell({ type: 'fetch', from: second, fail: 1 });
      await kit.settle();
      second.resolve(2);
      expect(await resultsOf(kit, ref)).toEqual(['got 1', 'got 2']);
      expect(kit.events.filter((event) => event.type === 'actor-restarted')).toHaveLength(1);
      await kit.shutdown();
    });

    it('always delivers a pipe opened in a lifecycle hook', async () => {
      const kit = createTestKit();
      const seen: string[] = [];
      let failures = 1;
      const ref = kit.system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          started(_state, ctx) {
            ctx.pipeToSelf(
              Promise.resolve('ready'),
              (value) => value,
              () => 'failed',
            );
          },
          receive(state, msg) {
            seen.push(msg);
            if (msg === 'boom' && failures-- > 0) throw new Error('boom');
            return state;
          },
        }),
      );
      await kit.settle();
      ref.tell('boom'); // fails once: restarts, and started pipes again
      await kit.settle();
      expect(seen).toEqual(['ready', 'boom', 'boom', 'ready']);
      await kit.shutdown();
    });

    it('refuses what is not a promise, and mappings that are not functions', async () => {
      const kit = createTestKit();
      const options: unknown[] = [];
      const ref = kit.system.spawn(
        defineActor<null, readonly [unknown, unknown, unknown]>({
          initialState: () => null,
          receive(state, [promise, onValue, onError], ctx) {
            try {
              ctx.pipeToSelf(promise as Promise<unknown>, onValue as () => never, onError as () => never);
            } catch (error) {
              options.push((error as { option?: unknown }).option);
            }
            return state;
          },
        }),
      );
      const fn = () => undefined as never;
      ref.tell([42, fn, fn]);
      ref.tell([Promise.resolve(), 'x', fn]);
      ref.tell([Promise.resolve(), fn, null]);
      await kit.settle();
      expect(options).toEqual(['promise', 'onValue', 'onError']);
      await kit.shutdown();
    });
  });
});
