/**
 * A sink held shut: it takes nothing until opened, so the mailboxes before it fill up (backpressure
 * a test can see), then everything at once.
 */
import type { Sink } from '../../src/index.js';

export function heldSink(): { sink: Sink<unknown>; open(): void } {
  let release!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  return { sink: { name: 'held', write: () => opened }, open: () => release() };
}
