/**
 * A partition actor: one partition of a keyed (or rebalanced) stage. It holds the stage's state
 * for its keys in a KeyedState, so a restart rolls it back and replays what the actor took since
 * its snapshot; it forwards output on sequenced links, so what it sends again after a restart
 * reaches nobody twice. On a timed stream it combines its inputs' watermarks, lets the operator
 * fire what they make due, and tells downstream its own watermark after the records it covers.
 * With checkpoints on, it aligns each checkpoint's barriers from all its inputs, hands an O(1)
 * view of its state to the coordinator, and passes the barrier on; what it sends after that is
 * numbered from the checkpoint's epoch (`link-epochs.ts`), as it would be after a restore from it.
 *
 * Replay must send exactly what the first run sent, or sequence numbers would drift: so every
 * decision that shapes what is sent comes from the state (rolled back) or the message (replayed),
 * never from the wall clock at replay time. Ticks carry the time they were made at.
 */
import { defineActor, type ActorDefinition } from '../../actors/behavior.js';
import { ACCEPTED } from '../../internal/accepted.js';
import type { ActorRef } from '../../actors/actor-ref.js';
import type { ActorContext } from '../../actors/context.js';
import { raiseLinkEpoch } from '../../actors/internal/cell-context.js';
import { KeyedState } from '../../state/keyed-state.js';
import type { TimerHandle } from '../../clock.js';
import { boundedWatermark } from '../time/watermarks.js';
import type { Assignment } from './assign.js';
import { StepChainOutput } from './step-chain-output.js';
import { allIdle, startProgress, withEnd, withWatermark, type EventTimeProgress, type InputProgress } from './input-progress.js';
import type { StageMessage } from './messages.js';
import { operatorEntries, type OperatorOutput, type PartitionOperator, type PartitionState, type OperatorSetup } from './operators/partition-operator.js';
import { mustWait, withBarrier, withWaiting, type Alignment } from './alignment.js';
import type { CheckpointCoordinator } from '../checkpoint/coordinator.js';
import type { SnapshotEntry } from '../../state/snapshot-store.js';
import type { StateKey } from './state-key.js';
import { Router } from './router.js';
import type { StepChain } from './step-chain.js';
import type { OperatorCounters } from './operator-counters.js';
import type { StageOutputs } from './stage-outputs.js';

/** The actor's own entries in its state: its inputs' progress in event time, and barrier alignment. */
const PROGRESS = Symbol('progress');
const ALIGNMENT = Symbol('alignment');

/** What every partition of a stage shares: the stage's operator, the stateless tail after it, its counters and side outputs. */
export interface PartitionStage {
  /** The operator's name, for dead letters. */
  readonly name: string;
  /** The stage's index, for checkpoint files. */
  readonly index: number;
  /** Whether records arriving here carry event times. */
  readonly inputTimed: boolean;
  /** The stateless steps after the operator, up to the next repartition. */
  readonly tail: StepChain;
  /** Makes the operator over the (possibly rolled back) state, at every start. */
  readonly operator: (setup: OperatorSetup) => PartitionOperator;
  readonly counters: OperatorCounters;
  readonly outputs: StageOutputs;
  /** How output is assigned to the next stage's partitions, or undefined when it goes to the sink. */
  readonly next: Assignment | undefined;
  /** The partitions of the next stage (or the sink), where output goes. */
  readonly downstream: () => readonly ActorRef<StageMessage<unknown>>[];
  /** How many senders feed each partition: the previous stage's partitions, or the source. */
  readonly upstreams: number;
  readonly batchSize: number;
  readonly retries: number;
}

/** Where a partition starts from when a checkpoint is resumed. */
export interface RestoredPartition {
  /** The operator's state to start from. */
  readonly entries?: readonly SnapshotEntry[] | undefined;
  /** Where in event time the checkpoint left this partition's keys. */
  readonly progress?: EventTimeProgress | undefined;
  /** The checkpoint it starts from: its sequenced sends are numbered from that epoch on. */
  readonly epoch?: number | undefined;
}

export interface PartitionSetup {
  readonly stage: PartitionStage;
  /** This partition's index in its stage. */
  readonly index: number;
  /** Injected crashes (chaos testing): throws out of the handler, failing the actor itself. */
  readonly crash?: (() => void) | undefined;
  readonly restored?: RestoredPartition | undefined;
  /** Where snapshots go when barriers align; undefined when checkpoints are off. */
  readonly checkpoints?: Pick<CheckpointCoordinator, 'snapshot'> | undefined;
}

