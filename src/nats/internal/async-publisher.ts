/**
 * Publishing to JetStream with many messages in flight and no promise, timer or request per
 * message: each message is a core publish whose reply subject is one of ours, and one subscription
 * takes every acknowledgement. (The client's `js.publish` makes a request per message: about 20k
 * messages/s here however many are in flight, against about 150k this way.)
 *
 * Invariants:
 * - at most `maxInFlight` messages are unacknowledged: sent, or refused and waiting to go again;
 * - a message the stream refused for being full (a `discard: new` stream at its `max_msgs` or
 *   `max_bytes`) goes again, oldest first and one at a time, after a backoff, until the stream
 *   takes it, and nothing new is sent meanwhile: a full stream is backpressure, never a drop. Order
 *   holds except across a refusal while later messages were already on their way (they may be
 *   stored first);
 * - a message whose acknowledgement has not come after `ackTimeoutMs` (lost in a reconnect) goes
 *   again with the same `Nats-Msg-Id`, which the stream stores once;
 * - any other refusal is a failure, and every later call rejects with it.
 */
import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/nats-core';
import type { Clock, TimerHandle } from '../../clock.js';
import { JetStreamWriteError, MessageTooLargeError } from '../../errors.js';
import { backoffDelay, type ResolvedBackoff } from '../../supervision/backoff.js';
import type { JetStreamWriteStats } from '../jetstream-writing.js';

/** What a publisher needs: the connection and client functions, and its settings. */
export interface PublisherSetup {
  readonly nc: NatsConnection;
  /** The client's `headers()`. */
  readonly headers: () => MsgHdrs;
  /** A fresh inbox (the client's `createInbox()`): acknowledgements come to `<inbox>.<n>`. */
  readonly inbox: string;
  readonly maxInFlight: number;
  readonly ackTimeoutMs: number;
  /** Between attempts at a message a full stream refused. */
  readonly backoff: ResolvedBackoff;
  readonly clock: Clock;
  /** Sent as `Nats-Expected-Stream`: the server refuses a message another stream would take. */
  readonly expectedStream?: string | undefined;
  /** Called the first time a stream acknowledges a message. */
  readonly onStream?: ((stream: string) => void) | undefined;
}

interface Outgoing {
  readonly token: number;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly headers: MsgHdrs;
  sentAt: number;
}

/** An acknowledgement's JSON: the stream and sequence, or the error. */
interface PubAckJson {
  readonly stream?: string;
  readonly duplicate?: boolean;
  readonly error?: { readonly code?: number; readonly err_code?: number; readonly description?: string };
}

/** JetStream's "stream store failed" code; with a description naming a limit, the stream is full. */
const STORE_FAILED = 10077;
const FULL = /^maximum (messages|bytes|messages per subject) exceeded$/;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The size of `headers` on the wire: `NATS/1.0`, a `key: value` line each, an empty line. */
function headerBytes(headers: MsgHdrs): number {
  let bytes = 12;
  for (const key of headers.keys()) for (const value of headers.values(key)) bytes += encoder.encode(`${key}: ${value}\r\n`).length;
  return bytes;
}

/** Publishes to JetStream with many messages in flight; see the invariants above. */
export class AsyncPublisher {
  readonly #setup: PublisherSetup;
  readonly #prefix: string;
  readonly #sub: Subscription;
  /** Sent and not yet acknowledged, oldest first (a message sent again moves to the end). */
  readonly #inFlight = new Map<number, Outgoing>();
  /** Refused by a full stream, in the order they were first sent. */
  readonly #refused: Outgoing[] = [];
  /** The refused message on its way again, if one is. */
  #retrying: Outgoing | undefined;
  /** Refusals in a row of the message being retried. */
  #attempt = 0;
  #retryTimer: TimerHandle | undefined;
  #ackTimer: TimerHandle | undefined;
  #nextToken = 1;
  #failed: { readonly error: unknown } | undefined;
  #waiters: (() => void)[] = [];
  readonly #streams = new Set<string>();
  #stats = { stored: 0, duplicates: 0, refusals: 0, resent: 0 };

