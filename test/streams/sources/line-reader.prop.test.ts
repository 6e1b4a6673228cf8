import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flattenBatches } from '../../../src/internal/flatten-batches.js';
import { splitLineBatches, type Line } from '../../../src/streams/sources/line-reader.js';

/** The lines one at a time. */
const splitLines = (chunks: AsyncIterable<Uint8Array | string>, startByte?: number, startLine?: number): AsyncIterable<Line> =>
  flattenBatches(splitLineBatches(chunks, startByte, startLine));

const encoder = new TextEncoder();

async function* chunked(bytes: Uint8Array, cuts: readonly number[]): AsyncGenerator<Uint8Array> {
  let start = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.subarray(start, cut);
    start = cut;
  }
  yield bytes.subarray(start);
}

async function collect(lines: AsyncIterable<Line>): Promise<Line[]> {
  const out: Line[] = [];
  for await (const line of lines) out.push(line);
  return out;
}

/** The model: split on \n, drop one \r before it, no empty last line after a final \n. */
function modelLines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((part) => (part.endsWith('\r') ? part.slice(0, -1) : part));
}

const textArb = fc
  .array(fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('\n', '\r\n', 'é', '😀', '')), { maxLength: 30 })
  .map((parts) => parts.join(''));

describe('splitLines', () => {
  it('yields the lines of any text however its bytes are cut into chunks', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, fc.array(fc.nat(), { maxLength: 8 }), async (text, cuts) => {
        const lines = await collect(splitLines(chunked(encoder.encode(text), cuts)));
        expect(lines.map((line) => line.text)).toEqual(modelLines(text));
        expect(lines.map((line) => line.number)).toEqual(lines.map((_, i) => i + 1));
      }),
    );
  });

  it('gives each line the byte position just after it, from which the rest reads the same', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, fc.array(fc.nat(), { maxLength: 4 }), async (text, cuts) => {
        const bytes = encoder.encode(text);
        const lines = await collect(splitLines(chunked(bytes, cuts)));
        for (const [i, line] of lines.entries()) {
          const rest = await collect(splitLines(chunked(bytes.subarray(line.nextByte), cuts), line.nextByte, line.number + 1));
          expect(rest).toEqual(lines.slice(i + 1));
        }
        if (lines.length > 0) expect(lines[lines.length - 1]?.nextByte).toBe(bytes.length);
      }),
    );
  });

  it('hands the same lines over a chunk at a time, never in an empty batch', async () => {
    await fc.assert(
      fc.asyncProperty(textArb, fc.array(fc.nat(), { maxLength: 8 }), async (text, cuts) => {
        const bytes = encoder.encode(text);
        const batches: Line[][] = [];
        for await (const batch of splitLineBatches(chunked(bytes, cuts))) batches.push(batch);
        expect(batches.every((batch) => batch.length > 0)).toBe(true);
        // A chunk completes its lines: never more batches than chunks (plus an unterminated last line).
        expect(batches.length).toBeLessThanOrEqual(new Set(cuts.map((c) => c % (bytes.length + 1))).size + 2);
        expect(batches.flat()).toEqual(await collect(splitLines(chunked(bytes, cuts))));
      }),
    );
  });

  it('counts the bytes of string chunks as UTF-8', async () => {
    async function* strings(): AsyncGenerator<string> {
      yield 'é\nx';
      yield 'y\n';
    }
    const lines = await collect(splitLines(strings()));
    expect(lines).toEqual([
      { text: 'é', number: 1, nextByte: 3 },
      { text: 'xy', number: 2, nextByte: 6 },
    ]);
  });
});
