/**
 * A child's side of taking turns: before each run it tells the parent it is ready and waits for the
 * go-ahead, so the case's children run one at a time, round by round (see `run-in-turns.ts`).
 *
 * A run leaves work behind it on the heap's helper threads (concurrent marking and sweeping of what
 * it allocated): a child that runs its runs back to back pays it during its own next run. A child
 * that hands the cores to another must not leave it running there, where it would slow the other
 * child's timed run and spare its own: it waits, untimed, until its process is quiet, before it
 * asks for the next turn.
 */
import type { TurnGrant, TurnRequest } from './child-protocol.js';

/** The IPC channel a forked child has: `process` itself, when it has one. */
export interface ParentChannel {
  send(message: TurnRequest): unknown;
  once(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * A function that asks `parent` for the next turn and resolves once the parent grants it. Any other
 * message is not a grant: the wait goes on.
 * @example
 * ```ts
 * const awaitTurn = turnTaker(process as ParentChannel);
 * await measure(runner, operations, plan, awaitTurn);
 * ```
 */
export function turnTaker(parent: ParentChannel, quiet: () => Promise<void> = () => untilQuiet()): () => Promise<void> {
  return async () => {
    await quiet();
    await new Promise<void>((resolve) => {
      const listen = (): void => {
        parent.once('message', (message) => (isGrant(message) ? resolve() : listen()));
      };
      listen();
      parent.send({ kind: 'turn' });
    });
  };
}

/** A window in which the process counts as quiet when it used under {@link QUIET_SHARE} of one CPU. */
const QUIET_WINDOW_MS = 50;
const QUIET_SHARE = 0.05;
/** Longest wait for quiet: a process with a thread that never rests goes on anyway. */
const QUIET_LIMIT_MS = 5_000;

/**
 * Resolves once the whole process (every thread of it) used under 5% of a CPU over 50 ms, or after
 * `limitMs` whatever it used.
 */
export async function untilQuiet(limitMs = QUIET_LIMIT_MS): Promise<void> {
  const started = performance.now();
  while (performance.now() - started < limitMs) {
    const before = process.cpuUsage();
    await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
    const used = process.cpuUsage(before);
    if ((used.user + used.system) / 1000 < QUIET_WINDOW_MS * QUIET_SHARE) return;
  }
}

function isGrant(message: unknown): message is TurnGrant {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'go';
}
