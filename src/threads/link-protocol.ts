/**
 * The link's wire protocol between two threads, one `MessagePort` each way: the sender posts
 * messages, each taking one credit; the receiver posts credits back, as many as it has room for at
 * first and one more each time it has passed a message on. A sender out of credits waits, so no
 * more messages are ever in flight than the receiver has room for: backpressure and bounded memory
 * hold across the threads as they do between actors of one thread.
 */
import type { Frame } from './link-frames.js';

/** Sender to receiver. */
export type Downstream = { readonly type: 'message'; readonly frame: Frame } | { readonly type: 'close' };

/** Receiver to sender. */
export type Upstream = { readonly type: 'credit'; readonly credits: number } | { readonly type: 'close' };

/** A link was closed (by either side) while a message was waiting to go, or was sent after. */
export class LinkClosedError extends Error {
  constructor(what: string) {
    super(`the link is closed: ${what}`);
    this.name = 'LinkClosedError';
  }
}
