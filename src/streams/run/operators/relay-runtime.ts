/**
 * A partition of a `rebalance` stage: no state of its own, it passes each record (with its event
 * time) to the stage's stateless tail, which runs in parallel with its siblings.
 */
import type { OperatorRuntime } from './operator-runtime.js';

export function relayRuntime(): OperatorRuntime {
  return {
    nextTick: Infinity,
    record(record, _key, timestamp, out) {
      out.emit(record, timestamp);
    },
    advance() {},
    tick() {},
    end() {},
  };
}
