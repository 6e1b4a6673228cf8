/**
 * What POST /events accepts: one JSON record, a JSON array of records, or JSON lines — each
 * `{ "key": string, "ts": epoch ms, "value": number }`. A batch is taken whole or not at all: the
 * first line that is not JSON, or not such a record, refuses the batch and is named in the answer.
 */

/** One event, as the journal keeps it. */
export interface Event {
  readonly key: string;
  /** Event time, epoch milliseconds. */
  readonly ts: number;
  readonly value: number;
}

/** Why a batch was refused: the 1-based line (or array index + 1), its text, and what was wrong. */
export interface Refusal {
  readonly error: 'malformed JSON' | 'invalid record' | 'no records';
  readonly line?: number | undefined;
  readonly text?: string | undefined;
  readonly reason: string;
}

const MAX_KEY_LENGTH = 256;
const MAX_SHOWN = 200;

function shown(text: string): string {
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** The event in `candidate`, or why it is not one. Extra fields are dropped. */
function eventOf(candidate: unknown): Event | string {
  if (typeof candidate !== 'object' || candidate === null || Array.isArray(candidate)) return 'expected an object with key, ts and value';
  const { key, ts, value } = candidate as Record<string, unknown>;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) return `"key" must be a string of 1 to ${MAX_KEY_LENGTH} characters`;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return '"ts" must be a finite number (epoch milliseconds)';
  if (typeof value !== 'number' || !Number.isFinite(value)) return '"value" must be a finite number';
  return { key, ts, value };
}

/** Parses a request body into events, or says which line refused the batch. */
export function parseEvents(body: string): { events: Event[] } | { refused: Refusal } {
  const trimmed = body.trim();
  if (trimmed === '') return { refused: { error: 'no records', reason: 'the body holds no records' } };
  // One record, or an array of them, possibly spread over several lines.
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let whole: unknown;
    let parsed = true;
    try {
      whole = JSON.parse(trimmed);
    } catch {
      parsed = false; // JSON lines, or malformed: the line-by-line pass says which
    }
    if (parsed) {
      const candidates = Array.isArray(whole) ? whole : [whole];
      if (candidates.length === 0) return { refused: { error: 'no records', reason: 'the array is empty' } };
      const events: Event[] = [];
      for (let i = 0; i < candidates.length; i++) {
        const event = eventOf(candidates[i]);
        if (typeof event === 'string')
          return { refused: { error: 'invalid record', line: i + 1, text: shown(JSON.stringify(candidates[i]) ?? 'undefined'), reason: event } };
        events.push(event);
      }
      return { events };
    }
  }
  const events: Event[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    let candidate: unknown;
    try {
      candidate = JSON.parse(line);
    } catch (error) {
      return { refused: { error: 'malformed JSON', line: i + 1, text: shown(line), reason: (error as Error).message } };
    }
    const event = eventOf(candidate);
    if (typeof event === 'string') return { refused: { error: 'invalid record', line: i + 1, text: shown(line), reason: event } };
    events.push(event);
  }
  return { events };
}
