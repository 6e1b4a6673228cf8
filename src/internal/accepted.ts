/**
 * What a send resolves to when its message went into the mailbox at once: one settled promise
 * shared by every such send, so that a caller can tell by identity that there is nothing to wait
 * for, and go on synchronously instead of spending a turn of the microtask queue on it.
 */
export const ACCEPTED: Promise<void> = Promise.resolve();
