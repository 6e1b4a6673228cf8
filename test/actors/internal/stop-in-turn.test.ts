import { describe, expect, it } from 'vitest';
import { stopInTurn } from '../../../src/actors/internal/stop-in-turn.js';
import type { ChildCell, StopMode } from '../../../src/actors/internal/system-services.js';
import type { StopReason } from '../../../src/actors/terminated.js';

/** A child whose stop ends when the test says so, or has ended already. */
class FakeChild {
  requested: { mode: StopMode; reason: StopReason } | undefined;
  #next: (() => void) | undefined;

  constructor(
    readonly name: string,
    readonly log: string[],
    public ended = false,
  ) {}

  stopThen(mode: StopMode, reason: StopReason, next: () => void): boolean {
    this.requested ??= { mode, reason };
    if (this.ended) return true;
    this.log.push(`stop ${this.name}`);
    this.#next = next;
    return false;
  }

  end(): void {
    this.ended = true;
    this.log.push(`ended ${this.name}`);
    this.#next?.();
  }
}

const asCells = (children: FakeChild[]): ChildCell[] => children as unknown as ChildCell[];

describe('stopInTurn', () => {
  it('stops the last started first, each once the one started after it has stopped', async () => {
    const log: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((name) => new FakeChild(name, log)) as [FakeChild, FakeChild, FakeChild];
    let done = false;
    const stopped = stopInTurn(asCells([a, b, c]), 'drain', 'shutdown').then(() => (done = true));
    expect(log).toEqual(['stop c']);
    c.end();
    expect(log).toEqual(['stop c', 'ended c', 'stop b']);
    b.end();
    a.end();
    await stopped;
    expect(done).toBe(true);
    expect(log).toEqual(['stop c', 'ended c', 'stop b', 'ended b', 'stop a', 'ended a']);
    expect([a, b, c].map((child) => child.requested)).toEqual(Array(3).fill({ mode: 'drain', reason: 'shutdown' }));
  });

  it('passes over children that have stopped already, however many, without a call each on the stack', async () => {
    const log: string[] = [];
    const children = Array.from({ length: 200_000 }, (_, i) => new FakeChild(`c${i}`, log, true));
    const last = new FakeChild('last', log);
    const stopped = stopInTurn(asCells([last, ...children]), 'discard', 'shutdown');
    expect(log).toEqual(['stop last']);
    last.end();
    await stopped;
    expect(children.every((child) => child.requested?.reason === 'shutdown')).toBe(true);
  });

  it('resolves at once for no children', async () => {
    await expect(stopInTurn([], 'discard', 'shutdown')).resolves.toBeUndefined();
  });
});
