// The opening example of docs/journal.md, type-checked with the tests (`npm run typecheck`) and
// compared with the page by docs.test.ts. Not run: it serves HTTP until SIGTERM.
import { createServer } from 'node:http';
import { openJournal, pipeline, toCallback } from '../../src/index.js';

interface Order {
  id: string;
  customer: string;
  amount: number;
}

const journal = await openJournal<Order>({ dir: './state/orders' });
const stop = new AbortController();

// The pipeline tails the journal: it sees an order once it is durable, then waits for the next.
const totals = pipeline(journal.source({ signal: stop.signal }))
  .keyBy((order) => order.customer, { partitions: 4 })
  .reduce(
    (total: number, order) => total + order.amount,
    () => 0,
  )
  .to(toCallback(({ key, value }) => console.log(`${key}: ${value}`)))
  .run({ signal: stop.signal });

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    journal.append([JSON.parse(body) as Order]).then(
      () => res.writeHead(202).end(), // acknowledged = fsync'd: survives kill -9
      () => res.writeHead(503).end(),
    );
  });
});
server.listen(8080);

process.once('SIGTERM', () => {
  server.close();
  stop.abort(); // ends the tailing read, and with it the run
  void totals.done.then(() => journal.close());
});
