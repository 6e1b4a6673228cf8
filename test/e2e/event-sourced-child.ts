/**
 * The child of the event-sourced kill -9 test: recovers the account in argv[2], prints
 * `ready <json Ack>` with where it recovered to, then sends commands drawn from the seed in argv[3]
 * one after another for ever, printing `ack <json Ack>` as each reply arrives — once the command's
 * events are fsync'd. The test kills it with SIGKILL at the ack it chose.
 */
import { createSystem } from '../../src/index.js';
import { mulberry32 } from '../../src/internal/mulberry32.js';
import { accountIn, type Ack, type Command } from './event-sourced-account.js';

const [dir, seed = '1'] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: event-sourced-child.ts DIR [SEED]');

const random = mulberry32(Number(seed));
const system = createSystem({ name: 'event-sourced-child' });
const account = system.spawn(accountIn(dir), { name: 'account' });
// stdout is a pipe: writes to it are synchronous on Linux, so a printed ack was acknowledged.
process.stdout.write(`ready ${JSON.stringify(await account.ask<Ack>({ type: 'balance' }))}\n`);
for (;;) {
  const command: Command = { type: random() < 0.3 ? 'withdraw' : 'deposit', amount: 1 + Math.floor(random() * 20) };
  process.stdout.write(`ack ${JSON.stringify(await account.ask<Ack>(command))}\n`);
}
