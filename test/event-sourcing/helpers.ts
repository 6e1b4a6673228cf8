/**
 * Shared pieces of the event-sourced actor tests: a journal whose appends fail when a test says
 * so (before anything is written, or after the events landed: a write in doubt), and an account
 * whose commands lead to zero, one or two events.
 */
import {
  MemoryEventJournal,
  defineEventSourcedActor,
  type EventJournal,
  type EventLog,
  type EventSourcedActorDefinition,
  type EventSourcedActorOptions,
} from '../../src/index.js';

/** How the next append fails: `'lost'` writes nothing, `'landed'` writes the events, then rejects. */
export type AppendFailure = 'lost' | 'landed';

/** An error a failing append rejects with. */
export class DiskFull extends Error {
  constructor(readonly failure: AppendFailure) {
    super(`disk full (${failure})`);
    this.name = 'DiskFull';
  }
}

/**
 * A memory journal whose appends fail as `failures` (consumed in order, one per append) says, and
 * may be held (`hold`) until a test releases them.
 */
export class FlakyJournal<TEvent> implements EventJournal<TEvent> {
  readonly inner = new MemoryEventJournal<TEvent>();
  /** The failure of each coming append: undefined lets it through. */
  readonly failures: (AppendFailure | undefined)[] = [];
  /** Appends started, failed or not. */
  appends = 0;
  /** When set, each append waits for it before going on. */
  hold: Promise<void> | undefined;

  async open(persistenceId: string): Promise<EventLog<TEvent>> {
    const log = await this.inner.open(persistenceId);
    const journal = this;
    return {
      persistenceId,
      get lastSequence() {
        return log.lastSequence;
      },
      get firstSequence() {
        return log.firstSequence;
      },
      async append(events) {
        journal.appends++;
        const failure = journal.failures.shift();
        if (journal.hold !== undefined) await journal.hold;
        if (failure === 'lost') throw new DiskFull(failure);
        const last = await log.append(events);
        if (failure === 'landed') throw new DiskFull(failure);
        return last;
      },
      read: (from) => log.read(from),
      deleteUpTo: (sequence) => log.deleteUpTo(sequence),
      close: () => log.close(),
    };
  }

  /** The events the journal holds for `persistenceId`. */
  events(persistenceId: string): TEvent[] {
    return this.inner.eventsOf(persistenceId).map(({ event }) => event);
  }
}

export type AccountCommand =
  | { readonly type: 'deposit'; readonly amount: number }
  | { readonly type: 'transfer'; readonly amount: number; readonly fee: number }
  | { readonly type: 'withdraw'; readonly amount: number }
  | { readonly type: 'balance' };

export type AccountEvent = { readonly type: 'deposited'; readonly amount: number } | { readonly type: 'withdrawn'; readonly amount: number };

/** The events `command` leads to from `balance`: a withdrawal beyond the balance is refused (none). */
export function eventsOf(balance: number, command: AccountCommand): AccountEvent[] {
  switch (command.type) {
    case 'deposit':
      return [{ type: 'deposited', amount: command.amount }];
    case 'transfer':
      return [
        { type: 'deposited', amount: command.amount },
        { type: 'withdrawn', amount: command.fee },
      ];
    case 'withdraw':
      return command.amount <= balance ? [{ type: 'withdrawn', amount: command.amount }] : [];
    case 'balance':
      return [];
  }
}

export function applyEvent(balance: number, event: AccountEvent): number {
  return event.type === 'deposited' ? balance + event.amount : balance - event.amount;
}

/**
 * An account: every command but `balance` replies with the balance after its events (once they are
 * durable); `balance` replies at once. `overrides` replaces any option.
 */
export function account(
  journal: EventJournal<AccountEvent>,
  overrides: Partial<EventSourcedActorOptions<number, AccountCommand, AccountEvent>> = {},
): EventSourcedActorDefinition<number, AccountCommand> {
  return defineEventSourcedActor<number, AccountCommand, AccountEvent>({
    persistenceId: 'account',
    journal,
    initialState: () => 0,
    command(balance, command, ctx) {
      if (command.type === 'balance') return void ctx.reply(balance);
      return ctx.persist(eventsOf(balance, command), (next) => ctx.reply(next));
    },
    apply: applyEvent,
    ...overrides,
  });
}
