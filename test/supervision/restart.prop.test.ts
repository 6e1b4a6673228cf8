/**
 * The promise "no loss on restart", as properties: whatever the messages, the snapshot interval and
 * the injected failures, a supervised actor ends exactly where a model that applied every
 * non-poison message once ends, and dead letters hold exactly the poison messages; and, among
 * siblings restarting together, on every path that ends an actor (a stop at any point, a supervisor
 * that gives up), each message is either applied once or dead-lettered once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DIRECTIVES,
  KeyedState,
  STRATEGIES,
  createSystem,
  defineActor,
  type ActorDefinition,
  type ActorRef,
  type DeadLetter,
  type BackoffOptions,
  type Directive,
} from '../../src/index.js';
import { createTestKit } from '../../src/testing/index.js';

/** How a message fails: never, its first `times` attempts, or every time (poison). */
type Fault = { readonly kind: 'never' } | { readonly kind: 'transient'; readonly times: number } | { readonly kind: 'always' };

interface Item {
  readonly id: number;
  readonly amount: number;
  readonly fault: Fault;
}

type Msg = { readonly type: 'item'; readonly item: Item } | { readonly type: 'get' };

const MAX_RETRIES = 3;

const faultArb: fc.Arbitrary<Fault> = fc.oneof(
  { weight: 6, arbitrary: fc.constant<Fault>({ kind: 'never' }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: MAX_RETRIES + 1 }).map<Fault>((times) => ({ kind: 'transient', times })) },
  { weight: 1, arbitrary: fc.constant<Fault>({ kind: 'always' }) },
);

const itemsArb = fc
  .array(fc.record({ amount: fc.integer({ min: 1, max: 100 }), fault: faultArb }), { maxLength: 40 })
  .map((items) => items.map((item, id) => ({ id, ...item })));

function isPoison(fault: Fault): boolean {
  return fault.kind === 'always' || (fault.kind === 'transient' && fault.times >= MAX_RETRIES);
}

/** Throws on the attempts the item's fault calls for; attempts are counted outside the actor. */
function maybeFail(item: Item, attempts: Map<number, number>): void {
  const attempt = (attempts.get(item.id) ?? 0) + 1;
  attempts.set(item.id, attempt);
  const { fault } = item;
  if (fault.kind === 'always' || (fault.kind === 'transient' && attempt <= fault.times)) {
    throw new Error(`item ${item.id} fails on attempt ${attempt}`);
  }
}

/** Plain immutable state: the ids applied, in order, and their total. */
function plainCounter(attempts: Map<number, number>, async: boolean): ActorDefinition<{ ids: readonly number[]; total: number }, Msg> {
  const apply = (state: { ids: readonly number[]; total: number }, item: Item) => {
    maybeFail(item, attempts);
    return { ids: [...state.ids, item.id], total: state.total + item.amount };
  };
  return defineActor<{ ids: readonly number[]; total: number }, Msg>({
    initialState: () => ({ ids: [], total: 0 }),
    receive(state, msg, ctx) {
      if (msg.type === 'get') {
        ctx.reply(state);
        return state;
      }
      return async ? Promise.resolve().then(() => apply(state, msg.item)) : apply(state, msg.item);
    },
  });
}

/** Keyed state written in place; the handler writes its key and only then fails (a half-write). */
function keyedCounter(attempts: Map<number, number>): ActorDefinition<KeyedState<number | 'total', number>, Msg> {
  return defineActor({
    initialState: () => new KeyedState<number | 'total', number>(),
    receive(state, msg, ctx) {
      if (msg.type === 'get') {
        ctx.reply(Object.fromEntries(state.entries()));
        return state;
      }
      const { item } = msg;
      state.set(item.id, item.amount);
      state.set('total', (state.get('total') ?? 0) + item.amount);
      maybeFail(item, attempts);
      return state;
    },
  });
}

async function run<TState>(
  definition: ActorDefinition<TState, Msg>,
  items: readonly Item[],
  everyMessages: number,
): Promise<{ result: unknown; poison: DeadLetter[]; others: DeadLetter[] }> {
  const system = createSystem({ supervisor: { maxRestarts: Infinity } });
  const letters: DeadLetter[] = [];
  system.deadLetters.subscribe((letter) => letters.push(letter));
  const ref: ActorRef<Msg> = system.spawn(definition, {
    mailbox: { capacity: 64 },
    supervision: { maxRetries: MAX_RETRIES },
    snapshot: { everyMessages },
  });
  for (const item of items) {
    const msg: Msg = { type: 'item', item };
    if (!ref.tell(msg)) await ref.send(msg);
  }
  const result = await ref.ask({ type: 'get' });
  await system.shutdown();
  return {
    result,
    poison: letters.filter((letter) => letter.reason === 'poison'),
    others: letters.filter((letter) => letter.reason !== 'poison'),
  };
}

