/**
 * Links against a model. Actors of random restart types, some trapping exits, are linked, unlinked,
 * failed and stopped in random orders; after each step the model says who still runs, how each
 * stopped actor stopped, how often each restarted and which exits each trapping actor received.
 * A second property fails several actors at once and lets fast-check pick the interleaving of
 * every actor's turns: whatever the order, the same actors stop, and every trapping actor hears of
 * each partner that stopped exactly once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineActor, type ActorRef, type AnyActorRef, type Exit, type RestartType, type StopReason } from '../../src/index.js';
import { createTestKit, type TestKit } from '../../src/testing/index.js';

type Msg = { type: 'link'; to: AnyActorRef } | { type: 'unlink'; to: AnyActorRef } | { type: 'trap'; on: boolean } | { type: 'fail' } | Exit;

interface Received {
  readonly from: string;
  readonly kind: 'normal' | 'failed';
}

interface Member {
  readonly restart: RestartType;
  readonly trap: boolean;
}

/** Links, unlinks and traps on request, fails when told; the exits it receives go to `received[name]`. */
function member(received: Map<string, Received[]>) {
  return defineActor<null, Msg>({
    initialState: () => null,
    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'link':
          ctx.link(msg.to);
          break;
        case 'unlink':
          ctx.unlink(msg.to);
          break;
        case 'trap':
          ctx.trapExits(msg.on);
          break;
        case 'fail':
          throw new Error(`${ctx.self.name} failed`);
        case 'exit':
          received.get(ctx.self.name)?.push({ from: msg.ref.name, kind: msg.reason.kind });
          break;
      }
      return state;
    },
  });
}

/** Spawns the members (a 'fail' stops them, or restarts a permanent one) in a kit that never gives up on restarts. */
function spawnAll(members: readonly Member[], picks?: readonly number[]) {
  const kit = createTestKit({ supervisor: { maxRestarts: Infinity }, ...(picks === undefined ? {} : { picks }) });
  const received = new Map(members.map((_m, i) => [`m${i}`, [] as Received[]]));
  const refs = members.map((m, i) =>
    kit.system.spawn(member(received), { name: `m${i}`, trapExits: m.trap, supervision: { restart: m.restart, decide: () => 'stop' } }),
  );
  return { kit, received, refs };
}

const sorted = (items: readonly Received[]) => [...items].sort((a, b) => (a.from + a.kind).localeCompare(b.from + b.kind));

/** How often each actor that restarted did, by name. */
function restartsOf(kit: TestKit): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of kit.events) if (e.type === 'actor-restarted') counts[e.path.slice('/user/'.length)] = (counts[e.path.slice('/user/'.length)] ?? 0) + 1;
  return counts;
}

function stopReasons(kit: TestKit): Record<string, StopReason> {
  return Object.fromEntries(kit.events.flatMap((e) => (e.type === 'actor-stopped' ? [[e.path.slice('/user/'.length), e.reason]] : [])));
}

const memberArb = fc.record({ restart: fc.constantFrom<RestartType>('permanent', 'transient', 'temporary'), trap: fc.boolean() });

type Step =
  | { readonly op: 'link' | 'unlink'; readonly from: number; readonly to: number }
  | { readonly op: 'fail' | 'stop'; readonly at: number }
  | { readonly op: 'trap'; readonly at: number; readonly on: boolean };

const stepArb = (n: number): fc.Arbitrary<Step> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ op: fc.constantFrom<'link' | 'unlink'>('link', 'link', 'link', 'unlink'), from: fc.nat(n - 1), to: fc.nat(n - 1) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom<'fail' | 'stop'>('fail', 'stop'), at: fc.nat(n - 1) }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('trap' as const), at: fc.nat(n - 1), on: fc.boolean() }) },
  );

/** The model: who is alive, the links, the trap flags, and what happened. */
class Model {
  readonly alive: boolean[];
  readonly trap: boolean[];
  readonly links = new Set<string>();
  readonly received: Received[][];
  readonly restarts: number[];
  readonly reasons: Record<string, StopReason> = {};
  readonly #members: readonly Member[];

  constructor(members: readonly Member[]) {
    this.#members = members;
    this.alive = members.map(() => true);
    this.trap = members.map((m) => m.trap);
    this.received = members.map(() => []);
    this.restarts = members.map(() => 0);
  }

  apply(step: Step): void {
    switch (step.op) {
      case 'link':
        if (!this.alive[step.from] || step.from === step.to) return;
        if (this.alive[step.to]) this.links.add(key(step.from, step.to));
        else this.#signal(step.from, step.to, this.reasons[`m${step.to}`] === 'requested' ? 'normal' : 'failed');
        return;
      case 'unlink':
        if (this.alive[step.from]) this.links.delete(key(step.from, step.to));
        return;
      case 'trap':
        if (this.alive[step.at]) this.trap[step.at] = step.on;
        return;
      case 'stop':
        if (this.alive[step.at]) this.#exit(step.at, 'requested');
        return;
      case 'fail':
        if (!this.alive[step.at]) return;
        if (this.#members[step.at]?.restart === 'permanent') this.restarts[step.at]!++;
        else this.#exit(step.at, 'failed');
        return;
    }
  }

  #exit(at: number, reason: StopReason): void {
    this.alive[at] = false;
    this.reasons[`m${at}`] = reason;
    const partners = [...this.links].flatMap((link) => {
      const [a, b] = link.split('-').map(Number) as [number, number];
      return a === at ? [b] : b === at ? [a] : [];
    });
    for (const partner of partners) this.links.delete(key(at, partner));
    for (const partner of partners) this.#signal(partner, at, reason === 'requested' ? 'normal' : 'failed');
  }

