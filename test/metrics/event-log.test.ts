import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, describeEvent, logEvents, type EventLogger, type PipelineEvent } from '../../src/index.js';

const base = { path: '/user/a', id: 'x1', at: 12 };
const batch = { type: 'batch', from: 0, entries: Array.from({ length: 256 }, (_, i) => ({ secret: i })) };

/** A logger that records its calls. */
function recorder(): EventLogger & { calls: [string, ...unknown[]][] } {
  const calls: [string, ...unknown[]][] = [];
  const at =
    (level: string) =>
    (...args: unknown[]): void => {
      calls.push([level, ...args]);
    };
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('describeEvent', () => {
  it('gives each event a level, a one-line message and its fields, the error under err', () => {
    const error = new Error('bad record');
    const cases: [PipelineEvent, string, string][] = [
      [{ type: 'actor-started', ...base }, 'debug', 'actor /user/a started'],
      [{ type: 'actor-stopped', ...base, reason: 'shutdown' }, 'debug', 'actor /user/a stopped (shutdown)'],
      [
        { type: 'actor-failed', ...base, error, message: batch, directive: 'restart', attempt: 2 },
        'warn',
        'actor /user/a failed (attempt 2, restart): bad record',
      ],
      [
        { type: 'actor-restarted', ...base, restarts: 3, error, from: 'snapshot', replayed: 1 },
        'warn',
        'actor /user/a restarted from its snapshot (restart 3, replaying 1)',
      ],
      [{ type: 'actor-escalated', ...base, error }, 'error', 'actor /user/a escalated: bad record'],
      [{ type: 'poison-message', ...base, message: batch, error, attempts: 100 }, 'error', 'actor /user/a set a message aside after 100 attempts: bad record'],
      [{ type: 'snapshot-saved', ...base, sequence: 4, durationMs: 1 }, 'debug', 'actor /user/a saved snapshot 4'],
      [{ type: 'snapshot-failed', ...base, sequence: 4, error }, 'warn', 'actor /user/a could not save snapshot 4: bad record'],
      [{ type: 'snapshot-restored', ...base, sequence: 4, skipped: [] }, 'info', 'actor /user/a restored snapshot 4'],
      [
        { type: 'snapshot-restored', ...base, sequence: 4, skipped: [], migratedFrom: 1 },
        'info',
        'actor /user/a restored snapshot 4 (state migrated from version 1)',
      ],
      [{ type: 'hook-failed', ...base, hook: 'stopping', error }, 'error', 'actor /user/a: stopping failed: bad record'],
      [{ type: 'system-terminated', system: 's', at: 1 }, 'info', 'system s terminated'],
      [{ type: 'system-terminated', system: 's', at: 1, error }, 'error', 'system s failed: bad record'],
      [
        { type: 'checkpoint-completed', pipeline: 'p', id: 7, offset: 120, durationMs: 3.25, bytes: 900, at: 1 },
        'info',
        'pipeline p completed checkpoint 7 at offset 120 in 3.3 ms (900 bytes)',
      ],
      [{ type: 'pipeline-finished', pipeline: 'p', stopped: true, at: 1 }, 'info', 'pipeline p stopped'],
      [{ type: 'pipeline-finished', pipeline: 'p', stopped: false, error, at: 1 }, 'error', 'pipeline p failed: bad record'],
    ];
    for (const [event, level, message] of cases) {
      const record = describeEvent(event);
      expect({ level: record.level, message: record.message }).toEqual({ level, message });
      expect(record.fields['event']).toBe(event.type);
      if ('error' in event) expect(record.fields['err']).toBe(event.error);
    }
  });

  it('logs the type of a message, never the message itself', () => {
    const { fields } = describeEvent({ type: 'poison-message', ...base, message: batch, error: new Error('x'), attempts: 3 });
    expect(fields).toEqual({ event: 'poison-message', path: '/user/a', id: 'x1', at: 12, messageType: 'batch', err: expect.any(Error), attempts: 3 });
    expect(JSON.stringify(Object.keys(fields))).not.toContain('entries');
  });
});

describe('logEvents', () => {
  type Msg = { type: 'boom' } | { type: 'ping' };
  const fragile = defineActor<null, Msg>({
    initialState: () => null,
    receive(state, msg, ctx) {
      if (msg.type === 'boom') throw new Error('boom');
      ctx.reply('pong');
      return state;
    },
  });

  it('calls a console-style logger with (message, fields), from the level asked for up', async () => {
    const system = createSystem({ name: 'log' });
    const logger = recorder();
    const stop = logEvents(system.events, logger, { level: 'warn' });
    const ref = system.spawn(fragile, { name: 'a' });
    ref.tell({ type: 'boom' });
    await ref.ask({ type: 'ping' });
    stop();
    await system.shutdown();
    expect(logger.calls.map(([level]) => level)).toEqual(['warn', 'warn', 'warn', 'warn', 'warn', 'error']);
    const [level, message, fields] = logger.calls[0] as [string, string, Record<string, unknown>];
    expect(level).toBe('warn');
    expect(message).toBe('actor /user/a failed (attempt 1, restart): boom');
    expect(fields).toMatchObject({ event: 'actor-failed', path: '/user/a', messageType: 'boom' });
  });

  it('calls a pino-style logger with (fields, message), and logs nothing below info by default', async () => {
    const system = createSystem({ name: 'log' });
    const logger = recorder();
    logEvents(system.events, logger, { style: 'pino' });
    system.spawn(fragile, { name: 'a' });
    await system.shutdown();
    // actor-started and actor-stopped are debug; the system's end is info.
    expect(logger.calls).toEqual([['info', { event: 'system-terminated', system: 'log', at: expect.any(Number) }, 'system log terminated']]);
  });
});
