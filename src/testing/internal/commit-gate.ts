/**
 * The sink as a pipeline under test sees it: the test's sink, its checkpoint tokens wrapped so the
 * engine knows which checkpoint a commit is for, and can hold that commit back forever — the
 * process dying between a checkpoint becoming durable and the sink committing it.
 */
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
  const sink: Sink<TOut> = {
    name: inner.name,
    write: (records, origin) => inner.write(records, origin),
    async preCommit(checkpoint) {
      const token: unknown = await inner.preCommit?.(checkpoint);
      return token === undefined ? { checkpoint } : { checkpoint, token };
    },
    async commit(token) {
      const wrapped = token as WrappedToken;
      // The process dies before the commit: it never completes, and nothing after it runs.
      if (holdCommit(wrapped.checkpoint)) return new Promise<void>(() => undefined);
      await inner.commit?.(wrapped.token);
    },
    async recover(token, completed) {
      await inner.recover?.((token as WrappedToken | null | undefined)?.token, completed);
    },
  };
  if (inner.close !== undefined) sink.close = () => (inner.close as () => Promise<void> | void)();
  return sink;
}
