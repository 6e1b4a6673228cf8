/**
 * The bank-account example: one actor per account, deposits by `tell` and `send`, the balance by
 * `ask`, and a clean shutdown. Run it with `npm start`.
 */
import { createSystem, defineActor } from '../src/index.js';

type Msg = { type: 'deposit'; amount: number } | { type: 'withdraw'; amount: number } | { type: 'balance' };

const account = defineActor<{ balance: number }, Msg>({
  initialState: () => ({ balance: 0 }),
  receive(state, msg, ctx) {
    switch (msg.type) {
      case 'deposit':
        return { balance: state.balance + msg.amount };
      case 'withdraw':
        if (msg.amount > state.balance) throw new Error(`insufficient funds: ${state.balance} < ${msg.amount}`);
        return { balance: state.balance - msg.amount };
      case 'balance':
        ctx.reply(state.balance);
        return state;
    }
  },
});

const system = createSystem({ name: 'bank' });
system.deadLetters.subscribe((letter) => {
  const why = letter.error instanceof Error ? ` (${letter.error.message})` : '';
  console.log(`dead letter for ${letter.recipient}: ${letter.reason}${why}`);
});

const alice = system.spawn(account, { name: 'alice', mailbox: { capacity: 1024, overflow: 'backpressure' } });
const bob = system.spawn(account, { name: 'bob', supervision: { decide: () => 'resume' } });

alice.tell({ type: 'deposit', amount: 5 });
await alice.send({ type: 'deposit', amount: 5 });
for (let i = 0; i < 10_000; i++) {
  const deposit: Msg = { type: 'deposit', amount: 1 };
  if (!bob.tell(deposit)) await bob.send(deposit); // the mailbox is bounded: wait for room when full
}
bob.tell({ type: 'withdraw', amount: 1_000_000 }); // rejected by the handler; bob resumes with his balance

// Bob answers after his failed withdrawal (his mailbox is first in, first out), so its dead letter
// is printed by then; asking him first keeps the output in the same order however the two interleave.
const bobBalance = await bob.ask<number>({ type: 'balance' }, { timeoutMs: 1000 });
const aliceBalance = await alice.ask<number>({ type: 'balance' }, { timeoutMs: 1000 });
console.log(`alice: ${aliceBalance}`);
console.log(`bob:   ${bobBalance}`);
console.log(`bob's mailbox: ${JSON.stringify(bob.metrics())}`);

await system.shutdown();
console.log(`system ${system.name} is ${system.status}`);
