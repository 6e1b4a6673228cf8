/**
 * The event-sourced account of the kill -9 test, shared by the child that is killed and the test
 * that recovers it: events on disk (`<dir>/events`, small segments so deleting events deletes
 * files), snapshots every 7 events (`<dir>/snapshots`), events before the previous snapshot deleted.
 * Every command but `balance` replies with the events it persisted and where the log then stands.
 */
import { join } from 'node:path';
import { FileEventJournal, FileSnapshotStore, defineEventSourcedActor, type EventSourcedActorDefinition } from '../../src/index.js';

export type Command = { readonly type: 'deposit' | 'withdraw'; readonly amount: number } | { readonly type: 'balance' };
export type Event = { readonly type: 'deposited' | 'withdrawn'; readonly amount: number; readonly n: number };

/** What a command answers: the events it persisted, the sequence number of the last, and the balance. */
export interface Ack {
  readonly events: readonly Event[];
  readonly sequence: number;
  readonly balance: number;
}

export interface Account {
  readonly balance: number;
  /** How many events made it: events carry their own count, so a lost or repeated one shows. */
  readonly n: number;
}

export function applyEvent(state: Account, event: Event): Account {
  if (event.n !== state.n + 1) throw new Error(`event ${event.n} applied after ${state.n}`);
  return { balance: state.balance + (event.type === 'deposited' ? event.amount : -event.amount), n: event.n };
}

export function accountIn(dir: string): EventSourcedActorDefinition<Account, Command> {
  return defineEventSourcedActor<Account, Command, Event>({
    persistenceId: 'account',
    journal: new FileEventJournal<Event>({ dir: join(dir, 'events'), segmentBytes: 512 }),
    snapshots: new FileSnapshotStore({ dir: join(dir, 'snapshots') }),
    snapshotEvery: 7,
    deleteEvents: true,
    initialState: () => ({ balance: 0, n: 0 }),
    command(state, command, ctx) {
      if (command.type === 'balance') return void ctx.reply({ events: [], sequence: ctx.lastSequence, balance: state.balance } satisfies Ack);
      const { amount } = command;
      // A withdrawal beyond the balance is refused; a deposit of an odd amount is recorded in two events.
      const events: Event[] =
        command.type === 'withdraw'
          ? amount <= state.balance
            ? [{ type: 'withdrawn', amount, n: state.n + 1 }]
            : []
          : amount % 2 === 1
            ? [
                { type: 'deposited', amount: amount - 1, n: state.n + 1 },
                { type: 'deposited', amount: 1, n: state.n + 2 },
              ]
            : [{ type: 'deposited', amount, n: state.n + 1 }];
      return ctx.persist(events, (next) => ctx.reply({ events, sequence: ctx.lastSequence, balance: next.balance } satisfies Ack));
    },
    apply: applyEvent,
  });
}
