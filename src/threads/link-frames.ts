/**
 * How a message crosses to another thread on a link (issue 20's first piece): as itself, by
 * structured clone, when everything in it is a primitive (an array of strings clones for about a
 * tenth of a microsecond a record); otherwise encoded with msgpackr, the snapshot codec, into bytes
 * whose buffer is transferred, not copied (cloning an array of objects costs 0.6–0.85 µs a record
 * here, encoding about 0.4). Either way the receiver gets its own copy: nothing is shared between
 * threads. What crosses is what a checkpoint keeps: Maps, Sets, Dates and bigints survive, a class
 * instance arrives as a plain object and a function as undefined, and a symbol is refused.
 */
import { Packr, Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';

const packr = new Packr(MSGPACK_OPTIONS);
const unpackr = new Unpackr({ ...MSGPACK_OPTIONS, copyBuffers: true });

/** A message on its way: plain (cloned) or encoded (its bytes' buffer transferred). */
export type Frame = { readonly kind: 'plain'; readonly message: unknown } | { readonly kind: 'encoded'; readonly bytes: Uint8Array };

/** Whether `value` clones as cheaply as it can: a primitive (not a symbol or a function). */
function primitive(value: unknown): boolean {
  return (
    value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
  );
}

/** Whether every value of `message` (an object of primitives and arrays of primitives) is a primitive. */
function flat(message: unknown): boolean {
  if (primitive(message)) return true;
  if (typeof message !== 'object' || Object.getPrototypeOf(message) !== Object.prototype) return false;
  for (const value of Object.values(message as Record<string, unknown>)) {
    if (primitive(value)) continue;
    if (!Array.isArray(value)) return false;
    for (let i = 0; i < value.length; i++) if (!primitive(value[i])) return false;
  }
  return true;
}

/**
 * The frame `message` crosses in, and the buffers to transfer with it.
 *
 * @example
 * ```ts
 * const { frame, transfer } = toFrame({ type: 'batch', from: 0, entries: [{ word: 'a' }] });
 * port.postMessage(frame, transfer);
 * ```
 */
export function toFrame(message: unknown): { readonly frame: Frame; readonly transfer: ArrayBuffer[] } {
  if (flat(message)) return { frame: { kind: 'plain', message }, transfer: [] };
  // The packer writes into a buffer it reuses: the frame takes a copy of its own to transfer.
  const packed = packr.pack(message);
  const bytes = new Uint8Array(packed.length);
  bytes.set(packed);
  return { frame: { kind: 'encoded', bytes }, transfer: [bytes.buffer] };
}

/** The message a frame carried. */
export function fromFrame(frame: Frame): unknown {
  return frame.kind === 'plain' ? frame.message : unpackr.unpack(frame.bytes);
}
