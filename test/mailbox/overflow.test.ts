import { describe, expect, it } from 'vitest';
import { OVERFLOW_POLICIES, overflowAction, type OverflowAction, type OverflowPolicy } from '../../src/mailbox/overflow.js';

const EXPECTED: Record<OverflowPolicy, OverflowAction> = {
  backpressure: 'wait',
  'drop-newest': 'drop-new',
  'drop-oldest': 'evict-oldest',
  fail: 'throw',
};

describe('overflowAction', () => {
  it.each(Object.entries(EXPECTED))('maps %s to %s', (policy, action) => {
    expect(overflowAction(policy as OverflowPolicy)).toBe(action);
  });

  it('gives every policy a distinct action', () => {
    const actions = OVERFLOW_POLICIES.map(overflowAction);
    expect(new Set(actions).size).toBe(OVERFLOW_POLICIES.length);
  });
});

describe('OVERFLOW_POLICIES', () => {
  it('lists exactly the four policies', () => {
    expect([...OVERFLOW_POLICIES].sort()).toEqual(Object.keys(EXPECTED).sort());
  });
});
