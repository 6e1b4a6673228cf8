/**
 * Which failures of a NATS request are the server being away for a moment (restarting, electing a
 * JetStream leader, a connection between reconnects) rather than an answer: a worker waits and asks
 * again after these, and fails on anything else.
 */
const TRANSIENT_NAMES = new Set(['TimeoutError', 'NoRespondersError', 'RequestError', 'ConnectionError', 'JetStreamNotEnabled']);

/** Whether `error` is one the next attempt may not meet. */
export function isTransientNatsError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  // JetStream answers 503 while it has no leader or is not ready yet after a restart.
  return /\b503\b|no responders|timeout|jetstream (?:not enabled|temporarily unavailable)/i.test(error.message);
}