  constructor(setup: PublisherSetup) {
    this.#setup = setup;
    this.#prefix = `${setup.inbox}.`;
    this.#sub = setup.nc.subscribe(`${setup.inbox}.*`, { callback: (error, msg) => this.#onReply(error, msg) });
  }

  /** Whether `send` may be called now: there is room, no refused message waits, nothing failed. */
  get ready(): boolean {
    return this.#failed === undefined && this.#refused.length === 0 && this.#retrying === undefined && this.#inFlight.size < this.#setup.maxInFlight;
  }

  /** Messages sent and not yet stored, refused ones included. */
  get unacknowledged(): number {
    return this.#inFlight.size + this.#refused.length;
  }

  stats(): JetStreamWriteStats {
    return { ...this.#stats };
  }

  /**
   * Resolves once `ready` with half the window free: sending resumes in runs the client writes to
   * the socket together, rather than one message per acknowledgement (a third of the rate).
   * @throws (rejects) the failure, once there is one.
   */
  async whenReady(): Promise<void> {
    while (!this.ready || this.#inFlight.size > this.#setup.maxInFlight >>> 1) {
      this.#throwIfFailed();
      await this.#change();
    }
  }

  /**
   * Resolves once every message sent has been stored (or found a duplicate).
   * @throws (rejects) the failure, once there is one.
   */
  async settle(): Promise<void> {
    for (;;) {
      this.#throwIfFailed();
      if (this.unacknowledged === 0) return;
      await this.#change();
    }
  }

  /**
   * Sends one message; call only when `ready`.
   * @throws MessageTooLargeError when the message is over the server's `max_payload`; the failure,
   *   once there is one.
   */
  send(subject: string, data: Uint8Array, msgId: string): void {
    this.#throwIfFailed();
    const headers = this.#setup.headers();
    headers.set('Nats-Msg-Id', msgId);
    if (this.#setup.expectedStream !== undefined) headers.set('Nats-Expected-Stream', this.#setup.expectedStream);
    this.#transmit({ token: this.#nextToken++, subject, data, headers, sentAt: 0 });
  }

  /** Stops taking acknowledgements and clears every timer; later calls reject. Idempotent. */
  close(): void {
    if (this.#failed === undefined) this.#failed = { error: new JetStreamWriteError('(closed)', 'the publisher was closed') };
    this.#clearTimers();
    if (!this.#sub.isClosed()) this.#sub.unsubscribe();
    this.#wake();
  }

  #transmit(out: Outgoing): void {
    const { nc } = this.#setup;
    try {
      nc.publish(out.subject, out.data, { reply: this.#prefix + out.token, headers: out.headers });
    } catch (error) {
      const maxPayload = nc.info?.max_payload;
      const bytes = out.data.length + headerBytes(out.headers);
      if (maxPayload !== undefined && bytes > maxPayload) throw new MessageTooLargeError(out.subject, bytes, maxPayload);
      throw error;
    }
    out.sentAt = this.#setup.clock.now();
    this.#inFlight.set(out.token, out);
    this.#armAckTimer();
  }

  #onReply(error: Error | null, msg: Msg): void {
    if (error !== null) return this.#fail(new JetStreamWriteError(this.#setup.inbox, 'the acknowledgements could not be received', error));
    const out = this.#inFlight.get(Number(msg.subject.slice(this.#prefix.length)));
    // An acknowledgement of a message already acknowledged once (it was sent again).
    if (out === undefined) return;
    this.#inFlight.delete(out.token);
    if (this.#inFlight.size === 0 && this.#ackTimer !== undefined) {
      this.#setup.clock.clearTimeout(this.#ackTimer);
      this.#ackTimer = undefined;
    }
    const ack = this.#parse(out, msg);
    if (ack === undefined) return;
    const refusal = ack.error;
    if (refusal !== undefined) {
      const description = refusal.description ?? 'refused';
      if (refusal.err_code === STORE_FAILED && FULL.test(description)) return this.#refuse(out);
      return this.#fail(new JetStreamWriteError(out.subject, `${description} (JetStream error ${refusal.err_code ?? refusal.code ?? '?'})`));
    }
    if (ack.duplicate === true) this.#stats.duplicates++;
    else this.#stats.stored++;
    if (ack.stream !== undefined && !this.#streams.has(ack.stream)) {
      this.#streams.add(ack.stream);
      this.#setup.onStream?.(ack.stream);
    }
    if (out === this.#retrying) {
      // The stream has room again: the next refused message goes at once.
      this.#retrying = undefined;
      this.#attempt = 0;
      this.#retryNext();
    }
    this.#wake();
  }

  /** The acknowledgement in `msg`, or undefined after failing on a status or an unreadable reply. */
  #parse(out: Outgoing, msg: Msg): PubAckJson | undefined {
    if (msg.data.length === 0) {
      const code = msg.headers?.code;
      const reason =
        code === 503
          ? 'no stream takes this subject (no responders)'
          : `the server answered with status ${code ?? '?'} ${msg.headers?.description ?? ''}`.trim();
      this.#fail(new JetStreamWriteError(out.subject, reason));
      return undefined;
    }
    try {
      return JSON.parse(decoder.decode(msg.data)) as PubAckJson;
    } catch (error) {
      this.#fail(new JetStreamWriteError(out.subject, 'the acknowledgement could not be read', error));
      return undefined;
    }
  }

  /** A full stream refused `out`: it waits, in first-sent order, for another attempt. */
  #refuse(out: Outgoing): void {
    this.#stats.refusals++;
    let at = this.#refused.length;
    while (at > 0 && (this.#refused[at - 1] as Outgoing).token > out.token) at--;
    this.#refused.splice(at, 0, out);
    if (out === this.#retrying) {
      this.#retrying = undefined;
      this.#attempt++;
    }
    if (this.#retrying === undefined && this.#retryTimer === undefined) {
      const delay = backoffDelay(this.#attempt, this.#setup.backoff, Math.random());
      this.#retryTimer = this.#setup.clock.setTimeout(() => this.#retryNext(), delay, { keepAlive: false });
    }
    this.#wake();
  }

  /** Sends the oldest refused message again, or lets new ones go when none is left. */
  #retryNext(): void {
    this.#retryTimer = undefined;
    if (this.#failed !== undefined) return;
    const next = this.#refused.shift();
    if (next === undefined) return this.#wake();
    this.#retrying = next;
    try {
      this.#transmit(next);
    } catch (error) {
      this.#fail(error);
    }
  }

  #armAckTimer(): void {
    if (this.#ackTimer !== undefined || this.#inFlight.size === 0) return;
    const oldest = this.#inFlight.values().next().value as Outgoing;
    const delay = Math.max(1, oldest.sentAt + this.#setup.ackTimeoutMs - this.#setup.clock.now());
    // The connection keeps the process alive while anything is in flight; the timer need not.
    this.#ackTimer = this.#setup.clock.setTimeout(() => this.#resendLate(), delay, { keepAlive: false });
  }

  /** Sends again every message whose acknowledgement is overdue, with its id: stored once either way. */
  #resendLate(): void {
    this.#ackTimer = undefined;
    if (this.#failed !== undefined) return;
    const now = this.#setup.clock.now();
    const late: Outgoing[] = [];
    for (const out of this.#inFlight.values()) {
      if (now - out.sentAt < this.#setup.ackTimeoutMs) break;
      late.push(out);
    }
    try {
      for (const out of late) {
        this.#inFlight.delete(out.token);
        this.#stats.resent++;
        this.#transmit(out);
      }
    } catch (error) {
      return this.#fail(error);
    }
    this.#armAckTimer();
  }

  #fail(error: unknown): void {
    this.#failed ??= { error };
    this.#clearTimers();
    this.#wake();
  }

  #throwIfFailed(): void {
    if (this.#failed !== undefined) throw this.#failed.error;
  }

  #clearTimers(): void {
    if (this.#retryTimer !== undefined) this.#setup.clock.clearTimeout(this.#retryTimer);
    if (this.#ackTimer !== undefined) this.#setup.clock.clearTimeout(this.#ackTimer);
    this.#retryTimer = undefined;
    this.#ackTimer = undefined;
  }

  #change(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #wake(): void {
    if (this.#waiters.length === 0) return;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
