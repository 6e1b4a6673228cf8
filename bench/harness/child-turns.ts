/**
 * A child's side of taking turns: before each run it tells the parent it is ready and waits for the
 * go-ahead, so the case's children run one at a time, round by round (see `run-in-turns.ts`).
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
export function turnTaker(parent: ParentChannel): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      const listen = (): void => {
        parent.once('message', (message) => (isGrant(message) ? resolve() : listen()));
      };
      listen();
      parent.send({ kind: 'turn' });
    });
}

function isGrant(message: unknown): message is TurnGrant {
  return typeof message === 'object' && message !== null && (message as { kind?: unknown }).kind === 'go';
}
