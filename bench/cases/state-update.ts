/**
 * state-update: what the state discipline costs per message. One actor with a small object state
 * takes N updates: returning a new object (production: `freezeState: false`), the same with
 * development-mode shallow freezing (`freezeState: true`), and through an immer draft
 * (`draft: true`). The floor: the same updates as a loop over plain objects.
 */
import { createSystem, defineActor, type ActorDefinition } from '../../src/index.js';
import { defineCase, type ImplementationSpec } from '../harness/bench-case.js';

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

function actorRun(impl: string, definition: ActorDefinition<Account, Msg>, freezeState: boolean): ImplementationSpec<readonly Msg[]> {
  return {
    impl,
    role: 'sluice',
    create: (messages) => ({
      async run() {
        const system = createSystem({ name: 'bench', freezeState });
        const ref = system.spawn(definition, { mailbox: { capacity: 1024 } });
        for (const msg of messages) if (!ref.tell(msg)) await ref.send(msg);
        const balance = await ref.ask<number>({ type: 'balance' });
        await system.shutdown();
        return balance;
      },
    }),
  };
}

/** The state-update case: 1,000,000 messages (200,000 with `--quick`). */
export const stateUpdateCase = defineCase({
  name: 'state-update',
  unit: 'messages',
  input: (scale): readonly Msg[] => Array.from({ length: scale === 'quick' ? 200_000 : 1_000_000 }, (_, i) => ({ type: 'deposit', amount: i % 10 })),
  operations: (messages) => messages.length,
  implementations: [
    {
      impl: 'plain object loop',
      role: 'floor',
      create: (messages) => ({
        run() {
          let state: Account = { balance: 0, deposits: 0 };
          for (const msg of messages) {
            if (msg.type === 'deposit') state = { balance: state.balance + msg.amount, deposits: state.deposits + 1 };
          }
          return state.balance;
        },
      }),
    },
    actorRun('sluice, new object (freezeState: false)', byValue, false),
    actorRun('sluice, new object (freezeState: true)', byValue, true),
    actorRun('sluice, immer draft', byDraft, false),
  ],
});
