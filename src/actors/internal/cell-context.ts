/**
 * The context a handler sees: one object per actor, made at spawn and reused for every message,
 * whose methods (on its prototype) forward to the actor's cell.
 */
import type { Clock } from '../../clock.js';
import type { ActorRef, AnyActorRef } from '../actor-ref.js';
import type { ActorSystem } from '../actor-system.js';
import type { ActorDefinition } from '../behavior.js';
import type { ActorContext } from '../context.js';
import type { SpawnOptions } from '../spawn-options.js';
import type { ActorStash } from '../stash.js';
import type { ActorTimers } from '../timers.js';
import type { Terminated } from '../terminated.js';
import type { CellExtras } from './cell-extras.js';
import type { ParentSlot, SystemServices } from './system-services.js';

/** How a watcher turns a Terminated notification into its own message (undefined: as it is). */
export type WatchMapper = ((terminated: Terminated) => unknown) | undefined;

/** The parts of a cell its context forwards to. */
export interface ContextTarget<TMessage> extends ParentSlot {
  readonly ref: ActorRef<TMessage>;
  readonly services: SystemServices;
  /** Its parent's ref; undefined at the top level. */
  readonly parentRef: AnyActorRef | undefined;
  /** Its behaviour, stash, timers and pipes: made on first read. */
  readonly extras: CellExtras<TMessage>;
  reply(value: unknown): boolean;
  stopSelf(): void;
  requestSnapshot(): Promise<void>;
  sendSequenced<TOther>(ref: ActorRef<TOther>, message: TOther, wait: boolean): boolean | Promise<void>;
  /** Numbers its sequenced sends from checkpoint `epoch`'s floor up (see `SequenceBook.raiseTo`). */
  raiseSequences(epoch: number): boolean;
  watch(ref: AnyActorRef, toMessage: WatchMapper): void;
  unwatch(ref: AnyActorRef): void;
  link(ref: AnyActorRef): void;
  unlink(ref: AnyActorRef): void;
  trapExits(on: boolean): void;
}

/**
 * The context of one actor: one field, its cell. Its properties and methods live on the prototype
 * and read through the cell, so a context costs an actor 32 bytes, not a field per property and a
 * closure per method; a method read from a context is bound to it on that first read (see
 * {@link bindOnFirstRead}), so `const { tell } = ctx` works.
 */
class CellContext<TMessage> {
  readonly #cell: ContextTarget<TMessage>;

  constructor(cell: ContextTarget<TMessage>) {
    this.#cell = cell;
  }