export function partitionActor(setup: PartitionSetup): ActorDefinition<PartitionState, StageMessage<unknown>> {
  const { tail, next, retries, counters, upstreams } = setup.stage;
  const { deadLetter } = setup.stage.outputs;
  const name = setup.stage.name;
  const generator = tail.generator;
  let operator: PartitionOperator | undefined;
  /**
   * The router the last message left empty, for the next one: a message that fails keeps its
   * router (and whatever it routed), so what a failed message routed is never sent.
   */
  let spare: Router | undefined;
  let tickTimer: TimerHandle | undefined;
  let tickAt = Infinity;
  /**
   * The tail's output, and the operator's way to it: one for all of the partition's messages,
   * restarted at each, rather than made for each (a partition of a small-batch run takes a message
   * every few records). A message is handled to its end before the next, and the operator emits
   * only while it is handled: its `out` is never called once `handle` returned.
   */
  let tailOutput: StepChainOutput | undefined;
  const out: OperatorOutput = {
    emit(record, timestamp) {
      (tailOutput as StepChainOutput).take(record, timestamp);
    },
    deadLetter,
    late: setup.stage.outputs.late,
  };

  const clearTick = (ctx: ActorContext<StageMessage<unknown>>): void => {
    if (tickTimer !== undefined) ctx.clock.clearTimeout(tickTimer);
    tickTimer = undefined;
    tickAt = Infinity;
  };
  /** Wakes the actor for its earliest processing-time timer, or to check its own idleness. */
  const scheduleTick = (ctx: ActorContext<StageMessage<unknown>>, progress: InputProgress): void => {
    if (progress.ended === upstreams) return clearTick(ctx);
    const now = ctx.clock.now();
    let due = (operator as PartitionOperator).nextTick();
    if (generator !== undefined && generator.idleTimeoutMs !== Infinity && !progress.ownIdle) due = Math.min(due, now + generator.idleTimeoutMs);
    if (due === Infinity || due >= tickAt) return;
    clearTick(ctx);
    tickAt = due;
    // Keeps the process alive (the clock's default): the run is going, and `stopping` clears it.
    tickTimer = ctx.clock.setTimeout(
      () => {
        tickTimer = undefined;
        tickAt = Infinity;
        // Refused only when the mailbox is full: the actor is busy, and it checks again after each message.
        ctx.self.tell({ type: 'tick' });
      },
      Math.max(0, due - now),
    );
  };

  return defineActor<PartitionState, StageMessage<unknown>>({
    initialState: () => {
      const state: PartitionState = new KeyedState<StateKey | symbol, unknown>(setup.restored?.entries as Iterable<[StateKey, unknown]> | undefined);
      return state.set(PROGRESS, startProgress(upstreams, setup.restored?.progress));
    },
    started(state, ctx) {
      // Also after a supervised restart, whose rollback may have rewound the numbers below it.
      const epoch = setup.restored?.epoch;
      if (epoch !== undefined) raiseLinkEpoch(ctx as ActorContext<unknown>, epoch);
      const progress = state.get(PROGRESS) as InputProgress;
      operator = setup.stage.operator({ state, watermark: progress.watermark, retries, name, timed: setup.stage.inputTimed });
      // A partition that never gets a record must still find out it is idle, and timers restored
      // from a snapshot must still fire.
      scheduleTick(ctx, progress);
    },
    stopping(_state, ctx) {
      clearTick(ctx);
    },
    receive,
  });

  /**
   * Handles a message: synchronously when it leaves nothing to wait for (a batch whose output all
   * stays in the state, the usual case for a keyed stage that emits at the end), which spares the
   * actor a promise and its turns of the microtask queue per batch.
   */
  function receive(state: PartitionState, message: StageMessage<unknown>, ctx: ActorContext<StageMessage<unknown>>): PartitionState | Promise<PartitionState> {
    if (message.type === 'query') {
      // Read-only, so it needs no alignment: the live state, whatever checkpoint is being aligned.
      ctx.reply(state.has(message.key) ? { value: state.get(message.key) } : undefined);
      return state;
    }
    const alignment = state.get(ALIGNMENT) as Alignment | undefined;
    if (mustWait(alignment, message)) {
      state.set(ALIGNMENT, withWaiting(alignment as Alignment, message));
      return state;
    }
    if (message.type === 'barrier') {
      const next = withBarrier(alignment, message.id, message.from, upstreams);
      if (next.count < upstreams) {
        state.set(ALIGNMENT, next);
        return state;
      }
      return aligned(state, message.id, next, ctx);
    }
    const pending = handle(state, message, ctx);
    return pending === undefined ? state : pending.then(() => state);
  }

  /** Every input's barrier `id` is in: everything before it is in the state, nothing after it. */
  async function aligned(state: PartitionState, id: number, alignment: Alignment, ctx: ActorContext<StageMessage<unknown>>): Promise<PartitionState> {
    state.delete(ALIGNMENT);
    takeSnapshot(state, id);
    const router = takeRouter(ctx);
    await router.barrier(id);
    // The barrier is the last send of the epoch before it; what follows is numbered as a partition
    // restored from this checkpoint numbers it.
    raiseLinkEpoch(ctx as ActorContext<unknown>, id);
    giveBack(router);
    for (const waiting of alignment.waiting) await receive(state, waiting, ctx);
    return state;
  }

  function takeSnapshot(state: PartitionState, id: number): void {
    const checkpoints = setup.checkpoints;
    if (checkpoints === undefined) return;
    const view = state.snapshot();
    const { watermark, maxTimestamp } = state.get(PROGRESS) as InputProgress;
    checkpoints.snapshot(id, setup.stage.index, setup.index, operatorEntries(view), () => view.release(), { watermark, maxTimestamp });
  }

  /** A router with nothing in it: the spare one, or a new one. */
  function takeRouter(ctx: ActorContext<StageMessage<unknown>>): Router {
    const router = spare ?? downstreamRouter(ctx);
    spare = undefined;
    return router;
  }

  /** Keeps `router` for the next message, once all it routed went out. */
  function giveBack(router: Router): void {
    if (router.buffered === 0 && !router.sending) spare = router;
  }

  function downstreamRouter(ctx: ActorContext<StageMessage<unknown>>): Router {
    const downstream = setup.stage.downstream();
    return new Router({
      next,
      batchSize: setup.stage.batchSize,
      retries,
      send: (index, batch) => ctx.send(downstream[index] as ActorRef<StageMessage<unknown>>, batch),
      deadLetter,
      from: setup.index,
      timed: tail.timed,
    });
  }

  /** The tail's output, restarted on `router` from `maxTimestamp` for the message now handled. */
  function outputOn(router: Router, maxTimestamp: number): StepChainOutput {
    if (tailOutput === undefined) {
      tailOutput = new StepChainOutput({ chain: tail, router, counters, retries, deadLetter, stage: name, maxTimestamp });
    } else {
      tailOutput.restart(router, maxTimestamp);
    }
    return tailOutput;
  }

  /** Processes a batch, a watermark, an end or a tick; returns what is left to wait for, if anything. */
  function handle(state: PartitionState, message: StageMessage<unknown>, ctx: ActorContext<StageMessage<unknown>>): Promise<void> | undefined {
    const running = operator as PartitionOperator;
    const router = takeRouter(ctx);
    const before = state.get(PROGRESS) as InputProgress;
    let progress = before;
    const output = outputOn(router, before.maxTimestamp);

    switch (message.type) {
      case 'batch': {
        const { entries } = message;
        const startedAt = performance.now();
        counters.recordsIn += entries.length;
        if (counters.partitionRecordsIn !== undefined)
          counters.partitionRecordsIn[setup.index] = (counters.partitionRecordsIn[setup.index] ?? 0) + entries.length;
        const watermark = takeBatch(running, message, progress.watermark, out, setup.crash);
        if (watermark > progress.watermark) progress = withWatermark(progress, message.from, watermark, false);
        counters.latency?.record(performance.now() - startedAt);
        if (generator !== undefined) progress = { ...progress, active: true, ownIdle: false };
        break;
      }
      case 'watermark':
        progress = withWatermark(progress, message.from, message.watermark, message.idle);
        break;
      case 'end':
        progress = withEnd(progress, message.from);
        break;
      case 'barrier':
      case 'commit':
      case 'query':
        giveBack(router);
        return;
      case 'tick': {
        running.tick(ctx.clock.now(), out);
        // Idle when no record came since the last check: decided from the state, not the clock.
        if (generator !== undefined) progress = { ...progress, active: false, ownIdle: progress.ownIdle || !progress.active };
        break;
      }
    }
    if (progress.watermark > before.watermark) running.advance(progress.watermark, out);
    if (output.maxTimestamp > progress.maxTimestamp) progress = { ...progress, maxTimestamp: output.maxTimestamp };
    const ending = progress.ended === upstreams && before.ended !== upstreams;
    if (ending) running.end(out);
    // Chaos strikes once per other message too, after its timers and windows fired: a restart
    // must bring those back exactly.
    if (message.type !== 'batch') setup.crash?.();
    // What waits for the sends is made by `settledAfter`, only when there is something to wait
    // for: a closure here would hold this call's variables in a context made for every message.
    if (ending) {
      const checkpoint = message.type === 'end' ? message.checkpoint : undefined;
      if (checkpoint !== undefined) takeSnapshot(state, checkpoint);
      return settledAfter(router.end(checkpoint), router, state, before, progress, ctx);
    }
    // A watermark passed on moves within a batch only by its records' own watermarks: downstream
    // hears of it with the next watermark message, not after every batch (a broadcast to every
    // partition downstream per batch would cost more than the batch).
    const passesOn = generator === undefined;
    if (tail.timed && !(passesOn && message.type === 'batch'))
      return settledAfter(forwardWatermark(router, progress, passesOn ? undefined : generator.maxOutOfOrdernessMs), router, state, before, undefined, ctx);
    // Nothing sent or left to send: no flush to wait for.
    if (router.buffered === 0 && !router.sending) {
      giveBack(router);
      return settle(state, before, progress, ctx);
    }
    return settledAfter(router.flush(), router, state, before, progress, ctx);
  }

  /**
   * Settles the message once `sent` went out, at `progress` (undefined: at the progress `sent`
   * resolves with), the router given back first: at once when it all was accepted already, so the
   * actor goes on to its next message in the same slice instead of awaiting a settled promise.
   */
  function settledAfter(
    sent: Promise<void> | Promise<InputProgress>,
    router: Router,
    state: PartitionState,
    before: InputProgress,
    progress: InputProgress | undefined,
    ctx: ActorContext<StageMessage<unknown>>,
  ): Promise<void> | undefined {
    const settled = (after: void | InputProgress): Promise<void> | undefined => {
      giveBack(router);
      return settle(state, before, progress ?? (after as InputProgress), ctx);
    };
    return sent === ACCEPTED ? settled() : (sent as Promise<void | InputProgress>).then(settled);
  }

  /** What follows a message once its output went out: its progress kept, the late output and the next tick. */
  function settle(state: PartitionState, before: InputProgress, progress: InputProgress, ctx: ActorContext<StageMessage<unknown>>): Promise<void> | undefined {
    if (progress !== before) state.set(PROGRESS, progress);
    if (counters.watermarks !== undefined) counters.watermarks[setup.index] = progress.watermark;
    const backlog = setup.stage.outputs.lateBacklog();
    if (backlog === undefined) {
      scheduleTick(ctx, progress);
      return undefined;
    }
    return backlog.then(() => scheduleTick(ctx, progress));
  }
}

