/**
 * The subjects and frames of durable links: a link's messages are stored in the job's link stream
 * (`link-stream.ts`) under `<links>.d.<epoch>.<to>.<from>`, so a receiver reads everything sent to
 * it through one ordered consumer (`<links>.d.*.<to>.*`), in the order the stream holds it, and a
 * purge of `<links>.d.<epoch>.>` drops a whole epoch once a checkpoint no longer needs it. Credits
 * go back over core NATS on `<links>.c.<to>.<from>`, and a sender asks for them on `<links>.h.<to>`.
 *
 * A frame is `[incarnation, first, messages]`: the incarnation of the sender that published it (a
 * sender restarted elsewhere is a later one), the index of its first message in that incarnation,
 * and the messages, each packed on its own when it was sent (so it is encoded once, and decoded only
 * where it is delivered); a message too large for one stream message goes as `[incarnation, first, null,
 * part, parts]` frames, each with a slice of its bytes.
 */
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr({ ...MSGPACK_OPTIONS, copyBuffers: true });

/** Where one link's frames and credits go: the run's link prefix, and its two ends' names (subject tokens). */
export interface DurableLinkAddress {
  /** `sluice.<job>.links.<run>`. */
  readonly prefix: string;
  readonly to: string;
  readonly from: string;
}

/** The subject of a link's frames sent in `epoch` (after checkpoint `epoch`'s barrier). */
export function frameSubject(address: DurableLinkAddress, epoch: number): string {
  return `${address.prefix}.d.${epoch}.${address.to}.${address.from}`;
}

/** The subject the receiver grants a link's credits on. */
export function creditSubject(address: DurableLinkAddress): string {
  return `${address.prefix}.c.${address.to}.${address.from}`;
}

/** The subject senders to `to` ask for credits on. */
export function helloSubject(prefix: string, to: string): string {
  return `${prefix}.h.${to}`;
}

/** Every frame sent to `to`, in any epoch, from any sender. */
export function inboxFilter(prefix: string, to: string): string {
  return `${prefix}.d.*.${to}.*`;
}

/** Every frame of `epoch`, to purge it. */
export function epochFilter(prefix: string, epoch: number): string {
  return `${prefix}.d.${epoch}.>`;
}

/** The epoch and sender of a frame stored under `subject`; undefined when it is no frame subject. */
export function frameOrigin(subject: string): { readonly epoch: number; readonly from: string } | undefined {
  const tokens = subject.split('.');
  const epoch = Number(tokens.at(-3));
  const from = tokens.at(-1);
  return tokens.at(-4) === 'd' && Number.isInteger(epoch) && from !== undefined ? { epoch, from } : undefined;
}

/** A frame as read back: whole messages, or one part of a large one. */
export type LinkFrame =
  | { readonly kind: 'messages'; readonly incarnation: number; readonly first: number; readonly messages: readonly Uint8Array[] }
  | { readonly kind: 'part'; readonly incarnation: number; readonly first: number; readonly part: number; readonly parts: number; readonly bytes: Uint8Array };

/** The bytes of a frame holding `messages`, each packed by {@link packMessage}. */
export function packMessages(incarnation: number, first: number, messages: readonly Uint8Array[]): Uint8Array {
  return packr.pack([incarnation, first, messages]);
}

/** `message` packed alone, to be cut into parts when it does not fit a frame. */
export function packMessage(message: unknown): Uint8Array {
  return Uint8Array.from(packr.pack(message));
}

/** The bytes of part `part` (0 up) of `parts` of a large message. */
export function packPart(incarnation: number, first: number, part: number, parts: number, bytes: Uint8Array): Uint8Array {
  return packr.pack([incarnation, first, null, part, parts, bytes]);
}

/** A message from its bytes (a frame's, or a large message's parts put back together). */
export function unpackMessage(bytes: Uint8Array): unknown {
  return unpackr.unpack(bytes);
}

/** The frame in `data`; undefined when it is not one. */
export function unpackFrame(data: Uint8Array): LinkFrame | undefined {
  let frame: unknown;
  try {
    frame = unpackr.unpack(data);
  } catch {
    return undefined;
  }
  if (!Array.isArray(frame) || !Number.isInteger(frame[0]) || !Number.isInteger(frame[1])) return undefined;
  const [incarnation, first, messages, part, parts, bytes] = frame as [number, number, unknown, unknown, unknown, unknown];
  if (Array.isArray(messages) && messages.every((message) => message instanceof Uint8Array)) {
    return { kind: 'messages', incarnation, first, messages: messages as Uint8Array[] };
  }
  if (messages === null && Number.isInteger(part) && Number.isInteger(parts) && bytes instanceof Uint8Array) {
    return { kind: 'part', incarnation, first, part: part as number, parts: parts as number, bytes };
  }
  return undefined;
}
