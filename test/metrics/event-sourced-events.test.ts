import { describe, expect, it } from 'vitest';
import { describeEvent } from '../../src/index.js';

describe('describeEvent', () => {
  const base = { path: '/user/account', id: 'x', at: 0, persistenceId: 'account-7' };

  it('describes an event-sourced recovery at info, and deletions at debug, or warn when they failed', () => {
    expect(describeEvent({ type: 'events-recovered', ...base, snapshotSequence: 6, replayed: 1, sequence: 7, skipped: [], durationMs: 1 })).toMatchObject({
      level: 'info',
      message: 'actor /user/account recovered account-7 to event 7 (snapshot 6, 1 replayed)',
    });
    expect(
      describeEvent({ type: 'events-recovered', ...base, snapshotSequence: undefined, replayed: 0, sequence: 0, skipped: [], durationMs: 1 }).message,
    ).toContain('no snapshot');
    expect(describeEvent({ type: 'events-deleted', ...base, toSequence: 4 })).toMatchObject({
      level: 'debug',
      message: 'actor /user/account deleted the events of account-7 up to 4',
    });
    expect(describeEvent({ type: 'events-delete-failed', ...base, toSequence: 4, error: new Error('disk gone') })).toMatchObject({
      level: 'warn',
      message: 'actor /user/account could not delete the events of account-7 up to 4: disk gone',
    });
  });
});
