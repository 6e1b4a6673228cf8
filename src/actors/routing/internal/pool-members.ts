/**
 * The routees of a pool, in slots `routee-0` … `routee-<size-1>`. It keeps three promises:
 * 1. Every slot has a routee: one that stops for good while in its slot (its decider said stop,
 *    it stopped itself, somebody stopped it) is replaced by a fresh one in the same slot, once the
 *    head hears of the stop; the replacement counts against the pool's restart intensity, so a
 *    routee that can never start makes the pool give up rather than loop.
 * 2. A shrink retires the highest slots, and a retired routee first handles what it has queued
 *    (drain), taking nothing new. A grow that takes back a slot whose routee still drains spawns
 *    the new one only once the old one has stopped, so one slot never has two routees (nor two
 *    writers of one snapshot key).
 * 3. Between a routee's stop and its replacement its slot takes nothing: round-robin and
 *    least-mailbox pass it by, consistent hashing keeps its keys waiting for the replacement.
 *
 * Spawns and resizes run synchronously on the head's context, outside its handler: the pool has
 * its routees the moment `spawnPool` returns.
 */
import { ActorStoppedError } from '../../../errors.js';
import { WakeSignal } from '../../../internal/wake-signal.js';
import type { ActorStatus, AnyActorRef } from '../../actor-ref.js';
import type { ActorDefinition } from '../../behavior.js';
import type { ActorContext } from '../../context.js';
import { ActorCell } from '../../internal/actor-cell.js';
import { targetOf } from '../../internal/local-actor-ref.js';
import type { SpawnOptions } from '../../spawn-options.js';
import type { Terminated } from '../../terminated.js';
import type { ResolvedPoolOptions } from '../pool-options.js';
import { nextPoolSize } from '../resizer.js';
import { postRefused, type Membership } from './membership.js';
import { poolHead, toRouteeStopped, type PoolHeadHooks, type PoolHeadMessage } from './pool-head.js';
import { ResizeTimer } from './resize-timer.js';
import { Routee } from './routee.js';

/** Where a pool's head is spawned: the system (a top-level pool) or an actor's context (a child pool). */
export type PoolParent = { spawn: ActorContext<unknown>['spawn'] };

export class PoolMembers<TState, TMessage> implements Membership<TMessage>, PoolHeadHooks {
  readonly retired = { processed: 0, dropped: 0 };
  /** Routees replaced after they stopped for good. */
  replaced = 0;
  /** Resizes, by `resize` or by the resizer. */
  resizes = 0;
  readonly head: AnyActorRef;
  readonly #definition: ActorDefinition<TState, TMessage>;
  readonly #options: ResolvedPoolOptions<TMessage>;
  readonly #cell: ActorCell<null, PoolHeadMessage>;
  readonly #context: ActorContext<PoolHeadMessage>;
  readonly #timer: ResizeTimer | undefined;
  #routees: Routee<TMessage>[] = [];
  /** Routees leaving after a shrink, by slot number, until they have drained and stopped. */
  readonly #retiring = new Map<number, Routee<TMessage>>();
  /** Slots taken back while their routee still drains: a fresh one is spawned once it has stopped. */
  readonly #respawn = new Set<number>();
  #version = 0;
  /** Wakes whatever waits for a routee at every change of routees: it routes again. */
  readonly #change = new WakeSignal();
  #closed = false;
  /** The head is restarting: its `started` hook runs again and must give every slot a routee. */
  #restarted = false;

  /**
   * Spawns the head under `parent`, then `options.size` routees under the head.
   * @throws InvalidOptionError for the head's name or supervisor options, or what a routee's
   * `initialState` throws (the head is stopped again then).
   */
  constructor(parent: PoolParent, definition: ActorDefinition<TState, TMessage>, options: ResolvedPoolOptions<TMessage>) {
    this.#definition = definition;
    this.#options = options;
    const head = parent.spawn(poolHead(this), {
      name: options.name,
      supervisor: options.supervisor,
      // Whatever reaches the head from a routee is more than the pool can handle: pass it up.
      supervision: { decide: () => 'escalate' },
    });
    this.head = head as AnyActorRef;
    this.#cell = targetOf(this.head) as ActorCell<null, PoolHeadMessage>;
    this.#context = this.#cell.context;
    const { resizer } = options;
    this.#timer = resizer === undefined ? undefined : new ResizeTimer(this.#context.clock, resizer.everyMs, () => this.#sample());
    try {
      this.#resizeTo(options.size);
    } catch (error) {
      void head.stop();
      throw error;
    }
  }

  get id(): string {
    return this.#cell.id;
  }

  get name(): string {
    return this.#cell.name;
  }

  get path(): string {
    return this.#cell.path;
  }

  get status(): ActorStatus {
    return this.#cell.status;
  }

  get routees(): readonly Routee<TMessage>[] {
    return this.#routees;
  }

