/**
 * A two-way channel between two processes over core NATS: one subject each way. It is a
 * {@link LinkPort}, so a job's links and control messages run between processes exactly as they
 * run between threads, credits and all.
 *
 * Core NATS delivers in order from one connection but keeps nothing for a subscriber that is not
 * there yet, and loses what was in flight when a server restarts. So each end says hello until the
 * other has answered (nothing is sent before that), every value carries its number in its
 * direction, and a gap, like a connection that lost the server, breaks the channel: its ends hear
 * `close`, and the run over it starts again from its last checkpoint, never going on with a hole.
 * A value larger than the server's payload limit goes in parts.
 */
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import type { LinkPort } from '../threads/link-port.js';

/** The subjects of one end: where it sends, and where it listens. Plain data, so it can travel in a setup. */
export interface NatsPortAddress {
  readonly sluiceNatsPort: true;
  readonly out: string;
  readonly in: string;
}

/** Whether `value` is a {@link NatsPortAddress}. */
export function isNatsPortAddress(value: unknown): value is NatsPortAddress {
  return typeof value === 'object' && value !== null && (value as Partial<NatsPortAddress>).sluiceNatsPort === true;
}

/** The two ends of a channel on subjects under `prefix`. */
export function natsChannelAddresses(prefix: string): { readonly port1: NatsPortAddress; readonly port2: NatsPortAddress } {
  const a = `${prefix}.a`;
  const b = `${prefix}.b`;
  return { port1: { sluiceNatsPort: true, out: a, in: b }, port2: { sluiceNatsPort: true, out: b, in: a } };
}

const HELLO = 0;
const ANSWER = 1;
const VALUE = 2;
const PART = 3;
const CLOSE = 4;

/** Bytes a frame's header may take beside its body, kept free under the payload limit. */
const HEADER_ROOM = 256;

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr({ ...MSGPACK_OPTIONS, copyBuffers: true });

type Listener = (value: unknown) => void;

/** One end of a channel over NATS, bound to a connection. */
export class NatsPort implements LinkPort {
  readonly address: NatsPortAddress;
  readonly #nc: NatsConnection;
  readonly #maxBody: number;
  #subscription: Subscription | undefined;
  readonly #messageListeners: Listener[] = [];
  readonly #closeListeners: (() => void)[] = [];
  /** Values waiting for the other end's hello. */
  #queued: unknown[] = [];
  #peerReady = false;
  #answered = false;
  #sent = 0;
  #received = 0;
  /** The parts of a value being put back together. */
  #parts: Uint8Array[] = [];
  #closed = false;

  constructor(nc: NatsConnection, address: NatsPortAddress) {
    this.#nc = nc;
    this.address = address;
    this.#maxBody = Math.max(1024, (nc.info?.max_payload ?? 1024 * 1024) - HEADER_ROOM);
  }

  /** Starts listening and says hello; the first use of the port does this. */
  #open(): void {
    if (this.#subscription !== undefined || this.#closed) return;
    this.#subscription = this.#nc.subscribe(this.address.in, { callback: (error, msg) => (error === null ? this.#arrived(msg.data) : this.#break()) });
    this.#publish([HELLO]);
  }

  postMessage(value: unknown): void {
    if (this.#closed) return;
    this.#open();
    if (!this.#peerReady) {
      this.#queued.push(value);
      return;
    }
    this.#send(value);
  }

  on(event: 'message' | 'close', listener: (value: never) => void): this {
    if (event === 'message') {
      this.#messageListeners.push(listener as Listener);
      this.#open();
    } else if (this.#closed) {
      // Closed before anyone listened (its run was broken before it started): still heard.
      queueMicrotask(listener as () => void);
    } else this.#closeListeners.push(listener as () => void);
    return this;
  }

  /** Closes this end and tells the other. */
  close(): void {
    if (this.#closed) return;
    if (this.#subscription !== undefined) this.#publish([CLOSE]);
    this.#shut();
  }

  /** A NATS connection is not held open by one port: the worker closes its connection when it is done. */
  unref(): void {}

  /** The channel can no longer be trusted (a value went missing, the connection lost its server): both ends hear `close`. */
  break(): void {
    this.#break();
  }

  #break(): void {
    if (this.#closed) return;
    if (this.#subscription !== undefined && !this.#nc.isClosed()) this.#publish([CLOSE]);
    this.#shut();
  }

  #shut(): void {
    this.#closed = true;
    this.#queued = [];
    this.#subscription?.unsubscribe();
    for (const listener of this.#closeListeners) listener();
  }

  #send(value: unknown): void {
    const body = packr.pack(value);
    const seq = ++this.#sent;
    if (body.length <= this.#maxBody) {
      this.#publish([VALUE, seq, body]);
      return;
    }
    const count = Math.ceil(body.length / this.#maxBody);
    for (let i = 0; i < count; i++) this.#publish([PART, seq, body.subarray(i * this.#maxBody, (i + 1) * this.#maxBody), count - 1 - i]);
  }

  #publish(frame: readonly unknown[]): void {
    try {
      this.#nc.publish(this.address.out, packr.pack(frame));
    } catch {
      // The connection is closed or draining: nothing more can go, the channel is broken.
      queueMicrotask(() => this.#break());
    }
  }

  #arrived(data: Uint8Array): void {
    if (this.#closed) return;
    let frame: unknown[];
    try {
      frame = unpackr.unpack(data) as unknown[];
    } catch {
      return this.#break();
    }
    switch (frame[0]) {
      case HELLO:
      case ANSWER:
        if (frame[0] === HELLO && !this.#answered) {
          this.#answered = true;
          this.#publish([ANSWER]);
        }
        if (!this.#peerReady) {
          this.#peerReady = true;
          const queued = this.#queued;
          this.#queued = [];
          for (const value of queued) this.#send(value);
        }
        return;
      case CLOSE:
        return this.#shut();
      case VALUE:
      case PART: {
        if (frame[1] !== this.#received + 1) return this.#break();
        if (frame[0] === PART) {
          this.#parts.push(frame[2] as Uint8Array);
          if (frame[3] !== 0) return;
        }
        this.#received++;
        const body = frame[0] === VALUE ? (frame[2] as Uint8Array) : joined(this.#parts);
        this.#parts = [];
        const value = unpackr.unpack(body) as unknown;
        for (const listener of this.#messageListeners) listener(value);
        return;
      }
      default:
        return this.#break();
    }
  }
}

function joined(parts: readonly Uint8Array[]): Uint8Array {
  const whole = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}

/** The ports a process opened for one run, so that all of them go when it ends. */
export class NatsPorts {
  readonly #nc: NatsConnection;
  readonly #open = new Set<NatsPort>();
  #broken = false;

  constructor(nc: NatsConnection) {
    this.#nc = nc;
  }

  /** A port at `address`, on this process's connection; broken from the start once the run is. */
  open(address: NatsPortAddress): NatsPort {
    const port = new NatsPort(this.#nc, address);
    if (this.#broken) port.break();
    else this.#open.add(port);
    return port;
  }

  /** Breaks every port of the run, now and to come: their ends here and there hear `close`. */
  breakAll(): void {
    this.#broken = true;
    for (const port of this.#open) port.break();
    this.#open.clear();
  }
}
