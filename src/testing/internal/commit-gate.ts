/**
 * The sink as a pipeline under test sees it: the test's sink, its checkpoint tokens wrapped so the
 * engine knows which checkpoint a commit is for, and can hold that commit back forever — the
 * process dying between a checkpoint becoming durable and the sink committing it.
 */
import { thenOrNow } from '../../internal/then-or-now.js';
import type { Sink } from '../../streams/sinks/sink.js';

interface WrappedToken {
  readonly checkpoint: number;
  readonly token?: unknown;
}

/**
 * The sink as the pipeline sees it: the test's sink, with its checkpoint tokens wrapped so the
 * kit knows which checkpoint a commit is for, and can hold that commit back for a crash.
 */
export function commitGate<TOut>(inner: Sink<TOut>, holdCommit: (checkpoint: number) => boolean): Sink<TOut> {
  // Synchronous where the test's sink is, as a sink writing to memory would be: a wrapper that made
  // every call a promise would cost each checkpoint a few more turns of the engine.
  return {
    name: inner.name,
    write: (records, origin) => inner.write(records, origin),
    preCommit: (checkpoint) =>
      thenOrNow(inner.preCommit?.(checkpoint), (token): WrappedToken => (token === undefined ? { checkpoint } : { checkpoint, token })),
    commit(token) {
      const wrapped = token as WrappedToken;
      // The process dies before the commit: it never completes, and nothing after it runs.
      if (holdCommit(wrapped.checkpoint)) return new Promise<void>(() => undefined);
      return inner.commit?.(wrapped.token);
    },
    recover: (token, completed) => inner.recover?.((token as WrappedToken | null | undefined)?.token, completed),
    // In the literal, not added to the object once made: V8 keeps a function so added reachable
    // from the hidden class the addition makes, which kept each case's runs alive through scavenges.
    close: () => inner.close?.(),
  };
}
