/**
 * Streams for the JetStream tests: each test makes its own, uniquely named, and deletes it at the
 * end, so tests never see each other's messages and a failed run leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';

/** A stream made for one test. */
export interface TestStream {
  readonly name: string;
  /** The stream takes `<subject>.>` (and nothing else). */
  readonly subject: string;
  readonly nc: NatsConnection;
  readonly jsm: JetStreamManager;
  /** Publishes each payload (JSON of a value, or raw bytes) on `<subject>.<suffix>`, awaiting each ack. */
  publish(values: readonly unknown[], suffix?: string): Promise<void>;
  /** Every message the stream holds, as `{ seq, subject, text }`, in order. */
  messages(): Promise<{ seq: number; subject: string; text: string }[]>;
  /** Deletes the stream and closes the connection. */
  remove(): Promise<void>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh stream on the server at `url`, named `T_<label>_<random>`, with `config` on top of the defaults. */
export async function testStream(url: string, label: string, config: Partial<StreamConfig> = {}): Promise<TestStream> {
  const name = `T_${label}_${randomBytes(5).toString('hex')}`;
  const subject = name.toLowerCase();
  const nc = await connect({ servers: url });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name, subjects: [`${subject}.>`], ...config });
  const js = jetstream(nc);
  return {
    name,
    subject,
    nc,
    jsm,
    async publish(values, suffix = 'in') {
      for (const value of values) {
        await js.publish(`${subject}.${suffix}`, value instanceof Uint8Array ? value : encoder.encode(JSON.stringify(value)));
      }
    },
    async messages() {
      const info = await jsm.streams.info(name);
      const found: { seq: number; subject: string; text: string }[] = [];
      if (info.state.messages === 0) return found;
      const consumer = await js.consumers.get(name);
      const batch = await consumer.fetch({ max_messages: info.state.messages, expires: 5_000 });
      for await (const msg of batch) {
        found.push({ seq: msg.seq, subject: msg.subject, text: decoder.decode(msg.data) });
        if (msg.info.pending === 0) break;
      }
      await consumer.delete().catch(() => undefined);
      return found;
    },
    async remove() {
      try {
        await jsm.streams.delete(name);
      } finally {
        await nc.close();
      }
    },
  };
}
