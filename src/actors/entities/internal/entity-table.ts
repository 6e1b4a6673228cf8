/**
 * The live entities of one `spawnEntities`, by id, and the rules that move each between its two
 * phases and absence:
 *
 *     (absent) ─message─▶ active ─idle / least recently used / passivate(id)─▶ passivating ─stopped─▶ (absent)
 *                                                                                     └─ messages waiting ─▶ active (a new actor)
 *
 * 1. A message for an absent entity spawns its actor (restored from the snapshot store) and goes
 *    straight to it; a message for an active one goes straight to its actor, with no hop between.
 * 2. Passivation tells the actor the marker behind everything sent to it so far; from then on new
 *    messages wait here, in the order they were sent (at most the entity's mailbox capacity), so the
 *    actor handles its whole queue, stops and saves its final snapshot before any of them. Once it
 *    has stopped, they go, in order and before anything sent later, to a fresh actor restored from
 *    that snapshot.
 * 3. An entity that stops for any other reason (it stopped itself, its decider said stop) is
 *    absent from then on: the next message activates it again from its last snapshot.
 * 4. Idleness is checked lazily: one timer per entity, set for `idleMs` after its last message as
 *    the timer last saw it, and set again for the rest when a message came since; a message costs
 *    a clock read, no timer.
 */
import { ActorStoppedError, MailboxOverflowError } from '../../../errors.js';
import type { Clock, TimerHandle } from '../../../clock.js';
import type { ActorRef, AnyActorRef, AskOptions } from '../../actor-ref.js';
import type { ActorDefinition } from '../../behavior.js';
import type { ActorContext } from '../../context.js';
import type { ActorCell } from '../../internal/actor-cell.js';
import { targetOf } from '../../internal/local-actor-ref.js';
import type { Terminated } from '../../terminated.js';
import { postRefused } from '../../routing/internal/membership.js';
import type { EntitiesParent, EntitiesMetrics } from '../entities.js';
import type { ResolvedEntitiesOptions } from '../entities-options.js';
import { entityName } from '../entity-id.js';
import { handOver, type Delivery, type Settle } from './delivery.js';
import { entitiesHead, type EntitiesHeadHooks, type EntityStopped } from './entities-head.js';
import { PASSIVATE, passivating, type EntityMessage } from './passivating-definition.js';

type Phase = 'active' | 'passivating';

interface Entry<TMessage> {
  readonly id: string;
  readonly name: string;
  readonly ref: ActorRef<EntityMessage<TMessage>>;
  phase: Phase;
  /** When the last message was sent to it, on the system clock. */
  lastUsed: number;
  timer: TimerHandle | undefined;
  /** Messages sent while it is being passivated, oldest first. */
  readonly waiting: Delivery<TMessage>[];
  /** Callers of `passivate(id)` waiting for the actor to stop. */
  readonly stopped: (() => void)[];
}

export class EntityTable<TState, TMessage> implements EntitiesHeadHooks {
  readonly head: AnyActorRef;
  activations = 0;
  passivated = 0;
  readonly #definition: ActorDefinition<TState, EntityMessage<TMessage>>;
  readonly #options: ResolvedEntitiesOptions;
  readonly #context: ActorContext<EntityStopped>;
  readonly #clock: Clock;
  /** Live entities, least recently used first when `maxActive` is finite. */
  readonly #entries = new Map<string, Entry<TMessage>>();
  #active = 0;
  /** Deliveries that wait for the head to finish a restart (its entities were stopped with it). */
  #held: [string, Delivery<TMessage>][] | undefined;
  #closed = false;

  /**
   * Spawns the head under `parent`.
   * @throws InvalidOptionError for the head's name or supervisor options.
   */
  constructor(parent: EntitiesParent, definition: ActorDefinition<TState, TMessage>, options: ResolvedEntitiesOptions) {
    this.#definition = passivating(definition);
    this.#options = options;
    this.head = parent.spawn(entitiesHead(this), {
      name: options.name,
      supervisor: options.supervisor,
      // Whatever reaches the head from an entity is more than it can handle: pass it up.
      supervision: { decide: () => 'escalate' },
    }) as AnyActorRef;
    // The head's context spawns and watches entities at once, outside its handler, as a pool's does.
    this.#context = (targetOf(this.head) as ActorCell<null, EntityStopped>).context;
    this.#clock = this.#context.clock;
  }

  get active(): number {
    return this.#active;
  }

  get passivating(): number {
    return this.#entries.size - this.#active;
  }

  /** The live actor of entity `id`, if it has one (active or being passivated). */
  live(id: string): AnyActorRef | undefined {
    return this.#entries.get(id)?.ref as AnyActorRef | undefined;
  }

  /** How many messages an entity's mailbox holds, and so how many may wait for its passivation. */
  get capacity(): number {
    return this.#options.capacity;
  }

  get closed(): boolean {
    return this.#closed || this.#headGone();
  }

