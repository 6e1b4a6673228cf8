// The example that opens docs/operations.md; test/metrics/docs.test.ts checks the two are the same
// and runs it.
import { fromArray, fromPipelineMetrics, logEvents, pipeline, toCallback, toPrometheus } from '../../src/index.js';

const handle = pipeline(fromArray(['gate', 'lock', 'gate', 'weir']))
  .keyBy((word) => word, { partitions: 2 })
  .reduce(
    (count: number) => count + 1,
    () => 0,
  )
  .to(toCallback(() => undefined))
  .run({ name: 'words', chaos: { crashRate: 0.2, seed: 1 } });

// Warnings and errors as they happen: restarts, failures, a failed run.
const stopLogging = logEvents(handle.events, console, { level: 'warn' });
await handle.done;
stopLogging();

// Counters as Prometheus text: what GET /metrics serves.
const text = toPrometheus(fromPipelineMetrics(handle.metrics()));
console.log(text.split('\n').find((line) => line.startsWith('sluice_pipeline_records_read_total')));
// sluice_pipeline_records_read_total{sluice_pipeline_name="words"} 4
