import { headers, type Msg, type NatsConnection } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { AsyncPublisher } from '../../src/nats/internal/async-publisher.js';
import { JetStreamWriteError, MessageTooLargeError } from '../../src/index.js';
import { resolveBackoff } from '../../src/supervision/backoff.js';
import { VirtualClock } from '../../src/testing/index.js';

/** A message the publisher sent, as the fake connection saw it. */
interface Sent {
  readonly subject: string;
  readonly reply: string;
  readonly id: string;
  readonly text: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A publisher on a fake connection that records what is sent and lets the test answer each
 * message as the server would, on a virtual clock: no server, no real time.
 */
function harness(options: { maxInFlight?: number; maxPayload?: number } = {}) {
  const sent: Sent[] = [];
  let deliver: ((error: Error | null, msg: Msg) => void) | undefined;
  const maxPayload = options.maxPayload ?? 1_000;
  const nc = {
    info: { max_payload: maxPayload },
    publish(subject: string, data: Uint8Array, opts: { reply: string; headers: ReturnType<typeof headers> }) {
      if (data.length > maxPayload) throw new Error("'payload' max_payload size exceeded");
      sent.push({ subject, reply: opts.reply, id: opts.headers.get('Nats-Msg-Id'), text: decoder.decode(data) });
    },
    subscribe(_subject: string, opts: { callback: (error: Error | null, msg: Msg) => void }) {
      deliver = opts.callback;
      return { unsubscribe: () => undefined, isClosed: () => false };
    },
  } as unknown as NatsConnection;
  const clock = new VirtualClock();
  const publisher = new AsyncPublisher({
    nc,
    headers,
    inbox: '_INBOX.test',
    maxInFlight: options.maxInFlight ?? 4,
    ackTimeoutMs: 1_000,
    backoff: resolveBackoff({ minMs: 10, maxMs: 80, jitter: 0 }, 'retryBackoff'),
    clock,
  });
  const reply = (message: Sent, body: unknown, status?: number): void =>
    deliver?.(null, {
      subject: message.reply,
      data: status === undefined ? encoder.encode(JSON.stringify(body)) : new Uint8Array(),
      headers: status === undefined ? undefined : { code: status, description: 'No Responders' },
    } as unknown as Msg);
  return {
    publisher,
    clock,
    sent,
    /** Answers `message` as stored. */
    store: (message: Sent, duplicate = false) => reply(message, { stream: 'S', seq: 1, duplicate }),
    /** Answers `message` as a full stream does. */
    refuse: (message: Sent) => reply(message, { error: { code: 503, err_code: 10077, description: 'maximum messages exceeded' } }),
    fail: (message: Sent, description: string) => reply(message, { error: { code: 400, err_code: 10060, description } }),
    noResponders: (message: Sent) => reply(message, undefined, 503),
    send: (n: number) => publisher.send('out', encoder.encode(String(n)), `id-${n}`),
  };
}

const at = (sent: readonly Sent[], i: number): Sent => sent[i] as Sent;

describe('AsyncPublisher', () => {
  it('keeps at most maxInFlight unacknowledged, and lets sending resume once half the window is free', async () => {
    const { publisher, sent, store, send } = harness({ maxInFlight: 4 });
    for (let n = 0; n < 4; n++) send(n);
    expect(publisher.ready).toBe(false);
    let resumed = false;
    const waiting = publisher.whenReady().then(() => {
      resumed = true;
    });
    store(at(sent, 0));
    await Promise.resolve();
    expect(resumed).toBe(false);
    store(at(sent, 1));
    await waiting;
    expect(publisher.unacknowledged).toBe(2);
  });

  it('sends a message a full stream refused again after the backoff, oldest first, and nothing new meanwhile', async () => {
    const { publisher, clock, sent, store, refuse, send } = harness({ maxInFlight: 4 });
    for (let n = 0; n < 3; n++) send(n);
    refuse(at(sent, 1));
    refuse(at(sent, 0));
    store(at(sent, 2));
    expect(publisher.ready).toBe(false);
    await clock.advance(9);
    expect(sent).toHaveLength(3);
    await clock.advance(1);
    // The oldest refused goes first, alone; when it is stored, the next goes at once.
    expect(sent.slice(3).map((m) => m.id)).toEqual(['id-0']);
    refuse(at(sent, 3));
    await clock.advance(19);
    expect(sent).toHaveLength(4);
    await clock.advance(1);
    expect(at(sent, 4).id).toBe('id-0');
    store(at(sent, 4));
    expect(at(sent, 5).id).toBe('id-1');
    store(at(sent, 5));
    expect(publisher.ready).toBe(true);
    await publisher.settle();
    expect(publisher.stats()).toEqual({ stored: 3, duplicates: 0, refusals: 3, resent: 0 });
  });

  it('sends again, with the same id, a message whose acknowledgement is late, and ignores the late one', async () => {
    const { publisher, clock, sent, store, send } = harness();
    send(0);
    send(1);
    store(at(sent, 1));
    await clock.advance(999);
    expect(sent).toHaveLength(2);
    await clock.advance(1);
    expect(at(sent, 2)).toMatchObject({ id: 'id-0', reply: at(sent, 0).reply });
    store(at(sent, 0));
    store(at(sent, 2), true);
    await publisher.settle();
    expect(publisher.stats()).toEqual({ stored: 2, duplicates: 0, refusals: 0, resent: 1 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('counts duplicates the stream dropped', async () => {
    const { publisher, sent, store, send } = harness();
    send(0);
    store(at(sent, 0), true);
    await publisher.settle();
    expect(publisher.stats()).toMatchObject({ stored: 0, duplicates: 1 });
  });

  it('fails on any other refusal: every later call rejects with it', async () => {
    const { publisher, sent, fail, send } = harness();
    send(0);
    fail(at(sent, 0), 'expected stream does not match');
    await expect(publisher.settle()).rejects.toThrow(JetStreamWriteError);
    await expect(publisher.whenReady()).rejects.toThrow(/expected stream does not match \(JetStream error 10060\)/);
    expect(() => send(1)).toThrow(JetStreamWriteError);
  });

  it('fails when no stream takes the subject', async () => {
    const { publisher, sent, noResponders, send } = harness();
    send(0);
    noResponders(at(sent, 0));
    await expect(publisher.settle()).rejects.toThrow(/no stream takes this subject/);
  });

  it('refuses a message over the server’s max_payload, naming its size with headers and the limit', () => {
    const { send, publisher } = harness({ maxPayload: 10 });
    const failure = (() => {
      try {
        publisher.send('out', new Uint8Array(11), 'id-x');
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(MessageTooLargeError);
    // 11 bytes of payload, and `NATS/1.0\r\nNats-Msg-Id: id-x\r\n\r\n`.
    expect(failure).toMatchObject({ bytes: 11 + 31, maxPayload: 10, subject: 'out' });
    expect(() => send(1)).not.toThrow();
  });

  it('clears its timers and rejects further calls once closed', async () => {
    const { publisher, clock, send } = harness();
    send(0);
    expect(clock.pendingTimers).toBe(1);
    publisher.close();
    expect(clock.pendingTimers).toBe(0);
    await expect(publisher.settle()).rejects.toThrow(/closed/);
  });
});
