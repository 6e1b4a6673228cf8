/**
 * "Acknowledged means durable", from outside: a child process appends to a journal and prints each
 * acknowledged batch; it is killed with SIGKILL at an arbitrary point of its work, again and again.
 * After every kill the journal reopens (taking over the dead child's lock) holding every
 * acknowledged batch, in order, whole, without duplicates, and nothing partial.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openJournal } from '../../src/index.js';
import { projectRoot } from '../docs/markdown.js';

interface Rec {
  batch: number;
  i: number;
}

/**
 * Runs the writer until it has printed `acks` acknowledgements, then kills it with SIGKILL and
 * waits for it to be gone. Returns the acknowledged batches with their offsets.
 */
async function runAndKill(dir: string, firstBatch: number, acks: number): Promise<Map<number, number>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/journal-writer.ts', dir, String(firstBatch)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const acked = new Map<number, number>();
  await new Promise<void>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const match = /^ack (\d+) (\d+)$/.exec(line);
      if (match === null) return;
      acked.set(Number(match[1]), Number(match[2]));
      if (acked.size === acks) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then((how) => reject(new Error(`writer exited (${String(how)}) after ${acked.size} acks: ${stderr}`)));
  });
  expect(await exited).toBe('SIGKILL');
  return acked;
}

/** Checks the journal's records are batches 0..n-1, each whole and in order; returns n and each batch's end offset. */
function checkBatches(records: readonly Rec[]): { batches: number; ends: Map<number, number> } {
  const ends = new Map<number, number>();
  let at = 0;
  let batch = 0;
  while (at < records.length) {
    const size = (batch % 5) + 1;
    expect(records.slice(at, at + size), `batch ${batch} at offset ${at}`).toEqual(Array.from({ length: size }, (_, i) => ({ batch, i })));
    at += size;
    ends.set(batch, at);
    batch++;
  }
  return { batches: batch, ends };
}

describe('journal crash (kill -9)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-journal-crash-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loses no acknowledged append, and keeps every append whole and in order, across repeated kills', async () => {
    let nextBatch = 0;
    const allAcked = new Map<number, number>();
    for (const acks of [150, 40, 400]) {
      const acked = await runAndKill(dir, nextBatch, acks);
      for (const [batch, offset] of acked) allAcked.set(batch, offset);

      const journal = await openJournal<Rec>({ dir });
      const records: Rec[] = [];
      for await (const item of journal.source({ follow: false }).read()) {
        if (item.kind !== 'record') throw new Error(`malformed record before ${item.next}`);
        records.push(item.value);
      }
      const { batches, ends } = checkBatches(records);
      for (const [batch, offset] of allAcked) {
        expect(ends.get(batch), `acknowledged batch ${batch}`).toBe(offset);
      }
      expect(journal.end).toBe(records.length);
      nextBatch = batches;
      // Batches appended but never acknowledged may be there (whole) or not; a later round's writer
      // starts after whatever is there, so none is ever duplicated.
      await journal.close();
    }
    expect(nextBatch).toBeGreaterThanOrEqual(590);
  });

  it('reopens at once after a kill -9, waiting out the lock of the writer still dying', async () => {
    const own = await mkdtemp(join(tmpdir(), 'sluice-journal-reopen-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/journal-writer.ts', own, '0'], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('ack ')) resolve(); // the journal is open and the lock is the child's
      });
      void exited.then((how) => reject(new Error(`writer exited (${String(how)}) before its first ack: ${stderr}`)));
    });
    // Opened without waiting for the exit: the child may still be dying, or a zombie not yet reaped.
    child.kill('SIGKILL');
    const journal = await openJournal<Rec>({ dir: own });
    expect(await exited).toBe('SIGKILL');
    expect(journal.end).toBeGreaterThan(0);
    await journal.close();
    await rm(own, { recursive: true, force: true });
  });
});
