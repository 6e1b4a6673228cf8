/**
 * A partition of a `rebalance` stage: no state of its own, it passes each record (with its event
 * time) to the stage's stateless tail, which runs in parallel with its siblings.
 */
import { noProcessingTimers, type PartitionOperator } from './partition-operator.js';

export function relayOperator(): PartitionOperator {
  return {
    nextTick: noProcessingTimers,
    record(record, _key, timestamp, out) {
      out.emit(record, timestamp);
    },
    advance() {},
    tick() {},
    end() {},
  };
}
