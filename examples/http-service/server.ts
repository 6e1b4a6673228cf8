/**
 * The stats service: `PORT=N STATE_DIR=DIR npx tsx examples/http-service/server.ts` listens on
 * 127.0.0.1:N and prints `listening on http://127.0.0.1:N` once ready. SIGTERM (or SIGINT) stops
 * accepting, drains, takes a final checkpoint and exits 0; started again with the same STATE_DIR it
 * serves the same stats. See README.md in this folder for the API and the other settings.
 */
import { startService } from './service.js';

function setting(name: string, fallback?: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    process.stderr.write(`${name} must be a non-negative number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

const stateDir = process.env['STATE_DIR'];
const port = setting('PORT');
if (stateDir === undefined || stateDir === '' || port === undefined) {
  process.stderr.write('usage: PORT=N STATE_DIR=DIR npx tsx examples/http-service/server.ts\n');
  process.exit(2);
}

const service = await startService({
  port,
  stateDir,
  partitions: setting('PARTITIONS'),
  maxBacklog: setting('MAX_BACKLOG'),
  maxWaitMs: setting('MAX_WAIT_MS'),
  checkpointIntervalMs: setting('CHECKPOINT_INTERVAL_MS'),
  drainTimeoutMs: setting('DRAIN_TIMEOUT_MS'),
  segmentBytes: setting('SEGMENT_BYTES'),
});
process.stdout.write(`listening on ${service.url}\n`);

const drainTimeoutMs = setting('DRAIN_TIMEOUT_MS', 30_000) as number;
const stop = (signal: string): void => {
  process.stderr.write(`${signal}: stopping\n`);
  // A last resort, should the final checkpoint never complete (a hung disk): leave with an error.
  // Unref'd, so a shutdown that went well exits without waiting for it.
  setTimeout(() => {
    process.stderr.write('stopping took too long; exiting\n');
    process.exit(1);
  }, drainTimeoutMs + 30_000).unref();
  service.shutdown().then(
    (result) => {
      process.stderr.write(`stopped after ${result.checkpoints} checkpoints this run\n`);
      process.exitCode = 0;
    },
    (error: unknown) => {
      process.stderr.write(`stopping failed: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
};
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
