/**
 * state-update: what the state discipline costs per message. One actor with a small object state
 * takes N updates: returning a new object (production: `freezeState: false`), the same with
 * development-mode shallow freezing (`freezeState: true`), and through an immer draft
 * (`draft: true`). Baseline: the same updates as a loop over plain objects.
 */
import { createSystem, defineActor, type ActorDefinition } from '../../src/index.js';
import type { BenchCase, Implementation } from '../measure.js';

interface Account {
  readonly balance: number;
  readonly deposits: number;
}

type Msg = { readonly type: 'deposit'; readonly amount: number } | { readonly type: 'balance' };

const byValue = defineActor<Account, Msg>({
  initialState: () => ({ balance: 0, deposits: 0 }),
  receive(state, msg, ctx) {
    if (msg.type === 'balance') {
      ctx.reply(state.balance);
      return state;
    }
    return { balance: state.balance + msg.amount, deposits: state.deposits + 1 };
  },
});

const byDraft = defineActor<Account, Msg>({
  draft: true,
  initialState: () => ({ balance: 0, deposits: 0 }),
  receive(draft, msg, ctx) {
    if (msg.type === 'balance') {
      ctx.reply(draft.balance);
      return;
    }
    draft.balance += msg.amount;
    draft.deposits += 1;
  },
});

function actorRun(impl: string, definition: ActorDefinition<Account, Msg>, freezeState: boolean, messages: readonly Msg[]): Implementation {
  return {
    impl,
    async run() {
      const system = createSystem({ name: 'bench', freezeState });
      const ref = system.spawn(definition, { mailbox: { capacity: 1024 } });
      for (const msg of messages) if (!ref.tell(msg)) await ref.send(msg);
      const balance = await ref.ask<number>({ type: 'balance' });
      await system.shutdown();
      return balance;
    },
  };
}

export function stateUpdateCase(operations: number): BenchCase {
  const messages: Msg[] = Array.from({ length: operations }, (_, i) => ({ type: 'deposit', amount: i % 10 }));
  return {
    name: 'state-update',
    unit: 'messages',
    operations,
    implementations: [
      {
        impl: 'plain object loop',
        baseline: true,
        run() {
          let state: Account = { balance: 0, deposits: 0 };
          for (const msg of messages) {
            if (msg.type === 'deposit') state = { balance: state.balance + msg.amount, deposits: state.deposits + 1 };
          }
          return state.balance;
        },
      },
      actorRun('sluice, new object (freezeState: false)', byValue, false, messages),
      actorRun('sluice, new object (freezeState: true)', byValue, true, messages),
      actorRun('sluice, immer draft', byDraft, false, messages),
    ],
  };
}
