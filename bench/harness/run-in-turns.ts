/**
 * Children that take turns: a case's implementations each run in a child process of their own, all
 * alive at once, and the parent lets one run at a time, round by round, the order rotating. Rows run
 * one after another in time drift apart when the host slows for a minute (another tenant's load
 * slows every function of a process alike, and such spells come and go); rows that take turns run
 * within seconds of each other, so a slow spell falls on all of them, and the ratios between rows
 * hold. Each child is still a fresh process: its first run is its cold one, and its peak RSS its own.
 *
 * A child waiting for its turn is idle, which a child running its runs back to back never is, and V8
 * collects an idle heap of its own accord (its memory reducer, seconds after the allocation stops):
 * that collection would run on the cores while another child is timed. The children that take
 * turns run without it, so a waiting child does nothing. And a child that has run waits, in its own
 * turn and untimed, until its process is quiet (its heap's helper threads done with what the run
 * left them) before it asks for the next: see `child-turns.ts`.
 */
import type { ChildReport, ChildTask } from './child-protocol.js';
import { startChild, type BenchChild } from './run-in-child.js';

/**
 * Drives `children` that each ask for a turn before every run: waits until all have loaded (asked
 * for their first turn), then grants one turn at a time, each round in the order of the children
 * still running rotated by one more, until every child has reported. Never rejects; a child that
 * fails or goes silent for `timeoutMs` ends with its `error` report and leaves the rotation.
 * @returns each child's report, in the order of `children`.
 */
export async function takeTurns(children: readonly BenchChild[], timeoutMs: number): Promise<ChildReport[]> {
  const reports: ChildReport[] = [];
  const first = await Promise.all(children.map((child) => child.next(timeoutMs)));
  let running: number[] = [];
  first.forEach((message, index) => {
    if (message.kind === 'turn') running.push(index);
    else reports[index] = message;
  });
  for (let round = 0; running.length > 0; round++) {
    const start = round % running.length;
    const order = [...running.slice(start), ...running.slice(0, start)];
    const still = new Set<number>();
    for (const index of order) {
      const child = children[index] as BenchChild;
      child.grant();
      const message = await child.next(timeoutMs);
      if (message.kind === 'turn') still.add(index);
      else reports[index] = message;
    }
    running = running.filter((index) => still.has(index));
  }
  return reports;
}

/**
 * Runs `tasks` (cases' implementations) as children that take turns, and resolves with their
 * reports in the same order; never rejects.
 * @example
 * ```ts
 * const [plain, sluice] = await runInTurns([plainTask, sluiceTask], 900_000);
 * ```
 */
export function runInTurns(tasks: readonly ChildTask[], timeoutMs: number): Promise<ChildReport[]> {
  return takeTurns(
    tasks.map((task) => startChild(task.kind === 'case' ? { ...task, turns: true } : task, ['--no-memory-reducer'])),
    timeoutMs,
  );
}
