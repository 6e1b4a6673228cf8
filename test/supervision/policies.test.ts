import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/errors.js';
import { backoffDelay, nextAttempt, resolveBackoff } from '../../src/supervision/backoff.js';
import { recordRestart, resolveIntensity } from '../../src/supervision/intensity.js';
import { failureOutcome } from '../../src/supervision/failure-outcome.js';
import { restartsAfter } from '../../src/supervision/restart-type.js';
import { STRATEGIES, resolveSupervisor, restartGroup } from '../../src/supervision/strategy.js';

describe('recordRestart', () => {
  const intensity = { maxRestarts: 2, withinMs: 100 };

  it('allows maxRestarts restarts within the window', () => {
    const first = recordRestart([], 0, intensity);
    const second = recordRestart(first.history, 50, intensity);
    expect(second.exceeded).toBe(false);
    expect(second.history).toEqual([0, 50]);
  });

  it('gives up on one restart more than maxRestarts within the window', () => {
    expect(recordRestart([0, 50], 99, intensity).exceeded).toBe(true);
  });

  it('forgets restarts that left the window', () => {
    const verdict = recordRestart([0, 50], 100, intensity);
    expect(verdict.history).toEqual([50, 100]);
    expect(verdict.exceeded).toBe(false);
  });

  it('tolerates no restart at all with maxRestarts 0', () => {
    expect(recordRestart([], 0, { maxRestarts: 0, withinMs: 1000 }).exceeded).toBe(true);
  });

  it('exceeds exactly when more than maxRestarts restart times fall in the last withinMs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 30 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 200 }),
        (gaps, maxRestarts, withinMs) => {
          const limit = { maxRestarts, withinMs };
          let history: readonly number[] = [];
          let now = 0;
          const times: number[] = [];
          for (const gap of gaps) {
            now += gap;
            times.push(now);
            const verdict = recordRestart(history, now, limit);
            const inWindow = times.filter((t) => t > now - withinMs).length;
            expect(verdict.exceeded).toBe(inWindow > maxRestarts);
            history = verdict.history;
          }
        },
      ),
    );
  });
});

describe('resolveIntensity', () => {
  it('defaults to 10 restarts within 10 seconds', () => {
    expect(resolveIntensity(undefined, 'supervisor')).toEqual({ maxRestarts: 10, withinMs: 10_000 });
  });

  it('names the option it rejects', () => {
    expect(() => resolveIntensity({ maxRestarts: -1 }, 'supervisor')).toThrow(/`supervisor.maxRestarts`/);
    expect(() => resolveIntensity({ withinMs: 0 }, 'supervisor')).toThrow(/`supervisor.withinMs`/);
  });
});

describe('backoffDelay', () => {
  const backoff = resolveBackoff({ minMs: 100, maxMs: 1000, factor: 2, jitter: 0 }, 'backoff');

  it('doubles from minMs up to maxMs without jitter', () => {
    expect([0, 1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, backoff, 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('stays within [minMs, maxMs] and within the jitter band for any draw', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, random, jitter) => {
          const spread = resolveBackoff({ minMs: 10, maxMs: 5000, jitter }, 'backoff');
          const delay = backoffDelay(attempt, spread, random);
          const base = Math.min(5000, 10 * 2 ** attempt);
          expect(delay).toBeGreaterThanOrEqual(10);
          expect(delay).toBeLessThanOrEqual(5000);
          expect(Math.abs(delay - base)).toBeLessThanOrEqual(base * jitter + 1e-9);
        },
      ),
    );
  });
});

describe('nextAttempt', () => {
  const backoff = resolveBackoff({ minMs: 100, maxMs: 1000, resetAfterMs: 500 }, 'backoff');

  it('starts a series at attempt 0', () => {
    expect(nextAttempt(undefined, 0, backoff)).toBe(0);
  });

  it('counts up while failures come within resetAfterMs', () => {
    expect(nextAttempt({ attempt: 2, at: 1000 }, 1499, backoff)).toBe(3);
  });

  it('resets after a stable period of resetAfterMs', () => {
    expect(nextAttempt({ attempt: 2, at: 1000 }, 1500, backoff)).toBe(0);
  });
});

describe('resolveBackoff', () => {
  it('rejects maxMs below minMs, a factor below 1 and jitter above 1, naming the option', () => {
    expect(() => resolveBackoff({ minMs: 10, maxMs: 5 }, 'backoff')).toThrow(/`backoff.maxMs`/);
    expect(() => resolveBackoff({ factor: 0.5 }, 'backoff')).toThrow(/`backoff.factor`/);
    expect(() => resolveBackoff({ jitter: 2 }, 'backoff')).toThrow(InvalidOptionError);
  });
});

describe('restartGroup', () => {
  const children = ['a', 'b', 'c', 'd'];

  it('restarts only the failed child under one-for-one', () => {
    expect(restartGroup('one-for-one', children, 'b')).toEqual(['b']);
  });

  it('restarts every child, in start order, under one-for-all', () => {
    expect(restartGroup('one-for-all', children, 'c')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('restarts the failed child and those started after it, in start order, under rest-for-one', () => {
    expect(restartGroup('rest-for-one', children, 'b')).toEqual(['b', 'c', 'd']);
    expect(restartGroup('rest-for-one', children, 'd')).toEqual(['d']);
  });

  it.each(STRATEGIES)('restarts a child its parent does not list alone under %s', (strategy) => {
    expect(restartGroup(strategy, children, 'x')).toEqual(['x']);
  });
});

describe('resolveSupervisor', () => {
  it('defaults to one-for-one and rejects an unknown strategy by name', () => {
    expect(resolveSupervisor(undefined, 'supervisor').strategy).toBe('one-for-one');
    expect(() => resolveSupervisor({ strategy: 'all-for-none' as never }, 'supervisor')).toThrow(/`supervisor.strategy`/);
  });
});

describe('restartsAfter', () => {
  const matrix = [
    ['permanent', 'restart-directive', true],
    ['permanent', 'stop-directive', true],
    ['permanent', 'self-stop', true],
    ['transient', 'restart-directive', true],
    ['transient', 'stop-directive', false],
    ['transient', 'self-stop', false],
    ['temporary', 'restart-directive', false],
    ['temporary', 'stop-directive', false],
    ['temporary', 'self-stop', false],
  ] as const;

  it.each(matrix)('a %s actor after a %s restarts: %s', (type, exit, restarts) => {
    expect(restartsAfter(type, exit)).toBe(restarts);
  });
});

describe('failureOutcome', () => {
  const table = [
    ['resume', 'transient', 1, 'skip'],
    ['resume', 'permanent', 5, 'skip'],
    ['restart', 'transient', 1, 'retry'],
    ['restart', 'transient', 2, 'retry'],
    ['restart', 'transient', 3, 'poison'],
    ['restart', 'permanent', 3, 'poison'],
    ['restart', 'temporary', 1, 'skip-and-stop'],
    ['stop', 'transient', 1, 'skip-and-stop'],
    ['stop', 'temporary', 1, 'skip-and-stop'],
    ['stop', 'permanent', 1, 'skip-and-restart'],
    ['escalate', 'permanent', 1, 'skip-and-escalate'],
    ['escalate', 'transient', 9, 'skip-and-escalate'],
  ] as const;

  it.each(table)("maps '%s' on a %s actor at attempt %d (maxRetries 3) to %s", (directive, type, attempt, outcome) => {
    expect(failureOutcome(directive, type, attempt, 3)).toBe(outcome);
  });
});
