/**
 * System and pipeline events as log records: a level, a one-line message and structured fields,
 * for any logger. `describeEvent` is pure; `logEvents` subscribes a logger — `console`, pino, or
 * anything with `debug`/`info`/`warn`/`error` — to an event channel. Message payloads (a whole batch
 * of records) are never logged, only their type, so a failing partition cannot flood the log.
 */
import type { EventChannel, SystemEvent } from '../actors/events.js';
import type { Unsubscribe } from '../internal/topic.js';
import type { PipelineEvent } from '../streams/run/pipeline-events.js';

/** Log levels, least severe first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const SEVERITY: Readonly<Record<LogLevel, number>> = { debug: 0, info: 1, warn: 2, error: 3 };

/** What an event becomes in a log. */
export interface EventLogRecord {
  readonly level: LogLevel;
  /** One line, e.g. `actor /user/orders/reduce-0-partition-1 restarted from snapshot (restart 2)`. */
  readonly message: string;
  /** The event's fields: `event` (its type), the rest as they are, an error under `err` (pino's key). */
  readonly fields: Readonly<Record<string, unknown>>;
}

/** What `logEvents` needs of a logger; `console` and pino loggers have it. */
export interface EventLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Options of {@link logEvents}. */
export interface LogEventsOptions {
  /**
   * The argument order the logger wants: `'console'` calls `logger.warn(message, fields)`,
   * `'pino'` calls `logger.warn(fields, message)`.
   * @defaultValue 'console'
   */
  style?: 'console' | 'pino' | undefined;
  /**
   * The least severe level logged; events below it are not even described.
   * @defaultValue 'info'
   */
  level?: LogLevel | undefined;
}

function levelOf(event: PipelineEvent): LogLevel {
  switch (event.type) {
    case 'actor-started':
    case 'actor-stopped':
    case 'snapshot-saved':
    case 'events-deleted':
      return 'debug';
    case 'snapshot-restored':
    case 'events-recovered':
    case 'checkpoint-completed':
      return 'info';
    case 'actor-failed':
    case 'actor-restarted':
    case 'snapshot-failed':
    case 'events-delete-failed':
      return 'warn';
    case 'checkpoint-failed':
    case 'actor-escalated':
    case 'poison-message':
    case 'hook-failed':
    case 'job-restarted':
      return 'error';
    case 'system-terminated':
    case 'pipeline-finished':
      return event.error === undefined ? 'info' : 'error';
  }
}

function messageOf(event: PipelineEvent): string {
  switch (event.type) {
    case 'actor-started':
      return `actor ${event.path} started`;
    case 'actor-stopped':
      return `actor ${event.path} stopped (${event.reason})`;
    case 'actor-failed':
      return `actor ${event.path} failed (attempt ${event.attempt}, ${event.directive}): ${errorText(event.error)}`;
    case 'actor-restarted':
      return `actor ${event.path} restarted from ${event.from === 'snapshot' ? 'its snapshot' : 'its initial state'} (restart ${event.restarts}, replaying ${event.replayed})`;
    case 'actor-escalated':
      return `actor ${event.path} escalated: ${errorText(event.error)}`;
    case 'poison-message':
      return `actor ${event.path} set a message aside after ${event.attempts} attempts: ${errorText(event.error)}`;
    case 'snapshot-saved':
      return `actor ${event.path} saved snapshot ${event.sequence}`;
    case 'snapshot-failed':
      return `actor ${event.path} could not save snapshot ${event.sequence}: ${errorText(event.error)}`;
    case 'snapshot-restored':
      if (event.sequence === undefined) return `actor ${event.path} found no snapshot`;
      return `actor ${event.path} restored snapshot ${event.sequence}${event.migratedFrom === undefined ? '' : ` (state migrated from version ${event.migratedFrom})`}`;
    case 'hook-failed':
      return `actor ${event.path}: ${event.hook} failed: ${errorText(event.error)}`;
    case 'events-recovered':
      return `actor ${event.path} recovered ${event.persistenceId} to event ${event.sequence} (${event.snapshotSequence === undefined ? 'no snapshot' : `snapshot ${event.snapshotSequence}`}, ${event.replayed} replayed)`;
    case 'events-deleted':
      return `actor ${event.path} deleted the events of ${event.persistenceId} up to ${event.toSequence}`;
    case 'events-delete-failed':
      return `actor ${event.path} could not delete the events of ${event.persistenceId} up to ${event.toSequence}: ${errorText(event.error)}`;
    case 'system-terminated':
      return event.error === undefined ? `system ${event.system} terminated` : `system ${event.system} failed: ${errorText(event.error)}`;
    case 'checkpoint-completed':
      return `pipeline ${event.pipeline} completed checkpoint ${event.id} at offset ${String(event.offset)} in ${event.durationMs.toFixed(1)} ms (${event.bytes} bytes)`;
    case 'checkpoint-failed':
      return `pipeline ${event.pipeline} could not complete checkpoint ${event.id}: ${errorText(event.error)}`;
    case 'job-restarted':
      return `pipeline ${event.pipeline} starts again from its last checkpoint (attempt ${event.attempt}): ${errorText(event.error)}`;
    case 'pipeline-finished':
      if (event.error !== undefined) return `pipeline ${event.pipeline} failed: ${errorText(event.error)}`;
      return `pipeline ${event.pipeline} ${event.stopped ? 'stopped' : 'finished'}`;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A message's type (for a `{ type }` message), never the message itself. */
function messageType(message: unknown): string {
  if (typeof message === 'object' && message !== null && typeof (message as { type?: unknown }).type === 'string') {
    return (message as { type: string }).type;
  }
  return typeof message;
}

/**
 * A log record for `event`.
 *
 * @example
 * ```ts
 * const { level, message, fields } = describeEvent(event);
 * console[level](message, fields);
 * ```
 */
export function describeEvent(event: PipelineEvent | SystemEvent): EventLogRecord {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key === 'type') fields['event'] = value;
    else if (key === 'error') fields['err'] = value;
    else if (key === 'message') fields['messageType'] = messageType(value);
    else fields[key] = value;
  }
  return { level: levelOf(event), message: messageOf(event), fields };
}

/**
 * Logs every event of `channel` at or above `options.level` to `logger`.
 *
 * @returns a function that stops logging.
 * @example
 * ```ts
 * logEvents(handle.events, console);                                   // console.warn(message, fields)
 * logEvents(handle.events, pino(), { style: 'pino', level: 'debug' }); // logger.warn(fields, message)
 * ```
 */
export function logEvents(channel: EventChannel<PipelineEvent> | EventChannel<SystemEvent>, logger: EventLogger, options?: LogEventsOptions): Unsubscribe {
  const least = SEVERITY[options?.level ?? 'info'];
  const pinoStyle = options?.style === 'pino';
  return (channel as EventChannel<PipelineEvent>).subscribe((event) => {
    if (SEVERITY[levelOf(event)] < least) return;
    const { level, message, fields } = describeEvent(event);
    if (pinoStyle) logger[level](fields, message);
    else logger[level](message, fields);
  });
}
