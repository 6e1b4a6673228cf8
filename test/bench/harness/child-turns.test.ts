import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { turnTaker, type ParentChannel } from '../../../bench/harness/child-turns.js';
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
  it('asks the parent for a turn and waits for its go-ahead, ignoring any other message', async () => {
    const parent = channel();
    const awaitTurn = turnTaker(parent);
    let started = false;
    const turn = awaitTurn().then(() => (started = true));
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
    const awaitTurn = turnTaker(parent);
    for (let run = 1; run <= 3; run++) {
      const turn = awaitTurn();
      expect(parent.sent).toHaveLength(run);
      parent.emitter.emit('message', { kind: 'go' });
      await turn;
    }
    expect(parent.emitter.listenerCount('message')).toBe(0);
  });
});
