import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ActorFailedError,
  EventPersistError,
  EventRecoveryError,
  FileEventJournal,
  FileSnapshotStore,
  InvalidOptionError,
  MemoryEventJournal,
  MemorySnapshotStore,
  createSystem,
  defineActor,
  defineEventSourcedActor,
  type EventSourcedActorOptions,
} from '../../src/index.js';
import { createTestKit, withFaults } from '../../src/testing/index.js';
import { deferred, Inbox, nextEvent, recordEvents, useSystems, type EventOf } from '../actors/helpers.js';
import { account, applyEvent, DiskFull, FlakyJournal, type AccountCommand, type AccountEvent } from './helpers.js';

const newSystem = useSystems();

const resume = { decide: () => 'resume' as const };

function options(overrides: Record<string, unknown>): EventSourcedActorOptions<number, AccountCommand, AccountEvent> {
  return {
    journal: new MemoryEventJournal<AccountEvent>(),
    initialState: () => 0,
    command: () => undefined,
    apply: applyEvent,
    ...overrides,
  } as EventSourcedActorOptions<number, AccountCommand, AccountEvent>;
}

describe('defineEventSourcedActor', () => {
  describe('options', () => {
    it.each([
      ['initialState', { initialState: 0 }],
      ['command', { command: undefined }],
      ['apply', { apply: 'sum' }],
      ['journal', { journal: {} }],
      ['persistenceId', { persistenceId: '' }],
      ['snapshots', { snapshots: { save: () => undefined } }],
      ['snapshotEvery', { snapshotEvery: 10 }],
      ['snapshotEvery', { snapshots: new MemorySnapshotStore(), snapshotEvery: 0 }],
      ['deleteEvents', { deleteEvents: true }],
      ['deleteEvents', { snapshots: new MemorySnapshotStore(), deleteEvents: 'yes' }],
      ['recovered', { recovered: 1 }],
      ['stopping', { stopping: {} }],
    ])('throws InvalidOptionError naming `%s`', (option, overrides) => {
      const define = (): unknown => defineEventSourcedActor(options(overrides));
      expect(define).toThrow(InvalidOptionError);
      expect(define).toThrow(`\`${option}\``);
    });

    it('refuses spawn snapshot options, naming `snapshot`: its snapshots are its own', () => {
      const system = newSystem();
      const definition = account(new MemoryEventJournal());
      expect(() => system.spawn(definition, { name: 'acct', snapshot: { everyMessages: 10 } })).toThrow('`snapshot`');
      expect(system.lookup('/user/acct')).toBeUndefined();
    });
  });

  describe('under withFaults', () => {
    it('keeps refusing snapshot options, and recovers from an injected fault, persisting each command once', async () => {
      const journal = new MemoryEventJournal<AccountEvent>();
      const faulty = withFaults(account(journal), [{ at: 2, poison: false }]);
      const system = newSystem();
      expect(() => system.spawn(faulty, { snapshot: { everyMessages: 2 } })).toThrow('`snapshot`');
      const ref = system.spawn(faulty);
      expect(await ref.ask({ type: 'deposit', amount: 1 })).toBe(1);
      expect(await ref.ask({ type: 'deposit', amount: 2 })).toBe(3); // thrown at, restarted, recovered, handled
      expect(journal.eventsOf('account').map((e) => e.event.amount)).toEqual([1, 2]);
    });
  });

  describe('commands', () => {
    it('persists the events, then applies them and replies with the state after them', async () => {
      const journal = new MemoryEventJournal<AccountEvent>();
      const ref = newSystem().spawn(account(journal));
      expect(await ref.ask({ type: 'deposit', amount: 5 })).toBe(5);
      expect(await ref.ask({ type: 'transfer', amount: 10, fee: 1 })).toBe(14);
      expect(await ref.ask({ type: 'withdraw', amount: 100 })).toBe(14); // refused: no event
      expect(journal.eventsOf('account').map(({ sequence, event }) => [sequence, event])).toEqual([
        [1, { type: 'deposited', amount: 5 }],
        [2, { type: 'deposited', amount: 10 }],
        [3, { type: 'withdrawn', amount: 1 }],
      ]);
    });

    it('holds the next command until the events of the one before are durable', async () => {
      const journal = new FlakyJournal<AccountEvent>();
      const gate = deferred();
      const kit = createTestKit();
      const ref = kit.system.spawn(account(journal));
      await kit.settle(); // recovered
      journal.hold = gate.promise;
      const deposit = ref.ask({ type: 'deposit', amount: 5 });
      const balance = ref.ask({ type: 'balance' });
      let answered = false;
      void balance.then(() => (answered = true));
      // Everything that can run has run: the append is under way, and the query waits in the mailbox.
      await kit.settle();
      expect(journal.appends).toBe(1);
      expect(answered).toBe(false);
      gate.resolve();
      await kit.settle();
      expect(await deposit).toBe(5);
      expect(await balance).toBe(5);
      await kit.shutdown();
    });

    it('persists a plain array of events, with nothing to run after', async () => {
      const journal = new MemoryEventJournal<AccountEvent>();
      const ref = newSystem().spawn(
        account(journal, {
          command: (balance, command, ctx) => (command.type === 'balance' ? void ctx.reply(balance) : [{ type: 'deposited', amount: 2 }]),
        }),
      );
      ref.tell({ type: 'deposit', amount: 0 });
      expect(await ref.ask({ type: 'balance' })).toBe(2);
    });

    it('takes an async command handler', async () => {
      const ref = newSystem().spawn(
        account(new MemoryEventJournal(), {
          async command(balance, command, ctx) {
            await Promise.resolve();
            if (command.type === 'balance') return void ctx.reply(balance);
            return ctx.persist([{ type: 'deposited', amount: 3 }], (next) => ctx.reply(next));
          },
        }),
      );
      expect(await ref.ask({ type: 'deposit', amount: 3 })).toBe(3);
    });

    it('tells the handler its persistence id (the actor path by default) and where its log stands', async () => {
      const seen: [string, number][] = [];
      const ref = newSystem().spawn(
        account(new MemoryEventJournal(), {
          persistenceId: undefined,
          command(balance, command, ctx) {
            seen.push([ctx.persistenceId, ctx.lastSequence]);
            return command.type === 'balance' ? void ctx.reply(balance) : [{ type: 'deposited', amount: 1 }];
          },
        }),
        { name: 'acct' },
      );
      ref.tell({ type: 'deposit', amount: 1 });
      await ref.ask({ type: 'balance' });
      expect(seen).toEqual([
        ['/user/acct', 0],
        ['/user/acct', 1],
      ]);
    });

    it('fails the actor when the handler returns something that is not an effect, naming the handler', async () => {
      const system = newSystem();
      const failed = nextEvent(system, 'actor-failed');
      const ref = system.spawn(account(new MemoryEventJournal(), { command: () => 42 as never }), { supervision: resume });
      ref.tell({ type: 'balance' });
      const { error } = await failed;
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('command(state, command, ctx)');
    });

    it('writes nothing when apply throws on a new event: the command fails before its append', async () => {
      const journal = new FlakyJournal<AccountEvent>();
      const ref = newSystem().spawn(
        account(journal, {
          apply: (balance, event) => {
            if (event.amount === 13) throw new Error('unlucky');
            return applyEvent(balance, event);
          },
        }),
        { supervision: resume },
      );
      await expect(ref.ask({ type: 'deposit', amount: 13 })).rejects.toBeInstanceOf(ActorFailedError);
      expect(await ref.ask({ type: 'deposit', amount: 1 })).toBe(1);
      expect(journal.appends).toBe(1);
    });
  });

  describe('when an append fails', () => {
    it('fails the actor with EventPersistError, applying and replying nothing', async () => {
      const journal = new FlakyJournal<AccountEvent>();
      const system = newSystem();
      const ref = system.spawn(account(journal), { supervision: resume });
      await ref.ask({ type: 'deposit', amount: 1 });
      journal.failures.push('lost');
      const failed = nextEvent(system, 'actor-failed');
      const error = await ref.ask({ type: 'deposit', amount: 5 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ActorFailedError);
      const cause = (error as ActorFailedError).cause;
      expect(cause).toBeInstanceOf(EventPersistError);
      expect(cause).toMatchObject({ persistenceId: 'account', fromSequence: 2, events: 1 });
      expect((cause as EventPersistError).cause).toBeInstanceOf(DiskFull);
      expect((await failed).error).toBe(cause);
      expect(await ref.ask({ type: 'balance' })).toBe(1);
      expect(journal.events('account')).toHaveLength(1);
    });

    it('finds, by recovering before the next command, events a failed append left in the journal', async () => {
      const journal = new FlakyJournal<AccountEvent>();
      const system = newSystem();
      const events = recordEvents(system);
      const ref = system.spawn(account(journal), { supervision: resume });
      journal.failures.push('landed');
      await expect(ref.ask({ type: 'deposit', amount: 5 })).rejects.toBeInstanceOf(ActorFailedError);
      expect(await ref.ask({ type: 'balance' })).toBe(5);
      const recoveries = events.filter((e): e is EventOf<'events-recovered'> => e.type === 'events-recovered');
      expect(recoveries.map((e) => [e.sequence, e.replayed])).toEqual([
        [0, 0],
        [1, 1],
      ]);
    });

    it.each(['lost', 'landed'] as const)('persists a command retried after a restart exactly once (append %s)', async (failure) => {
      const journal = new FlakyJournal<AccountEvent>();
      const system = newSystem();
      const events = recordEvents(system);
      const ref = system.spawn(account(journal));
      await ref.ask({ type: 'deposit', amount: 1 });
      journal.failures.push(failure);
      expect(await ref.ask({ type: 'transfer', amount: 10, fee: 2 })).toBe(9);
      expect(journal.events('account')).toEqual([
        { type: 'deposited', amount: 1 },
        { type: 'deposited', amount: 10 },
        { type: 'withdrawn', amount: 2 },
      ]);
      expect(journal.appends).toBe(failure === 'lost' ? 3 : 2);
      expect(events.filter((e) => e.type === 'actor-restarted')).toHaveLength(1);
    });

    it('runs the retried command on the state it first saw, so it decides as it did', async () => {
      const journal = new FlakyJournal<AccountEvent>();
      const ref = newSystem().spawn(account(journal));
      await ref.ask({ type: 'deposit', amount: 5 });
      journal.failures.push('landed');
      // Decided on 5: withdraw 5. Were it run again on the journal's 0, it would be refused.
      expect(await ref.ask({ type: 'withdraw', amount: 5 })).toBe(0);
      expect(journal.events('account')).toEqual([
        { type: 'deposited', amount: 5 },
        { type: 'withdrawn', amount: 5 },
      ]);
    });

    it('retries a command whose afterPersist threw without writing its events again', async () => {
      const journal = new FlakyJournal<AccountEvent>();
      let throws = 1;
      const ref = newSystem().spawn(
        account(journal, {
          command(balance, command, ctx) {
            if (command.type === 'balance') return void ctx.reply(balance);
            return ctx.persist([{ type: 'deposited', amount: 4 }], (next) => {
              if (throws-- > 0) throw new Error('reply failed');
              ctx.reply(next);
            });
          },
        }),
      );
      expect(await ref.ask({ type: 'deposit', amount: 4 })).toBe(4);
      expect(journal.events('account')).toHaveLength(1);
    });

    it('does not take the next command for a retry when a sibling restart brings the actor down with it', async () => {
      const journal = new FlakyJournal<AccountEvent>();
      const system = newSystem({ supervisor: { strategy: 'one-for-all' } });
      const ref = system.spawn(account(journal), { supervision: resume });
      const sibling = system.spawn(
        defineActor<null, string>({
          initialState: () => null,
          receive: () => {
            throw new Error('sibling failed');
          },
        }),
      );
      journal.failures.push('landed');
      await expect(ref.ask({ type: 'deposit', amount: 5 })).rejects.toBeInstanceOf(ActorFailedError);
      const restarted = nextEvent(system, 'actor-restarted', (e) => e.path === ref.path);
      sibling.tell('boom');
      await restarted;
      expect(await ref.ask({ type: 'deposit', amount: 1 })).toBe(6);
      expect(journal.events('account')).toHaveLength(2);
    });
  });

  describe('recovery', () => {
    it('starts from the newest snapshot and applies the events after it', async () => {
      const journal = new MemoryEventJournal<AccountEvent>();
      const snapshots = new MemorySnapshotStore();
      const definition = account(journal, { snapshots, snapshotEvery: 3 });
      const first = newSystem();
      const ref = first.spawn(definition);
      for (let i = 1; i <= 7; i++) await ref.ask({ type: 'deposit', amount: i });
      await first.shutdown();
      expect((await snapshots.load('account')).snapshot?.sequence).toBe(6);

      const second = newSystem();
      const recovered = nextEvent(second, 'events-recovered');
      const again = second.spawn(definition);
      expect(await recovered).toMatchObject({ persistenceId: 'account', snapshotSequence: 6, replayed: 1, sequence: 7, skipped: [] });
      expect(await again.ask({ type: 'balance' })).toBe(28);
    });

    it('deletes, after each snapshot, the events up to the snapshot before it', async () => {
      const journal = new MemoryEventJournal<AccountEvent>();
      const system = newSystem();
      const events = recordEvents(system);
      const ref = system.spawn(account(journal, { snapshots: new MemorySnapshotStore(), snapshotEvery: 2, deleteEvents: true }));
      const deleted = nextEvent(system, 'events-deleted', (e) => e.toSequence === 6);
      for (let i = 1; i <= 8; i++) await ref.ask({ type: 'deposit', amount: 1 });
      await deleted;
      expect(events.filter((e) => e.type === 'snapshot-saved').map((e) => (e as EventOf<'snapshot-saved'>).sequence)).toEqual([2, 4, 6, 8]);
      expect(events.filter((e) => e.type === 'events-deleted').map((e) => (e as EventOf<'events-deleted'>).toSequence)).toEqual([2, 4, 6]);
      expect(journal.eventsOf('account').map((e) => e.sequence)).toEqual([7, 8]);
    });

    it('runs recovered with the recovered state, after every recovery', async () => {
      const journal = new MemoryEventJournal<AccountEvent>();
      const seen: [number, number][] = [];
      const definition = account(journal, { recovered: (state, ctx) => void seen.push([state, ctx.lastSequence]) });
      const system = newSystem();
      const ref = system.spawn(definition);
      await ref.ask({ type: 'deposit', amount: 3 });
      await ref.stop();
      await system.spawn(definition).ask({ type: 'balance' });
      expect(seen).toEqual([
        [0, 0],
        [3, 1],
      ]);
    });

    it.each([
      ['a snapshot that is not an event-sourced one', 'is not the snapshot of an event-sourced actor'],
      ['events deleted that no snapshot holds', 'were deleted from the journal'],
      ['apply throwing on a stored event', 'apply threw on event 1'],
    ])('stops the actor with EventRecoveryError on %s', async (what, reason) => {
      const journal = new MemoryEventJournal<AccountEvent>();
      const snapshots = new MemorySnapshotStore();
      const log = await journal.open('account');
      await log.append([
        { type: 'deposited', amount: 1 },
        { type: 'deposited', amount: 2 },
      ]);
      if (what.startsWith('a snapshot')) await snapshots.save('account', { sequence: 1, meta: { balance: 1 } });
      if (what.startsWith('events deleted')) await log.deleteUpTo(1);
      const system = newSystem();
      const failed = nextEvent(system, 'hook-failed');
      const stopped = nextEvent(system, 'actor-stopped');
      const broken = (): number => {
        throw new Error('cannot apply');
      };
      system.spawn(account(journal, { snapshots, ...(what.startsWith('apply') ? { apply: broken } : {}) }));
      const { hook, error } = await failed;
      expect(hook).toBe('started');
      expect(error).toBeInstanceOf(EventRecoveryError);
      expect((error as EventRecoveryError).message).toContain(reason);
      expect((await stopped).reason).toBe('failed');
      expect(journal.eventsOf('account')).toHaveLength(what.startsWith('events deleted') ? 1 : 2);
    });
  });

  describe('ctx.snapshot', () => {
    /** An account that asks for a snapshot in every command, reporting how it settled. */
    function snapshotting(journal: MemoryEventJournal<AccountEvent>, overrides: Parameters<typeof account>[1], settled: Inbox<unknown>) {
      return account(journal, {
        command(balance, command, ctx) {
          ctx.snapshot().then(
            () => settled.push('saved'),
            (error: unknown) => settled.push(error),
          );
          if (command.type === 'withdraw') throw new Error('no withdrawals');
          if (command.type === 'balance') return void ctx.reply(balance);
          return ctx.persist([{ type: 'deposited', amount: command.amount }], (next) => ctx.reply(next));
        },
        ...overrides,
      });
    }

    it('saves the state after the command, and resolves once the snapshot is durable', async () => {
      const snapshots = new MemorySnapshotStore();
      const settled = new Inbox<unknown>();
      const system = newSystem();
      const saved = nextEvent(system, 'snapshot-saved');
      const ref = system.spawn(snapshotting(new MemoryEventJournal(), { snapshots, snapshotEvery: 100 }, settled));
      await ref.ask({ type: 'deposit', amount: 4 });
      expect((await saved).sequence).toBe(1);
      expect((await snapshots.load('account')).snapshot).toMatchObject({ sequence: 1, meta: { state: 4 } });
      expect(await settled.next()).toBe('saved');
      await ref.ask({ type: 'balance' }); // nothing new: the snapshot of event 1 is the one there
      expect(await settled.next()).toBe('saved');
    });

    it('rejects with the error of a command that fails, and saves nothing', async () => {
      const snapshots = new MemorySnapshotStore();
      const settled = new Inbox<unknown>();
      const ref = newSystem().spawn(snapshotting(new MemoryEventJournal(), { snapshots }, settled), { supervision: resume });
      await expect(ref.ask({ type: 'withdraw', amount: 1 })).rejects.toBeInstanceOf(ActorFailedError);
      expect(((await settled.next()) as Error).message).toBe('no withdrawals');
      expect((await snapshots.load('account')).snapshot).toBeUndefined();
    });

    it('rejects with InvalidOptionError naming `snapshots` when the definition has no store', async () => {
      const settled = new Inbox<unknown>();
      const ref = newSystem().spawn(snapshotting(new MemoryEventJournal(), {}, settled));
      await ref.ask({ type: 'deposit', amount: 1 });
      const error = await settled.next();
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).option).toBe('snapshots');
    });
  });

  describe('with the file journal and file snapshots', () => {
    it('recovers across systems, and releases each persistence id when its actor stops', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'sluice-event-sourced-'));
      const journal = new FileEventJournal<AccountEvent>({ dir: join(dir, 'events') });
      const definition = account(journal, { snapshots: new FileSnapshotStore({ dir: join(dir, 'snapshots') }), snapshotEvery: 4 });
      for (let round = 1; round <= 3; round++) {
        const system = createSystem();
        const ref = system.spawn(definition);
        for (let i = 0; i < 5; i++) await ref.ask({ type: 'deposit', amount: round });
        expect(await ref.ask({ type: 'balance' })).toBe(5 * ((round * (round + 1)) / 2));
        await system.shutdown(); // the next round's open takes the lock this one released
      }
      const log = await journal.open('account');
      expect(log.lastSequence).toBe(15);
      await log.close();
      await rm(dir, { recursive: true, force: true });
    });
  });
});
