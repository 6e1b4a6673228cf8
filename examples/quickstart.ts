import { createSystem, defineActor } from '../src/index.js';

type Msg = { type: 'deposit'; amount: number } | { type: 'balance' };

const account = defineActor<{ balance: number }, Msg>({
  initialState: () => ({ balance: 0 }),
  receive(state, msg, ctx) {
    if (msg.type === 'deposit') return { balance: state.balance + msg.amount };
    ctx.reply(state.balance); // answers an ask
    return state;
  },
});

const system = createSystem({ name: 'bank' });
const ref = system.spawn(account, { name: 'alice', mailbox: { capacity: 1024, overflow: 'backpressure' } });

ref.tell({ type: 'deposit', amount: 5 }); // false when refused or dropped
await ref.send({ type: 'deposit', amount: 5 }); // resolves once the mailbox accepted it
const balance = await ref.ask<number>({ type: 'balance' }, { timeoutMs: 1000 });
console.log(`${ref.path} has ${balance}`); // /user/alice has 10

await system.shutdown();
