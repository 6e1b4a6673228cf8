/**
 * A dead letter as text the page can show as it is: the record as JSON (a string record, such as a
 * malformed input line, as its own text) and the error as its message, both cut short so one huge
 * record cannot swell every message of the feed.
 */
import type { PipelineDeadLetter } from '../streams/run/messages.js';
import type { DeadLetterView } from './dashboard-view.js';

/** The most characters of a record the page gets. */
export const RECORD_TEXT_LIMIT = 300;

/** The most characters of an error message the page gets. */
const ERROR_TEXT_LIMIT = 500;

export function deadLetterView(letter: PipelineDeadLetter): DeadLetterView {
  return {
    reason: letter.reason,
    stage: letter.stage,
    record: cut(recordText(letter.record), RECORD_TEXT_LIMIT),
    error: cut(errorText(letter.error), ERROR_TEXT_LIMIT),
  };
}

/** `text` when it is at most `limit` characters, else its start and an ellipsis, `limit` in all. */
export function cut(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function recordText(record: unknown): string {
  if (typeof record === 'string') return record;
  try {
    // JSON.stringify gives undefined for undefined, functions and symbols, and throws on BigInt
    // and cycles: those fall back to String().
    return JSON.stringify(record) ?? String(record);
  } catch {
    return safeString(record);
  }
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return safeString(error);
}

/** String(value), or a stand-in when even that throws (an object whose toString does). */
function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
