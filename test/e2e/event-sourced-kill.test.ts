/**
 * Exact recovery of an event-sourced actor across SIGKILL, from outside: a child process persists
 * commands one after another, printing each acknowledgement, and is killed with SIGKILL at the ack
 * fast-check chose — so the kill lands while the next command's events are being written. After
 * each kill the journal holds every acknowledged event, whole and in order, plus at most the
 * events of the one command in flight; the actor recovered from snapshot and journal (in this
 * process, and in the next child) has exactly the state of that history; and the numbering goes
 * on without gap or repeat in the next round, whose child is killed again.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FileEventJournal, createSystem } from '../../src/index.js';
import { projectRoot } from '../docs/markdown.js';
import { accountIn, applyEvent, type Account, type Ack, type Event } from './event-sourced-account.js';

/** What one child did before its kill. */
interface Round {
  /** Where it recovered to. */
  readonly ready: Ack;
  /** The events of every command it acknowledged, in order. */
  readonly acked: readonly Event[];
}

/** Runs the child on `dir` until it has printed `acks` acknowledgements, then kills it with SIGKILL. */
async function runAndKill(dir: string, seed: number, acks: number): Promise<Round> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/e2e/event-sourced-child.ts', dir, String(seed)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // 'close', not 'exit': every line the child printed before the kill has been read by then.
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('close', (code, signal) => resolve(signal ?? code)));
  let ready: Ack | undefined;
  const acked: Event[] = [];
  let count = 0;
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [word, json] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
      if (word === 'ready') ready = JSON.parse(json) as Ack;
      if (word !== 'ack') return;
      // Acknowledgements the child printed after the chosen one, before the kill landed (a busy
      // machine lets it run a command or two further), are acknowledged all the same.
      acked.push(...(JSON.parse(json) as Ack).events);
      if (++count === acks) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    void exited.then((how) => reject(new Error(`child exited (${String(how)}) after ${count} acks: ${stderr}`)));
  });
  expect(await exited).toBe('SIGKILL');
  if (ready === undefined) throw new Error('the child acknowledged commands before it said it was ready');
  return { ready, acked };
}

/** The events the journal holds, as the next writer finds them (taking over the dead child's lock). */
async function journalEvents(dir: string): Promise<{ first: number; events: Event[] }> {
  const log = await new FileEventJournal<Event>({ dir: join(dir, 'events') }).open('account');
  const events: Event[] = [];
  for await (const { sequence, event } of log.read(log.firstSequence)) {
    expect(sequence).toBe(log.firstSequence + events.length);
    events.push(event);
  }
  const first = log.firstSequence;
  await log.close();
  return { first, events };
}

function fold(events: readonly Event[]): Account {
  return events.reduce(applyEvent, { balance: 0, n: 0 });
}

describe('event-sourced actor crash (kill -9)', () => {
  it('recovers exactly the state of the events the journal acknowledged, whatever ack the kill follows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 2, maxLength: 2 }), fc.nat(), async (killAfter, seed) => {
        const dir = await mkdtemp(join(tmpdir(), 'sluice-event-sourced-kill-'));
        try {
          /** Every event the journal acknowledged, or kept from a command in flight, in order. */
          const history: Event[] = [];
          for (const [round, acks] of killAfter.entries()) {
            const { ready, acked } = await runAndKill(dir, seed + round, acks);
            // The child recovered exactly the history so far, and went on from there.
            expect(ready).toEqual({ events: [], sequence: history.length, balance: fold(history).balance });
            history.push(...acked);

            const { first, events } = await journalEvents(dir);
            const last = first + events.length - 1;
            // Every acknowledged event is there, under its number; beyond them, at most the events of
            // the command the kill interrupted (a deposit of an odd amount is two).
            expect(last - history.length).toBeGreaterThanOrEqual(0);
            expect(last - history.length).toBeLessThanOrEqual(2);
            expect(events.slice(0, history.length - first + 1)).toEqual(history.slice(first - 1));
            history.push(...events.slice(history.length - first + 1));

            const system = createSystem({ name: 'recovery' });
            const recovered = await system.spawn(accountIn(dir), { name: 'account' }).ask<Ack>({ type: 'balance' });
            await system.shutdown();
            expect(recovered).toEqual({ events: [], sequence: history.length, balance: fold(history).balance });
          }
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 3, seed: 24 },
    );
  }, 120_000);
});