  /**
   * The context that `object` is or derives from: a wrapper made with `Object.create(ctx)` (the
   * event-sourced context) reads these accessors with itself as `this`.
   */
  static ownerOf<TOwn>(object: object): CellContext<TOwn> {
    let candidate: object | null = object;
    while (candidate !== null && !(#cell in candidate)) candidate = Object.getPrototypeOf(candidate) as object | null;
    if (candidate === null) throw new TypeError('Expected an actor context');
    return candidate as unknown as CellContext<TOwn>;
  }

  /** The runtime's own hook behind {@link raiseLinkEpoch}: not a method handlers see. */
  static raiseSequences(ctx: object, epoch: number): boolean {
    return CellContext.ownerOf(ctx).#cell.raiseSequences(epoch);
  }

  get self(): ActorRef<TMessage> {
    return CellContext.ownerOf<TMessage>(this).#cell.ref;
  }

  get parent(): AnyActorRef | undefined {
    return CellContext.ownerOf<TMessage>(this).#cell.parentRef;
  }

  get system(): ActorSystem {
    return CellContext.ownerOf<TMessage>(this).#cell.services.system;
  }

  get clock(): Clock {
    return CellContext.ownerOf<TMessage>(this).#cell.services.clock;
  }

  get timers(): ActorTimers<TMessage> {
    return CellContext.ownerOf<TMessage>(this).#cell.extras.timers;
  }

  get stash(): ActorStash {
    return CellContext.ownerOf<TMessage>(this).#cell.extras.stash;
  }

  /** What `defineBehaviors` gives its handlers besides the rest (`BehaviorContext`). */
  get behavior(): string | undefined {
    return CellContext.ownerOf<TMessage>(this).#cell.extras.behavior;
  }

  reply(value: unknown): boolean {
    return this.#cell.reply(value);
  }

  tell<TOther>(ref: ActorRef<TOther>, message: TOther): boolean {
    return this.#cell.sendSequenced(ref, message, false) as boolean;
  }

  send<TOther>(ref: ActorRef<TOther>, message: TOther): Promise<void> {
    return this.#cell.sendSequenced(ref, message, true) as Promise<void>;
  }

  snapshot(): Promise<void> {
    return this.#cell.requestSnapshot();
  }

  spawn<S, M>(definition: ActorDefinition<S, M>, options?: SpawnOptions): ActorRef<M> {
    return this.#cell.services.spawn(this.#cell, definition, options);
  }

  children(): AnyActorRef[] {
    return this.#cell.children.list().map((child) => child.ref);
  }

  stop(): void {
    this.#cell.stopSelf();
  }

  watch(ref: AnyActorRef, toMessage?: (terminated: Terminated) => TMessage): void {
    this.#cell.watch(ref, toMessage);
  }

  unwatch(ref: AnyActorRef): void {
    this.#cell.unwatch(ref);
  }

  link(ref: AnyActorRef): void {
    this.#cell.link(ref);
  }

  unlink(ref: AnyActorRef): void {
    this.#cell.unlink(ref);
  }

  trapExits(on: boolean): void {
    this.#cell.trapExits(on);
  }

  pipeToSelf<TValue>(promise: PromiseLike<TValue>, onValue: (value: TValue) => TMessage, onError: (error: unknown) => TMessage): void {
    this.#cell.extras.pipeToSelf(promise, onValue, onError);
  }

  become(name: string): void {
    this.#cell.extras.become(name);
  }
}

type MethodName =
  'reply' | 'tell' | 'send' | 'snapshot' | 'spawn' | 'children' | 'stop' | 'watch' | 'unwatch' | 'link' | 'unlink' | 'trapExits' | 'pipeToSelf' | 'become';

/**
 * Turns each prototype method into an accessor that, on a context's first read, binds the method
 * to that context and keeps the bound function as the context's own property. Handlers that call
 * `ctx.tell(...)` pay one bind per actor and method used; a handler may also take a method off the
 * context and call it alone, as it could when the context held a closure per method. A context
 * derived with `Object.create(ctx)` gets the method bound to the actor's context, as its own.
 */
function bindOnFirstRead(names: readonly MethodName[]): void {
  const prototype = CellContext.prototype as unknown as Record<MethodName, (...args: never[]) => unknown>;
  for (const name of names) {
    const method = prototype[name];
    Object.defineProperty(prototype, name, {
      configurable: true,
      get(this: object) {
        const bound = method.bind(CellContext.ownerOf(this));
        Object.defineProperty(this, name, { value: bound, configurable: true, writable: true, enumerable: true });
        return bound;
      },
    });
  }
}

bindOnFirstRead(['reply', 'tell', 'send', 'snapshot', 'spawn', 'children', 'stop', 'watch', 'unwatch', 'link', 'unlink', 'trapExits', 'pipeToSelf', 'become']);

/**
 * Numbers what the actor behind `ctx` sends on sequenced links from now on from checkpoint
 * `epoch`'s floor up: a partition calls it as it passes a checkpoint's barrier, and as it starts
 * from a checkpoint. False when its numbers were past that floor already (see `link-epochs.ts`).
 */
export function raiseLinkEpoch(ctx: ActorContext<unknown>, epoch: number): boolean {
  return CellContext.raiseSequences(ctx, epoch);
}

/** The context a cell's handlers see. */
export function createContext<TMessage>(cell: ContextTarget<TMessage>): ActorContext<TMessage> {
  return new CellContext(cell) as unknown as ActorContext<TMessage>;
}
