/**
 * The actors a pipeline runs as. A partition actor holds one partition of a keyed stage's state
 * (a KeyedState, so a restart rolls it back and replays what it took since its snapshot) and
 * forwards its output on sequenced links (so what it sends again after a restart reaches nobody
 * twice). The sink actor writes batches to the sink one at a time, awaited.
 */
import { defineActor, type ActorDefinition } from '../../actors/behavior.js';
import type { ActorRef } from '../../actors/actor-ref.js';
import { KeyedState } from '../../state/keyed-state.js';
import type { KeyedStep } from '../internal/logical-plan.js';
import type { RebalanceStep } from '../internal/logical-plan.js';
import type { Assignment } from './assign.js';
import type { Sink } from '../sinks/sink.js';
import { FAILED, StepError, attempt, lastFailure, type Chain } from './chain.js';
import type { KeyedEntry, PipelineDeadLetter, StageMessage } from './messages.js';
import { Router } from './router.js';

/** Counts of one operator, for metrics. */
export interface OperatorCounters {
  readonly name: string;
  recordsIn: number;
  recordsOut: number;
}

/** The outputs of one key's emitted value, through the stage's tail chain. */
function emitted(step: KeyedStep, tail: Chain, { key, accumulator }: { key: unknown; accumulator: unknown }): unknown[] {
  return tail({ key, value: step.result(accumulator, key as never) });
}

/** A key's accumulator after one more record: one lookup for a key seen before. */
function added(step: KeyedStep, state: PartitionState, { key, record }: KeyedEntry): unknown {
  const k = key as never;
  let current = state.get(key);
  if (current === undefined && !state.has(key)) current = step.create(k);
  return step.add(current, record, k);
}

/** A reserved key holding how many upstream senders have ended: part of the state, so it rolls back too. */
const ENDED = Symbol('ended');

export type PartitionState = KeyedState<unknown, unknown>;

export interface PartitionSetup {
  readonly step: KeyedStep;
  readonly tail: Chain;
  /** How output is assigned to the next stage's partitions, or undefined when it goes to the sink. */
  readonly next: Assignment | undefined;
  readonly downstream: () => readonly ActorRef<StageMessage<unknown>>[];
  readonly upstreams: number;
  readonly batchSize: number;
  readonly retries: number;
  readonly counters: OperatorCounters;
  readonly deadLetter: (letter: PipelineDeadLetter) => void;
  /** Injected crashes (chaos testing): throws out of the handler, failing the actor itself. */
  readonly crash?: (() => void) | undefined;
}

export function partitionActor(setup: PartitionSetup): ActorDefinition<PartitionState, StageMessage<KeyedEntry>> {
  const { step, tail, next, retries, counters, deadLetter } = setup;
  return defineActor<PartitionState, StageMessage<KeyedEntry>>({
    initialState: () => new KeyedState(),
    async receive(state, message, ctx) {
      const downstream = setup.downstream();
      // A fresh router per message: outputs of a message that fails are never sent.
      const router = new Router(next, setup.batchSize, (index, batch) => ctx.send(downstream[index] as ActorRef<StageMessage<unknown>>, batch), deadLetter);
      const emit = (key: unknown, accumulator: unknown): void => {
        const outputs = attempt(retries, emitted, step, tail, { key, accumulator });
        if (outputs === FAILED) {
          const failed = lastFailure();
          deadLetter({ reason: 'operator-failed', stage: failed instanceof StepError ? failed.step : step.name, record: { key }, error: failed });
          return;
        }
        counters.recordsOut += outputs.length;
        for (const out of outputs) router.route(out);
      };
      if (message.type === 'batch') {
        counters.recordsIn += message.entries.length;
        for (const entry of message.entries) {
          setup.crash?.();
          const accumulator = attempt(retries, added, step, state, entry);
          if (accumulator === FAILED) {
            deadLetter({ reason: 'operator-failed', stage: step.name, record: entry.record, error: lastFailure() });
            continue;
          }
          state.set(entry.key, accumulator);
          if (step.emit === 'every') emit(entry.key, accumulator);
        }
        await router.flush();
        return state;
      }
      const ended = ((state.get(ENDED) as number | undefined) ?? 0) + 1;
      state.set(ENDED, ended);
      if (ended === setup.upstreams) {
        if (step.emit === 'final') for (const [key, accumulator] of state.entries()) if (key !== ENDED) emit(key, accumulator);
        await router.end();
      }
      return state;
    },
  });
}

/** What a relay actor (a partition of a `rebalance` stage) needs: the keyed parts of a partition's setup don't apply. */
export type RelaySetup = Omit<PartitionSetup, 'step'> & { readonly step: RebalanceStep };

/**
 * A partition of a `rebalance` stage: no keyed state, just the stage's stateless operators, run in
 * parallel with its siblings. Its state is only the end-of-input count, kept in a KeyedState so a
 * restart rolls it back too.
 */
export function relayActor(setup: RelaySetup): ActorDefinition<PartitionState, StageMessage<unknown>> {
  const { step, tail, next, retries, counters, deadLetter } = setup;
  return defineActor<PartitionState, StageMessage<unknown>>({
    initialState: () => new KeyedState(),
    async receive(state, message, ctx) {
      const downstream = setup.downstream();
      const router = new Router(next, setup.batchSize, (index, batch) => ctx.send(downstream[index] as ActorRef<StageMessage<unknown>>, batch), deadLetter);
      if (message.type === 'batch') {
        counters.recordsIn += message.entries.length;
        for (const record of message.entries) {
          setup.crash?.();
          const outputs = attempt(retries, applyTail, tail, record, undefined);
          if (outputs === FAILED) {
            const failed = lastFailure();
            deadLetter({ reason: 'operator-failed', stage: failed instanceof StepError ? failed.step : step.name, record, error: failed });
            continue;
          }
          counters.recordsOut += outputs.length;
          for (const out of outputs) router.route(out);
        }
        await router.flush();
        return state;
      }
      const ended = ((state.get(ENDED) as number | undefined) ?? 0) + 1;
      state.set(ENDED, ended);
      if (ended === setup.upstreams) await router.end();
      return state;
    },
  });
}

function applyTail(tail: Chain, record: unknown): unknown[] {
  return tail(record);
}

export interface SinkSetup {
  readonly sink: Sink<unknown>;
  readonly upstreams: number;
  readonly counters: OperatorCounters;
  /** The input has ended and the sink is closed. */
  readonly completed: () => void;
  /** The sink failed: the run fails with this error. */
  readonly failed: (error: unknown) => void;
}

export function sinkActor(setup: SinkSetup): ActorDefinition<number, StageMessage<unknown>> {
  return defineActor<number, StageMessage<unknown>>({
    initialState: () => 0,
    async receive(ended, message) {
      try {
        if (message.type === 'batch') {
          setup.counters.recordsIn += message.entries.length;
          await setup.sink.write(message.entries);
          setup.counters.recordsOut += message.entries.length;
          return ended;
        }
        if (ended + 1 === setup.upstreams) {
          await setup.sink.close?.();
          setup.completed();
        }
      } catch (error) {
        setup.failed(error);
      }
      return message.type === 'end' ? ended + 1 : ended;
    },
  });
}
