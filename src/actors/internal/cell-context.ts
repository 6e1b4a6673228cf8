/**
 * The context a handler sees: one object per actor, made once at spawn and reused for every
 * message, whose methods forward to the actor's cell.
 */
import type { ActorRef, AnyActorRef } from '../actor-ref.js';
import type { ActorDefinition } from '../behavior.js';
import type { ActorContext } from '../context.js';
import type { Terminated } from '../terminated.js';
import type { CellExtras } from './cell-extras.js';
import type { ParentSlot, SystemServices } from './system-services.js';

/** How a watcher turns a Terminated notification into its own message (undefined: as it is). */
export type WatchMapper = ((terminated: Terminated) => unknown) | undefined;

/** The parts of a cell its context forwards to. */
export interface ContextTarget<TMessage> extends ParentSlot {
  readonly ref: ActorRef<TMessage>;
  reply(value: unknown): boolean;
  stopSelf(): void;
  requestSnapshot(): Promise<void>;
  sendSequenced<TOther>(ref: ActorRef<TOther>, message: TOther, wait: boolean): boolean | Promise<void>;
  watch(ref: AnyActorRef, toMessage: WatchMapper): void;
  unwatch(ref: AnyActorRef): void;
  link(ref: AnyActorRef): void;
  unlink(ref: AnyActorRef): void;
  trapExits(on: boolean): void;
}

export function createContext<TMessage>(
  cell: ContextTarget<TMessage>,
  services: SystemServices,
  parent: ParentSlot,
  extras: CellExtras<TMessage>,
): ActorContext<TMessage> {
  const context = {
    self: cell.ref,
    parent: parent.ref,
    system: services.system,
    clock: services.clock,
    reply: (value: unknown) => cell.reply(value),
    tell: <TOther>(ref: ActorRef<TOther>, message: TOther) => cell.sendSequenced(ref, message, false) as boolean,
    send: <TOther>(ref: ActorRef<TOther>, message: TOther) => cell.sendSequenced(ref, message, true) as Promise<void>,
    snapshot: () => cell.requestSnapshot(),
    spawn: <S, M>(definition: ActorDefinition<S, M>, options?: Parameters<ActorContext<TMessage>['spawn']>[1]) => services.spawn(cell, definition, options),
    children: () => [...cell.children.values()].map((child) => child.ref),
    stop: () => cell.stopSelf(),
    watch: (ref: AnyActorRef, toMessage?: (terminated: Terminated) => TMessage) => cell.watch(ref, toMessage),
    unwatch: (ref: AnyActorRef) => cell.unwatch(ref),
    link: (ref: AnyActorRef) => cell.link(ref),
    unlink: (ref: AnyActorRef) => cell.unlink(ref),
    trapExits: (on: boolean) => cell.trapExits(on),
    timers: extras.timers,
    stash: extras.stash,
    pipeToSelf: <TValue>(promise: PromiseLike<TValue>, onValue: (value: TValue) => TMessage, onError: (error: unknown) => TMessage) =>
      extras.pipeToSelf(promise, onValue, onError),
    // What `defineBehaviors` gives its handlers besides the rest (`BehaviorContext`).
    get behavior() {
      return extras.behavior;
    },
    become: (name: string) => extras.become(name),
  };
  return context as ActorContext<TMessage>;
}