  /** `to` hears that `from` exited. */
  #signal(to: number, from: number, kind: 'normal' | 'failed'): void {
    if (!this.alive[to]) return;
    if (this.trap[to]) this.received[to]!.push({ from: `m${from}`, kind });
    else if (kind === 'normal') return;
    else if (this.#members[to]?.restart === 'permanent') this.restarts[to]!++;
    else this.#exit(to, 'linked');
  }
}

function key(a: number, b: number): string {
  return a < b ? `${a}-${b}` : `${b}-${a}`;
}

async function perform(kit: TestKit, refs: readonly ActorRef<Msg>[], step: Step): Promise<void> {
  const ref = (i: number) => refs[i] as ActorRef<Msg>;
  switch (step.op) {
    case 'link':
    case 'unlink':
      ref(step.from).tell({ type: step.op, to: ref(step.to) });
      break;
    case 'trap':
      ref(step.at).tell({ type: 'trap', on: step.on });
      break;
    case 'fail':
      ref(step.at).tell({ type: 'fail' });
      break;
    case 'stop':
      void ref(step.at).stop();
      break;
  }
  await kit.settle();
}

describe('ActorContext', () => {
  describe('link', () => {
    it('propagates exits as the model says, step after step', async () => {
      const caseArb = fc
        .integer({ min: 2, max: 5 })
        .chain((n) => fc.record({ members: fc.array(memberArb, { minLength: n, maxLength: n }), steps: fc.array(stepArb(n), { maxLength: 25 }) }));
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ members, steps }) => {
          const { kit, received, refs } = spawnAll(members);
          const model = new Model(members);
          try {
            await kit.settle();
            for (const step of steps) {
              await perform(kit, refs, step);
              model.apply(step);
              expect(refs.map((r) => r.status !== 'stopped')).toEqual(model.alive);
            }
            expect(stopReasons(kit)).toEqual(model.reasons);
            expect(restartsOf(kit)).toEqual(Object.fromEntries(model.restarts.flatMap((n, i) => (n > 0 ? [[`m${i}`, n]] : []))));
            for (const [i, got] of [...received.values()].entries()) expect(sorted(got)).toEqual(sorted(model.received[i] ?? []));
          } finally {
            await kit.shutdown();
          }
        }),
        { numRuns: 150 },
      );
    });

    it('stops the same actors and signals each trapping partner once, however the turns interleave', async () => {
      const caseArb = fc.integer({ min: 2, max: 6 }).chain((n) =>
        fc.record({
          members: fc.array(memberArb, { minLength: n, maxLength: n }),
          links: fc.uniqueArray(fc.tuple(fc.nat(n - 1), fc.nat(n - 1)), { maxLength: 2 * n, selector: ([a, b]) => key(a, b) }),
          failing: fc.uniqueArray(fc.nat(n - 1), { minLength: 1, maxLength: n }),
          picks: fc.array(fc.nat(), { maxLength: 40 }),
        }),
      );
      await fc.assert(
        fc.asyncProperty(caseArb, async ({ members, links, failing, picks }) => {
          const { kit, received, refs } = spawnAll(members, picks);
          try {
            await kit.settle();
            for (const [a, b] of links) (refs[a] as ActorRef<Msg>).tell({ type: 'link', to: refs[b] as ActorRef<Msg> });
            await kit.settle();
            // Actors that trap exits never fail here, so every exit is a failure and the outcome does not depend on order.
            const failed = failing.filter((i) => !members[i]?.trap);
            for (const i of failed) (refs[i] as ActorRef<Msg>).tell({ type: 'fail' });
            await kit.settle();

            const partners = (i: number) => links.flatMap(([a, b]) => (a === b ? [] : a === i ? [b] : b === i ? [a] : []));
            const stops = new Set(failed.filter((i) => members[i]?.restart !== 'permanent'));
            for (const reached = [...stops]; reached.length > 0;) {
              for (const p of partners(reached.pop() as number)) {
                const m = members[p];
                if (m === undefined || m.trap || m.restart === 'permanent' || stops.has(p)) continue;
                stops.add(p);
                reached.push(p);
              }
            }
            expect(refs.map((r) => [r.name, r.status === 'stopped'])).toEqual(refs.map((r, i) => [r.name, stops.has(i)]));
            for (const [i, m] of members.entries()) {
              const heard = m.trap ? [...new Set(partners(i))].filter((p) => stops.has(p)).map((p) => ({ from: `m${p}`, kind: 'failed' as const })) : [];
              expect(sorted(received.get(`m${i}`) ?? [])).toEqual(sorted(heard));
              if (m.restart === 'permanent' && !m.trap) {
                const expected = (failed.includes(i) ? 1 : 0) + [...new Set(partners(i))].filter((p) => stops.has(p)).length;
                expect(kit.events.filter((e) => e.type === 'actor-restarted' && e.path === `/user/m${i}`)).toHaveLength(expected);
              }
            }
          } finally {
            await kit.shutdown();
          }
        }),
        { numRuns: 150 },
      );
    });
  });
});