function poisonIds(letters: readonly DeadLetter[]): number[] {
  return letters.map((letter) => (letter.message as Extract<Msg, { type: 'item' }>).item.id);
}

describe('restart from snapshot', () => {
  it('ends with the state of a model that applied each non-poison message once, for plain state', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArb, fc.integer({ min: 1, max: 8 }), fc.boolean(), async (items, everyMessages, async) => {
        const { result, poison, others } = await run(plainCounter(new Map(), async), items, everyMessages);
        const applied = items.filter((item) => !isPoison(item.fault));
        expect(result).toEqual({ ids: applied.map((item) => item.id), total: applied.reduce((sum, item) => sum + item.amount, 0) });
        expect(poisonIds(poison)).toEqual(items.filter((item) => isPoison(item.fault)).map((item) => item.id));
        expect(others).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('rolls back half-written keyed state and ends with the model, for keyed state', async () => {
    await fc.assert(
      fc.asyncProperty(itemsArb, fc.integer({ min: 1, max: 8 }), async (items, everyMessages) => {
        const { result, poison, others } = await run(keyedCounter(new Map()), items, everyMessages);
        const applied = items.filter((item) => !isPoison(item.fault));
        const expected: Record<string, number> = Object.fromEntries(applied.map((item) => [item.id, item.amount]));
        if (applied.length > 0) expected['total'] = applied.reduce((sum, item) => sum + item.amount, 0);
        expect(result).toEqual(expected);
        expect(poisonIds(poison)).toEqual(items.filter((item) => isPoison(item.fault)).map((item) => item.id));
        expect(others).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});

type UpMsg = { readonly type: 'item'; readonly item: Item } | { readonly type: 'sync' };
type DownMsg = { readonly type: 'value'; readonly value: number } | { readonly type: 'get' };

describe('sequenced links', () => {
  it('never make the downstream take a message twice when the upstream restarts and sends again, however their turns interleave', async () => {
    await fc.assert(
      // The TestKit runs one slice of one actor per turn, the one the picks choose: fast-check
      // searches the interleavings of upstream, downstream and restarts, and shrinks them.
      fc.asyncProperty(itemsArb, fc.integer({ min: 1, max: 8 }), fc.array(fc.nat(), { maxLength: 16 }), async (items, everyMessages, picks) => {
        const kit = createTestKit({ supervisor: { maxRestarts: Infinity }, picks, dispatcher: { messageBudget: 1 } });
        const { system } = kit;
        const attempts = new Map<number, number>();
        const downstream = system.spawn(
          defineActor<readonly number[], DownMsg>({
            initialState: () => [],
            receive(seen, msg, ctx) {
              if (msg.type === 'get') {
                ctx.reply(seen);
                return seen;
              }
              return [...seen, msg.value];
            },
          }),
          { mailbox: { capacity: 1024 } },
        );
        const upstream = system.spawn(
          defineActor<number, UpMsg>({
            initialState: () => 0,
            receive(count, msg, ctx) {
              if (msg.type === 'sync') {
                ctx.reply(count);
                return count;
              }
              // The send comes before the failure, so every retry and every replay sends it again.
              ctx.tell(downstream, { type: 'value', value: msg.item.id });
              maybeFail(msg.item, attempts);
              return count + 1;
            },
          }),
          { mailbox: { capacity: 1024 }, supervision: { maxRetries: MAX_RETRIES }, snapshot: { everyMessages } },
        );
        for (const item of items) upstream.tell({ type: 'item', item });
        const handled = upstream.ask<number>({ type: 'sync' });
        await kit.settle();
        const seen = downstream.ask<readonly number[]>({ type: 'get' });
        await kit.settle();
        await kit.shutdown();
        expect(await handled).toBe(items.filter((item) => !isPoison(item.fault)).length);
        // Every item was sent at least once (before its first failure) and is taken exactly once, in order.
        expect(await seen).toEqual(items.map((item) => item.id));
      }),
      { numRuns: 150 },
    );
  });
});

/** An item for one of several siblings, that may also stop it (`ctx.self.stop()`) before its own work. */
interface LedgerItem extends Item {
  /** Which sibling it is for (modulo their number). */
  readonly to: number;
  readonly stops: boolean;
}

type LedgerMsg = { readonly type: 'item'; readonly item: LedgerItem };

/** How the handler runs: at once, after a microtask, or after 10 ms of (virtual) time. */
type Pace = 'sync' | 'async' | 'slow';

describe('every path that ends an actor', () => {
  it('accounts for each message exactly once, applied or dead-lettered, whatever the directive and strategy, whether an actor is stopped at any point or its supervisor gives up', async () => {
    const ledgerItemsArb = fc
      .array(
        fc.record({
          amount: fc.constant(1),
          fault: faultArb,
          to: fc.nat(2),
          stops: fc.oneof({ weight: 60, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
        }),
        { maxLength: 30 },
      )
      .map((items) => items.map((item, id) => ({ id, ...item })));
    const backoffArb = fc.option(fc.constantFrom<BackoffOptions>({ minMs: 100, jitter: 0 }, { minMs: 0, jitter: 0 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        ledgerItemsArb,
        fc.record({
          siblings: fc.integer({ min: 1, max: 3 }),
          strategy: fc.constantFrom(...STRATEGIES),
          everyMessages: fc.integer({ min: 1, max: 6 }),
          maxRestarts: fc.integer({ min: 0, max: 4 }),
          directive: fc.oneof({ weight: 3, arbitrary: fc.constant<Directive>('restart') }, { weight: 1, arbitrary: fc.constantFrom(...DIRECTIVES) }),
          backoff: backoffArb,
          pace: fc.constantFrom<Pace>('sync', 'async', 'slow'),
          stop: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.record({ at: fc.nat(400), which: fc.nat(2) }) }),
          picks: fc.array(fc.nat(), { maxLength: 8 }),
        }),
        async (items, { siblings, strategy, everyMessages, maxRestarts, directive, backoff, pace, stop, picks }) => {
          const kit = createTestKit({ supervisor: { strategy, maxRestarts, withinMs: Infinity }, picks });
          const attempts = new Map<number, number>();
          const finals: (readonly number[])[] = [];
          const apply = (ids: readonly number[], msg: LedgerMsg, stopSelf: () => void): readonly number[] => {
            if (msg.item.stops) stopSelf();
            maybeFail(msg.item, attempts);
            return [...ids, msg.item.id];
          };
          const ledger = defineActor<readonly number[], LedgerMsg>({
            initialState: () => [],
            receive(ids, msg, ctx) {
              const stopSelf = (): void => void ctx.self.stop();
              switch (pace) {
                case 'sync':
                  return apply(ids, msg, stopSelf);
                case 'async':
                  return Promise.resolve().then(() => apply(ids, msg, stopSelf));
                case 'slow':
                  return new Promise<void>((resolve) => ctx.clock.setTimeout(resolve, 10)).then(() => apply(ids, msg, stopSelf));
              }
            },
            stopping(ids) {
              finals.push(ids);
            },
          });
          const refs = Array.from({ length: siblings }, (_, i) =>
            kit.system.spawn(ledger, {
              name: `ledger-${i}`,
              mailbox: { capacity: 64 },
              supervision: { decide: () => directive, maxRetries: MAX_RETRIES, ...(backoff === undefined ? {} : { backoff }) },
              snapshot: { everyMessages },
            }),
          );
          const refFor = (n: number): ActorRef<LedgerMsg> => refs[n % siblings] as ActorRef<LedgerMsg>;
          if (stop !== undefined) kit.clock.setTimeout(() => void refFor(stop.which).stop(), stop.at);
          for (const item of items) refFor(item.to).tell({ type: 'item', item });
          await kit.advance(10_000);
          await kit.shutdown();

          const dead = kit.deadLetters.map((letter) => (letter.message as LedgerMsg).item.id);
          // Applied once or dead-lettered once, never both, never neither.
          expect([...finals.flat(), ...dead].sort((a, b) => a - b)).toEqual(items.map((item) => item.id));
          // What each sibling applied, it applied in the order it was sent.
          for (const applied of finals) expect(applied).toEqual([...applied].sort((a, b) => a - b));
        },
      ),
      { numRuns: 300 },
    );
  });
});