/**
 * Hands a batch's records to the operator, in order; returns the watermark the batch's own
 * watermarks moved it to from `watermark`. From the source, each record comes with the watermark of
 * the records before it: the watermark moves there first (firing what that makes due), so a record
 * is judged as the source order has it, however the records were batched and spread over
 * partitions. A function of its own, apart from the rest of a message's handling: the loop is what
 * gets hot, so it is what V8 optimizes first, and all it compiles is the loop and the operator.
 */
function takeBatch(
  running: PartitionOperator,
  batch: Extract<StageMessage<unknown>, { type: 'batch' }>,
  watermark: number,
  out: OperatorOutput,
  crash: (() => void) | undefined,
): number {
  const { entries, keys, timestamps, watermarks } = batch;
  let reached = watermark;
  for (let i = 0; i < entries.length; i++) {
    if (crash !== undefined) crash();
    if (watermarks !== undefined && (watermarks[i] as number) > reached) {
      reached = watermarks[i] as number;
      running.advance(reached, out);
    }
    running.record(entries[i], keys === undefined ? null : (keys[i] as StateKey), timestamps === undefined ? undefined : timestamps[i], out);
  }
  return reached;
}

/**
 * Tells downstream this partition's watermark when it moved or its idleness changed: its own
 * `withTimestamps` generator's, or else its input watermark passed on.
 */
async function forwardWatermark(router: Router, progress: InputProgress, bound: number | undefined): Promise<InputProgress> {
  const own = bound !== undefined;
  const watermark = own ? boundedWatermark(progress.maxTimestamp, bound) : progress.watermark;
  const idle = own ? progress.ownIdle : allIdle(progress);
  if (watermark <= progress.sent && idle === progress.sentIdle) {
    await router.flush();
    return progress;
  }
  await router.watermark(watermark, idle);
  return { ...progress, sent: Math.max(progress.sent, watermark), sentIdle: idle };
}