  get version(): number {
    return this.#version;
  }

  prune(): false {
    return false;
  }

  nextChange(): Promise<void> | undefined {
    if (this.#closed || !this.#headAccepting()) return undefined;
    return this.#change.wait();
  }

  refuse(message: TMessage): void {
    postRefused(this.#context.system, this.path, message);
  }

  async stopRequested(): Promise<void> {
    await this.head.stop();
    // The head's `stopping` hook closed the pool, unless it was stopped before it ever started.
    this.stopping();
  }

  /**
   * Grows or shrinks the pool to `size` routees now.
   * @throws ActorStoppedError when the pool is stopping or stopped.
   */
  resize(size: number): void {
    if (this.#closed || !this.#headAccepting()) throw new ActorStoppedError(this.path, undefined);
    if (size === this.#routees.length) return;
    this.#resizeTo(size);
    this.resizes++;
  }

  // ─── The head's hooks ───────────────────────────────────────────────────────────────────────

  started(): void {
    this.#timer?.start();
    if (!this.#restarted) return;
    this.#restarted = false;
    // A restart stopped every child: each slot gets a fresh routee now, which is no replacement
    // to count (the head's own restart was counted by its parent), and their stops are old news.
    this.#respawn.clear();
    this.#routees = this.#routees.map((routee, slot) => (routee.accepting ? routee : this.#spawn(slot)));
    this.#change.wake();
  }

  restarting(): void {
    this.#restarted = true;
  }

  routeeStopped(terminated: Terminated): void {
    const stopped = terminated.ref;
    const { processed, dropped } = stopped.metrics();
    this.retired.processed += processed;
    this.retired.dropped += dropped;
    for (const [slot, routee] of this.#retiring) if (routee.ref === stopped) this.#retiring.delete(slot);
    const slot = this.#routees.findIndex((routee) => routee.ref === stopped);
    if (slot < 0) return;
    if (this.#respawn.delete(slot)) {
      this.#routees[slot] = this.#spawn(slot);
    } else {
      const cause = new ActorStoppedError(stopped.path, undefined);
      // Counted as a restart of the pool's children: past the limit the head gives up (stopping
      // itself and escalating) and there is no turn.
      const turn = this.#cell.authorizeRestart(targetOf(stopped) as ActorCell<unknown, unknown>, cause);
      if (turn === undefined) return;
      try {
        this.#routees[slot] = this.#spawn(slot);
        this.replaced++;
      } finally {
        turn.end();
      }
    }
    this.#change.wake();
  }

  stopping(): void {
    this.#closed = true;
    this.#timer?.stop();
    this.#change.wake();
  }

  /**
   * The resizer's sample, taken when it falls due: the size it asks for goes to the head, which
   * applies it in its turn, so a routee that cannot be spawned fails the head like any other.
   */
  #sample(): void {
    const { resizer } = this.#options;
    if (resizer === undefined || this.#closed || !this.#headAccepting()) return;
    const size = nextPoolSize(
      this.#routees.map((routee) => (routee.accepting ? routee.load : 0)),
      resizer,
    );
    if (size !== this.#routees.length) this.#cell.tell({ type: 'resize', size });
  }

  // ─── Slots ──────────────────────────────────────────────────────────────────────────────────

  /** Grows or shrinks to `size`; a routee that cannot be spawned leaves the pool at the size reached. */
  #resizeTo(size: number): void {
    const routees = [...this.#routees];
    try {
      for (let slot = routees.length; slot < size; slot++) {
        const draining = this.#retiring.get(slot);
        if (draining === undefined) {
          routees.push(this.#spawn(slot));
        } else {
          this.#retiring.delete(slot);
          this.#respawn.add(slot);
          routees.push(draining);
        }
      }
      for (let slot = routees.length - 1; slot >= size; slot--) {
        const leaving = routees.pop() as Routee<TMessage>;
        this.#retiring.set(slot, leaving);
        // One still draining from an earlier shrink, or stopped on its own, is on its way out already.
        if (!this.#respawn.delete(slot) && leaving.accepting) leaving.drain();
      }
    } finally {
      this.#routees = routees;
      this.#version++;
      this.#change.wake();
    }
  }

  #spawn(slot: number): Routee<TMessage> {
    const name = `routee-${slot}`;
    const options: SpawnOptions = { ...this.#options.routee, name };
    const snapshot = options.snapshot;
    if (snapshot?.key !== undefined) options.snapshot = { ...snapshot, key: `${snapshot.key}/${name}` };
    const ref = this.#context.spawn(this.#definition, options);
    this.#context.watch(ref as AnyActorRef, toRouteeStopped);
    return new Routee(name, ref);
  }

  #headAccepting(): boolean {
    const status = this.#cell.status;
    return status !== 'stopping' && status !== 'stopped';
  }
}
