import { EventEmitter, once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { turnTaker, untilQuiet, type ParentChannel } from '../../../bench/harness/child-turns.js';
import type { TurnRequest } from '../../../bench/harness/child-protocol.js';

/** A parent channel whose sent messages are kept and whose incoming messages a test emits. */
function channel(): ParentChannel & { sent: TurnRequest[]; emitter: EventEmitter } {
  const emitter = new EventEmitter();
  const sent: TurnRequest[] = [];
  return {
    sent,
    emitter,
    send: (message) => sent.push(message),
    once: (event, listener) => emitter.once(event, listener),
  };
}

describe('turnTaker', () => {
  it('waits for its process to be quiet, then asks the parent for a turn and waits for its go-ahead, ignoring any other message', async () => {
    const parent = channel();
    let quiet!: () => void;
    const awaitTurn = turnTaker(parent, () => new Promise((resolve) => (quiet = resolve)));
    let started = false;
    const turn = awaitTurn().then(() => (started = true));
    await Promise.resolve();
    expect(parent.sent).toEqual([]);
    quiet();
    await new Promise((resolve) => setImmediate(resolve));
    expect(parent.sent).toEqual([{ kind: 'turn' }]);
    parent.emitter.emit('message', { kind: 'something else' });
    parent.emitter.emit('message', null);
    await Promise.resolve();
    expect(started).toBe(false);
    parent.emitter.emit('message', { kind: 'go' });
    await turn;
    expect(started).toBe(true);
  });

  it('asks afresh for every run', async () => {
    const parent = channel();
    const awaitTurn = turnTaker(parent, async () => undefined);
    for (let run = 1; run <= 3; run++) {
      const turn = awaitTurn();
      await new Promise((resolve) => setImmediate(resolve));
      expect(parent.sent).toHaveLength(run);
      parent.emitter.emit('message', { kind: 'go' });
      await turn;
    }
    expect(parent.emitter.listenerCount('message')).toBe(0);
  });
});

describe('untilQuiet', () => {
  it('resolves in an idle process, and in a process with a busy thread only once its limit has passed', async () => {
    await untilQuiet(60_000);
    const spinning = new Worker("require('node:worker_threads').parentPort.postMessage('spinning'); for (;;) {}", { eval: true });
    try {
      await once(spinning, 'message');
      const started = performance.now();
      await untilQuiet(300);
      expect(performance.now() - started).toBeGreaterThanOrEqual(300);
    } finally {
      await spinning.terminate();
    }
  });
});
