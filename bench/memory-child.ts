/**
 * Child process of the memory-bound case: runs N records through a keyed pipeline into a sink
 * slower than the source, then prints its peak RSS (MB) and throughput as JSON on stdout.
 */
import { fromGenerator, pipeline, toCallback } from '../src/index.js';

const records = Number(process.argv[2]);
if (records === 0) {
  // The baseline: what an idle process under the same loader takes.
  process.stdout.write(JSON.stringify({ records: 0, written: 0, peakRssMb: process.resourceUsage().maxRSS / 1024, recordsPerSec: 0 }));
  process.exit(0);
}
let written = 0;
const started = performance.now();
await pipeline(
  fromGenerator(function* (from) {
    for (let i = from; i < records; i++) yield { user: `u${i % 10_000}`, amount: i % 7 };
  }),
)
  .keyBy((event) => event.user, { partitions: 4 })
  .reduce((total: number, event) => total + event.amount, () => 0)
  .to(
    toCallback(async () => {
      // Slower than the source: an event-loop turn every 256 records.
      if (++written % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }),
  )
  .run({ name: 'memory' }).done;
const seconds = (performance.now() - started) / 1000;
process.stdout.write(JSON.stringify({ records, written, peakRssMb: process.resourceUsage().maxRSS / 1024, recordsPerSec: records / seconds }));
