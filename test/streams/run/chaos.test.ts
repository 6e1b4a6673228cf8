import { describe, expect, it } from 'vitest';
import { crasher, InjectedCrash } from '../../../src/streams/run/chaos.js';

const target = { actor: 'sum-0-partition-1', operator: 'sum', stage: 0, stages: 1, partition: 1, partitions: 2 };

describe('InjectedCrash', () => {
  it('names the actor it struck, and carries no stack frames: where it is thrown is the plan’s choice', () => {
    const crash = new InjectedCrash('sum-0-partition-1');
    expect(crash).toBeInstanceOf(Error);
    expect(crash.name).toBe('InjectedCrash');
    expect(crash.message).toBe('injected crash in sum-0-partition-1');
    expect(crash.stack).not.toMatch(/\n\s+at /);
  });

  it('leaves the stack traces of other errors as they were', () => {
    const limit = Error.stackTraceLimit;
    void new InjectedCrash('x');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error('other').stack).toMatch(/\n\s+at /);
  });
});

describe('crasher', () => {
  it('throws an InjectedCrash where the plan says, counting what the actor took', () => {
    const crash = crasher(undefined, (struck, n) => struck.partition === 1 && n === 2, target) as () => void;
    expect(() => crash()).not.toThrow();
    expect(() => crash()).toThrow(InjectedCrash);
    expect(() => crash()).not.toThrow();
    expect(crasher(undefined, undefined, target)).toBeUndefined();
  });
});
