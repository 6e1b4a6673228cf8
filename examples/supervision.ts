/**
 * Supervision example: a stock-keeping actor crashes on bad input, is restarted from its last
 * snapshot (re-processing what it took since), sets a poison message aside, and ends with exactly
 * the stock a plain loop over the good lines computes. Its snapshots go to a file store, and a
 * second system started on the same folder picks up where the first stopped.
 *
 * Run it with `npx tsx examples/supervision.ts`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSystem, defineActor, FileSnapshotStore, KeyedState, type ActorSystem } from '../src/index.js';

type Msg = { type: 'line'; text: string } | { type: 'stock' };

/** Parses "sku,delta" and throws on anything else — after writing a partial change, on purpose. */
function applyLine(stock: KeyedState<string, number>, text: string): void {
  const [sku, delta] = text.split(',');
  stock.set('lines', (stock.get('lines') ?? 0) + 1); // a half-write the restart must undo
  if (sku === undefined || sku === '' || delta === undefined || !/^-?\d+$/.test(delta)) {
    throw new Error(`malformed line "${text}"`);
  }
  const next = (stock.get(sku) ?? 0) + Number(delta);
  if (next < 0) throw new Error(`stock of ${sku} would go negative`);
  stock.set(sku, next);
}

let flakyOnce = true;

const warehouse = defineActor<KeyedState<string, number>, Msg>({
  initialState: () => new KeyedState(),
  receive(stock, msg, ctx) {
    if (msg.type === 'stock') {
      ctx.reply(Object.fromEntries(stock.entries()));
      return stock;
    }
    if (msg.text === 'pear,5' && flakyOnce) {
      flakyOnce = false; // a transient failure: the retry after the restart succeeds
      throw new Error('inventory service timed out');
    }
    applyLine(stock, msg.text);
    return stock;
  },
});

const lines = ['apple,10', 'pear,5', 'apple,-3', 'apple;oops', 'plum,4', 'pear,-9', 'plum,-1'];

/** What a plain loop over the good lines gives: the model the actor must match. */
function expectedStock(): Record<string, number> {
  const stock = new KeyedState<string, number>();
  for (const line of lines) {
    const copy = new KeyedState(stock.entries());
    try {
      applyLine(copy, line);
      applyLine(stock, line);
    } catch {
      // a bad line changes nothing
    }
  }
  return Object.fromEntries(stock.entries());
}

function log(system: ActorSystem): void {
  system.events.subscribe((event) => {
    if (event.type === 'actor-failed') console.log(`  failed: ${(event.error as Error).message} (attempt ${event.attempt})`);
    if (event.type === 'actor-restarted') console.log(`  restarted from ${event.from}, processing ${event.replayed} message(s) again`);
    if (event.type === 'snapshot-restored') console.log(`  restored snapshot ${event.sequence ?? 'none'} from the store`);
  });
  system.deadLetters.subscribe((letter) => {
    console.log(`  dead letter (${letter.reason}): ${JSON.stringify(letter.message)}`);
  });
}

const dir = await mkdtemp(join(tmpdir(), 'sluice-supervision-'));
const store = new FileSnapshotStore({ dir });
try {
  console.log('first run:');
  const first = createSystem({ name: 'shop' });
  log(first);
  const ref = first.spawn(warehouse, {
    name: 'warehouse',
    supervision: { maxRetries: 2 },
    snapshot: { everyMessages: 3, store, key: 'warehouse' },
  });
  for (const text of lines) ref.tell({ type: 'line', text });
  const stock = await ref.ask<Record<string, number>>({ type: 'stock' });
  console.log(`  stock: ${JSON.stringify(stock)}`);
  console.log(`  matches the model: ${JSON.stringify(stock) === JSON.stringify(expectedStock())}`);
  await first.shutdown(); // a graceful stop saves a final snapshot

  console.log('second run, same store:');
  const second = createSystem({ name: 'shop' });
  log(second);
  const again = second.spawn(warehouse, { name: 'warehouse', snapshot: { store, key: 'warehouse' } });
  console.log(`  stock: ${JSON.stringify(await again.ask({ type: 'stock' }))}`);
  await second.shutdown();
} finally {
  await rm(dir, { recursive: true, force: true });
}
