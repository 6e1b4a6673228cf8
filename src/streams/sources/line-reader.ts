/**
 * Splits a byte stream into lines while counting exact byte positions and line numbers, so a line
 * source can say where to resume after each line. Streams in chunks: memory holds at most one
 * chunk plus one partial line, whatever the input size.
 */

/** One line and where the next one starts. */
export interface Line {
  /** The line's text, without its `\n` (or `\r\n`), decoded as UTF-8. */
  readonly text: string;
  /** 1-based line number. */
  readonly number: number;
  /** Byte position just after this line's terminator. */
  readonly nextByte: number;
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();
const CARRIAGE_RETURN = 0x0d;

/**
 * The lines of `chunks`, which begin at byte `startByte`, line `startLine` (1-based), one array per
 * chunk read: the lines that chunk completes (none when a line spans the whole chunk), so a
 * consumer takes a chunk's lines in one step. A last line without a terminator is still a line.
 */
export async function* splitLineBatches(chunks: AsyncIterable<Uint8Array | string>, startByte = 0, startLine = 1): AsyncGenerator<Line[]> {
  const decoder = new TextDecoder('utf-8');
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let byte = startByte;
  let number = startLine;
  const take = (tail: Uint8Array): Line => {
    const bytes = pending.length === 0 ? tail : concat([...pending, tail], pendingBytes + tail.length);
    pending = [];
    pendingBytes = 0;
    byte += bytes.length;
    const end = bytes.length > 0 && bytes[bytes.length - 1] === NEWLINE ? bytes.length - 1 : bytes.length;
    const trimmed = end > 0 && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    return { text: decoder.decode(bytes.subarray(0, trimmed)), number: number++, nextByte: byte };
  };
  for await (const raw of chunks) {
    // A stream with an encoding set hands out strings: count its bytes as UTF-8 all the same.
    const chunk = typeof raw === 'string' ? encoder.encode(raw) : raw;
    const lines: Line[] = [];
    let start = 0;
    for (let at = chunk.indexOf(NEWLINE); at !== -1; at = chunk.indexOf(NEWLINE, start)) {
      lines.push(take(chunk.subarray(start, at + 1)));
      start = at + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      pending.push(rest);
      pendingBytes += rest.length;
    }
    if (lines.length > 0) yield lines;
  }
  if (pendingBytes > 0) yield [take(new Uint8Array(0))];
}

function concat(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
