/**
 * An actor that runs timer commands and records, in its state, every timer message it handles —
 * with a tick number, so a message processed again after a restart is recognised — and, outside
 * its state, the virtual time each (payload, tick) was first handled. For the timer tests and
 * properties: the state says what was delivered, exactly once; the outside log says when.
 */
import { defineActor, type ActorDefinition, type ActorTimers, type TimerKey } from '../../src/index.js';

export type TimerCommand =
  | { readonly type: 'single'; readonly key: TimerKey; readonly delayMs: number; readonly payload: number }
  | { readonly type: 'periodic'; readonly key: TimerKey; readonly intervalMs: number; readonly payload: number }
  | { readonly type: 'cancel'; readonly key: TimerKey }
  | { readonly type: 'cancel-all' };

export type TimerActorMsg =
  | TimerCommand
  /** Runs `commands`, then throws while `failId` has failures left in the world. */
  | { readonly type: 'batch'; readonly commands: readonly TimerCommand[]; readonly failId?: number | undefined }
  | { readonly type: 'fired'; readonly key: TimerKey; readonly payload: number }
  /** Replies with the active keys. */
  | { readonly type: 'keys' }
  /** Replies with the state. */
  | { readonly type: 'state' };

/** One handled timer message: which timer start (`payload`) and its how-manieth message (`tick`, from 1). */
export interface Fired {
  readonly key: TimerKey;
  readonly payload: number;
  readonly tick: number;
}

export interface TimerActorState {
  readonly fired: readonly Fired[];
}

/** What the actor records outside its state: when each (payload, tick) was first handled, and failures to come. */
export interface TimerActorWorld {
  readonly firstHandledAt: Map<string, number>;
  /** How many more times each failure id fails (Infinity: every time). */
  readonly failures: Map<number, number>;
}

/** A world in which each of `failures` fails `times` times. */
export function newWorld(failures: Iterable<number> = [], times = 1): TimerActorWorld {
  return { firstHandledAt: new Map(), failures: new Map([...failures].map((id) => [id, times])) };
}

/** Whether failure `id` fails now, counting it. */
function failsNow(world: TimerActorWorld, id: number | undefined): boolean {
  const left = id === undefined ? undefined : world.failures.get(id);
  if (left === undefined || left <= 0) return false;
  world.failures.set(id as number, left - 1);
  return true;
}

function run(command: TimerCommand, timers: ActorTimers<TimerActorMsg>): void {
  switch (command.type) {
    case 'single':
      timers.startSingle(command.key, { type: 'fired', key: command.key, payload: command.payload }, command.delayMs);
      return;
    case 'periodic':
      timers.startPeriodic(command.key, { type: 'fired', key: command.key, payload: command.payload }, command.intervalMs);
      return;
    case 'cancel':
      timers.cancel(command.key);
      return;
    case 'cancel-all':
      timers.cancelAll();
      return;
  }
}

export function timerActor(world: TimerActorWorld): ActorDefinition<TimerActorState, TimerActorMsg> {
  return defineActor<TimerActorState, TimerActorMsg>({
    initialState: () => ({ fired: [] }),
    receive(state, msg, ctx) {
      switch (msg.type) {
        case 'fired': {
          const tick = state.fired.filter((f) => f.payload === msg.payload).length + 1;
          const id = `${msg.payload}:${tick}`;
          if (!world.firstHandledAt.has(id)) world.firstHandledAt.set(id, ctx.clock.now());
          return { fired: [...state.fired, { key: msg.key, payload: msg.payload, tick }] };
        }
        case 'batch':
          for (const command of msg.commands) run(command, ctx.timers);
          if (failsNow(world, msg.failId)) throw new Error(`failure ${msg.failId}`);
          return state;
        case 'keys':
          ctx.reply(ctx.timers.activeKeys());
          return state;
        case 'state':
          ctx.reply(state);
          return state;
        default:
          run(msg, ctx.timers);
          return state;
      }
    },
  });
}
