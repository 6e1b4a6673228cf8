/**
 * What the JetStream writers (`toJetStream`, `partitionedPublisher`) share: the options of their
 * publishing window, and their counters.
 */
import type { Clock } from '../clock.js';
import type { BackoffOptions } from '../supervision/backoff.js';

/** How a JetStream writer publishes: many messages in flight, a full stream waited out. */
export interface JetStreamWriteOptions {
  /**
   * Messages published and not yet acknowledged, at most; a write waits for room (then for half
   * the window to be free, so messages go to the socket in runs).
   * @defaultValue 1024
   */
  readonly maxInFlight?: number | undefined;
  /**
   * How long an acknowledgement may take before the message goes again, with its `Nats-Msg-Id`
   * (so the stream stores it once), in milliseconds.
   * @defaultValue 5000
   */
  readonly ackTimeoutMs?: number | undefined;
  /**
   * The wait between attempts at a message a full stream (`discard: new` at `max_msgs` or
   * `max_bytes`) refused.
   * @defaultValue `{ minMs: 5, maxMs: 1000, factor: 2, jitter: 0.2 }`
   */
  readonly retryBackoff?: BackoffOptions | undefined;
  /** The clock of the writer's timers (retries, acknowledgement timeouts). @defaultValue the real clock */
  readonly clock?: Clock | undefined;
}

/** Counters of a JetStream writer since it was made. */
export interface JetStreamWriteStats {
  /** Messages the stream stored. */
  readonly stored: number;
  /** Messages the stream acknowledged as duplicates of ones it holds (same `Nats-Msg-Id`): dropped. */
  readonly duplicates: number;
  /** Refusals by a full stream, each followed by another attempt. */
  readonly refusals: number;
  /** Messages sent again, with their id, after their acknowledgement did not come in time. */
  readonly resent: number;
}