  /** Tells entity `id`'s actor `message`, or queues it behind the entity's passivation. */
  tell(id: string, message: TMessage): boolean {
    if (this.#held !== undefined) return this.#hold(id, { kind: 'tell', message });
    const target = this.#route(id, message);
    if (target === undefined) return false;
    if (!('waiting' in target)) return target.tell(message);
    return this.#wait(target, { kind: 'tell', message });
  }

  send(id: string, message: TMessage): Promise<void> {
    return this.#deliver(
      id,
      message,
      (ref) => ref.send(message),
      (settle) => ({ kind: 'send', message, settle }),
    ) as Promise<void>;
  }

  ask(id: string, message: TMessage, options: AskOptions | undefined): Promise<unknown> {
    return this.#deliver(
      id,
      message,
      (ref) => ref.ask(message, options),
      (settle) => ({ kind: 'ask', message, options, settle }),
    );
  }

  /** Passivates entity `id` now, if it is active; resolves once it is not live (at once when it is absent). */
  passivate(id: string): Promise<void> {
    const entry = this.#entries.get(id);
    if (entry === undefined) return Promise.resolve();
    if (entry.phase === 'active') this.#passivate(entry);
    return new Promise((resolve) => entry.stopped.push(resolve));
  }

  metrics(): EntitiesMetrics {
    return { active: this.#active, passivating: this.passivating, passivated: this.passivated, activations: this.activations };
  }

  // ─── The head's hooks ───────────────────────────────────────────────────────────────────────

  started(): void {
    const held = this.#held;
    if (held === undefined) return;
    this.#held = undefined;
    for (const [id, delivery] of held) this.#redeliver(id, delivery);
  }

  restarting(): void {
    // The restart stopped every entity: what waited for one waits for the head's restart, then
    // goes to a fresh actor; their stop notifications, if they still come, are of actors gone.
    const held: [string, Delivery<TMessage>][] = [];
    for (const entry of this.#entries.values()) {
      this.#remove(entry);
      for (const delivery of entry.waiting) held.push([entry.id, delivery]);
    }
    this.#entries.clear();
    this.#held = held;
  }

  entityStopped(id: string, terminated: Terminated): void {
    const entry = this.#entries.get(id);
    if (entry === undefined || (entry.ref as AnyActorRef) !== terminated.ref) return;
    this.#entries.delete(id);
    this.#remove(entry);
    if (entry.phase === 'passivating' && terminated.reason === 'requested') this.passivated++;
    if (entry.waiting.length === 0 || this.#closed) return;
    let next: Entry<TMessage>;
    try {
      next = this.#activate(id, entry.name);
    } catch (error) {
      for (const delivery of entry.waiting) this.#refuse(delivery, error);
      return;
    }
    for (const delivery of entry.waiting) handOver(next.ref as ActorRef<TMessage>, delivery);
  }

  stopping(): void {
    this.#closed = true;
    const stopped = new ActorStoppedError(this.head.path, undefined);
    for (const entry of this.#entries.values()) {
      this.#remove(entry);
      for (const delivery of entry.waiting) this.#refuse(delivery, stopped);
    }
    for (const [, delivery] of this.#held ?? []) this.#refuse(delivery, stopped);
    this.#entries.clear();
    this.#held = undefined;
  }

  // ─── Routing ────────────────────────────────────────────────────────────────────────────────

  /**
   * The live actor to take a message for `id` now, or the entry it waits in; undefined when the
   * entities have stopped (the message is then in dead letters) or wait for the head's restart.
   */
  #route(id: string, message: TMessage): ActorRef<TMessage> | Entry<TMessage> | undefined {
    if (this.closed) {
      postRefused(this.#context.system, this.head.path, message);
      return undefined;
    }
    let entry = this.#entries.get(id);
    if (entry === undefined) entry = this.#activate(id, entityName(id));
    else if (entry.phase === 'passivating') return entry;
    this.#touch(entry);
    return entry.ref as ActorRef<TMessage>;
  }

  /** A send or an ask: straight to the live actor (`direct`), or queued behind a passivation or a restart. */
  #deliver(
    id: string,
    message: TMessage,
    direct: (ref: ActorRef<TMessage>) => Promise<unknown>,
    queued: (settle: Settle) => Delivery<TMessage>,
  ): Promise<unknown> {
    if (this.#held !== undefined) return new Promise((resolve, reject) => void this.#hold(id, queued({ resolve, reject })));
    let target: ActorRef<TMessage> | Entry<TMessage> | undefined;
    try {
      target = this.#route(id, message);
    } catch (error) {
      return Promise.reject(error);
    }
    if (target === undefined) return Promise.reject(new ActorStoppedError(this.head.path, message));
    if (!('waiting' in target)) return direct(target);
    const entry = target;
    return new Promise((resolve, reject) => {
      if (!this.#wait(entry, queued({ resolve, reject }))) reject(new MailboxOverflowError(this.head.path, this.#options.capacity, message));
    });
  }

  /**
   * Holds `delivery` until the head has restarted.
   * @throws InvalidOptionError naming `id` when it can name no entity, as a delivery now would.
   */
  #hold(id: string, delivery: Delivery<TMessage>): true {
    entityName(id);
    this.#held?.push([id, delivery]);
    return true;
  }

  /** Queues `delivery` behind `entry`'s passivation; false when as many as its mailbox holds already wait. */
  #wait(entry: Entry<TMessage>, delivery: Delivery<TMessage>): boolean {
    if (entry.waiting.length >= this.#options.capacity) return false;
    entry.waiting.push(delivery);
    return true;
  }

  #redeliver(id: string, delivery: Delivery<TMessage>): void {
    try {
      const target = this.#route(id, delivery.message);
      if (target === undefined) this.#refuse(delivery, new ActorStoppedError(this.head.path, delivery.message));
      else if ('waiting' in target) this.#wait(target, delivery);
      else handOver(target, delivery);
    } catch (error) {
      this.#refuse(delivery, error);
    }
  }

  #refuse(delivery: Delivery<TMessage>, error: unknown): void {
    if (delivery.kind === 'tell') postRefused(this.#context.system, this.head.path, delivery.message);
    else delivery.settle.reject(error);
  }

  // ─── Phases ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Spawns entity `id`'s actor (first passivating the least recently used one when `maxActive` are
   * live) and watches it.
   * @throws what its spawn throws.
   */
  #activate(id: string, name: string): Entry<TMessage> {
    if (this.#active >= this.#options.maxActive) this.#evict();
    const { snapshot } = this.#options;
    const ref = this.#context.spawn(this.#definition, {
      ...this.#options.entity,
      name,
      snapshot: snapshot.key === undefined ? snapshot : { ...snapshot, key: `${snapshot.key}/${name}` },
    });
    this.#context.watch(ref as AnyActorRef, (terminated): EntityStopped => ({ type: 'entity-stopped', id, terminated }));
    const entry: Entry<TMessage> = { id, name, ref, phase: 'active', lastUsed: this.#clock.now(), timer: undefined, waiting: [], stopped: [] };
    this.#entries.set(id, entry);
    this.#active++;
    this.activations++;
    this.#arm(entry, this.#options.idleMs);
    return entry;
  }

  #touch(entry: Entry<TMessage>): void {
    entry.lastUsed = this.#clock.now();
    if (this.#options.maxActive === Infinity) return;
    // Re-inserting keeps the map in order of last use, least recent first.
    this.#entries.delete(entry.id);
    this.#entries.set(entry.id, entry);
  }

  #evict(): void {
    for (const entry of this.#entries.values()) {
      if (entry.phase === 'active') {
        this.#passivate(entry);
        return;
      }
    }
  }

  #arm(entry: Entry<TMessage>, delayMs: number): void {
    if (delayMs === Infinity) return;
    entry.timer = this.#clock.setTimeout(() => this.#idleCheck(entry), delayMs, { keepAlive: false });
  }

  #idleCheck(entry: Entry<TMessage>): void {
    entry.timer = undefined;
    if (entry.phase !== 'active' || this.#entries.get(entry.id) !== entry) return;
    const idleFor = this.#clock.now() - entry.lastUsed;
    if (idleFor >= this.#options.idleMs) this.#passivate(entry);
    else this.#arm(entry, this.#options.idleMs - idleFor);
  }

  #passivate(entry: Entry<TMessage>): void {
    this.#clear(entry);
    entry.phase = 'passivating';
    this.#active--;
    // Behind every message sent to it so far; a mailbox that refuses the marker (full under
    // 'drop-newest' or 'fail') leaves the entity active, and what waited goes to it.
    entry.ref.send(PASSIVATE).catch(() => this.#resume(entry));
  }

  #resume(entry: Entry<TMessage>): void {
    if (entry.phase !== 'passivating' || this.#entries.get(entry.id) !== entry) return;
    const status = entry.ref.status;
    if (status === 'stopping' || status === 'stopped') return;
    entry.phase = 'active';
    this.#active++;
    for (const delivery of entry.waiting.splice(0)) handOver(entry.ref as ActorRef<TMessage>, delivery);
    for (const resolve of entry.stopped.splice(0)) resolve();
    this.#touch(entry);
    this.#arm(entry, this.#options.idleMs);
  }

  #clear(entry: Entry<TMessage>): void {
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  /** `entry`'s actor is gone: it is absent from now on, and whoever waited for that hears of it. */
  #remove(entry: Entry<TMessage>): void {
    this.#clear(entry);
    if (entry.phase === 'active') this.#active--;
    for (const resolve of entry.stopped.splice(0)) resolve();
  }

  #headGone(): boolean {
    const status = this.head.status;
    return status === 'stopping' || status === 'stopped';
  }
}
