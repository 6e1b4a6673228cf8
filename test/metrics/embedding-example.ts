// The sketch in docs/embedding.md; test/metrics/docs.test.ts checks the two are the same, and the
// typecheck covers it. examples/http-service/ is the whole program.
import { createServer } from 'node:http';
import { PROMETHEUS_CONTENT_TYPE, fromPipelineMetrics, openJournal, pipeline, toCallback, toPrometheus } from '../../src/index.js';

interface Event {
  key: string;
  ts: number;
  value: number;
}
interface Stats {
  count: number;
  sum: number;
}

// 1. The journal is the pipeline's input: accepted means durable.
const journal = await openJournal<Event>({ dir: 'state/journal' });

// 2. The pipeline tails it, checkpointing its keyed state with the journal offset; a restart
//    resumes from the newest checkpoint and reads the journal on from there.
const handle = pipeline(journal.source())
  .keyBy((event) => event.key, { partitions: 4 })
  .aggregate<Stats, Stats>(
    { create: () => ({ count: 0, sum: 0 }), add: (s, event) => ({ count: s.count + 1, sum: s.sum + event.value }), result: (s) => s },
    { name: 'stats', emit: 'final' },
  )
  .to(toCallback(() => undefined))
  .run({ name: 'stats', checkpoint: { dir: 'state/checkpoints', interval: 5_000, keep: 2 } });

// 3. With two checkpoints kept, the journal before the older one's offset is never read again.
const offsets: number[] = [];
handle.events.subscribe((event) => {
  if (event.type !== 'checkpoint-completed') return;
  offsets.push(event.offset as number);
  if (offsets.length > 2) offsets.shift();
  if (offsets.length === 2) void journal.truncateBefore(offsets[0] as number);
});

const server = createServer(async (request, response) => {
  const url = request.url ?? '/';
  if (request.method === 'POST' && url === '/events') {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    // The real service validates every line first, and waits (then 503s) while the pipeline is behind.
    const events = body
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Event);
    await journal.append(events); // 4. fsync'd before the 202
    response.writeHead(202).end();
  } else if (url.startsWith('/stats/')) {
    // 5. Asked of the partition actor that owns the key, from its live state.
    const stats = await handle.query<Stats>('stats', decodeURIComponent(url.slice('/stats/'.length)));
    response.writeHead(stats === undefined ? 404 : 200).end(JSON.stringify(stats ?? { error: 'unknown key' }));
  } else if (url === '/metrics') {
    response.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE }).end(toPrometheus(fromPipelineMetrics(handle.metrics())));
  } else {
    response.writeHead(404).end();
  }
});
server.listen(8080, '127.0.0.1');

// 6. SIGTERM: stop accepting, take a last checkpoint, close; the next start resumes from it.
process.once('SIGTERM', () => {
  server.close();
  void handle.stop().then(() => journal.close());
});
