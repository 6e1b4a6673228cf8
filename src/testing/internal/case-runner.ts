/**
 * Runs one test case of a pipeline on a deterministic schedule: the run's actor system has a
 * manual dispatcher whose every turn runs one slice of the actor the schedule picks, the source
 * delivers a record only when picked, virtual time moves at the schedule's ticks (and when nothing
 * else can happen), partition actors throw where the fault plan says, and a crash abandons the run
 * where it stands — its actors never run again, as after SIGKILL — for a new run on the same
 * checkpoint folder. A live upgrade instead asks the run for `handle.upgrade(next)` and drives the
 * next version's run on, in the same host: same dispatcher, clock and checkpoints. The same case
 * runs the same way every time: checkpoints are taken, and swaps made, while the source is held and
 * time stands still, so their file writes end before anything else can depend on when they do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SystemOptions } from '../../actors/actor-system.js';
import { createSystemWithScheduler } from '../../actors/system.js';
import { mulberry32 } from '../../internal/mulberry32.js';
import type { PipelineHandle } from '../../streams/pipeline-handle.js';
import type { PipelineDeadLetter } from '../../streams/run/messages.js';
import type { RunOptions } from '../../streams/run-options.js';
import type { RunnablePipeline } from '../check-pipeline.js';
import type { CheckpointStorage } from '../../streams/checkpoint/checkpoint-storage.js';
import { FolderCheckpointStorage } from '../../streams/checkpoint/folder-checkpoint-storage.js';
import { MemoryCheckpointStorage } from '../../streams/checkpoint/memory-checkpoint-storage.js';
import type { Sink } from '../../streams/sinks/sink.js';
import type { Source } from '../../streams/sources/source.js';
import type { FaultPlan, WorkersFault } from '../faults.js';
import { ManualScheduler } from '../manual-scheduler.js';
import type { OutputStore } from '../output-store.js';
import { checkpointOffsets, type Schedule, type Tick } from '../schedule.js';
import { VirtualClock } from '../virtual-clock.js';
import { commitGate } from './commit-gate.js';
import { macrotask, settled } from './event-loop.js';
import { driveSteps, STOP, type StepOutcome } from './step-driver.js';
import { FaultLedger, records, type Due } from './fault-ledger.js';
import { gatedSource, SourceGate, type GateControl } from './gated-source.js';
import { swapLive, type LiveSwap } from './live-swap.js';
import { runThreaded, type ThreadedEnd, type ThreadedStart } from './threaded-run.js';

export interface CaseSetup<TRecord, TOut> {
  /**
   * Builds the pipeline over the source and sink; called for every run (a resumed one too), with
   * the run's partition count when the plan has one (rescale faults), and `next` true once the
   * plan's upgrade has struck (the job's next version runs, a live swap's included).
   */
  readonly build: (source: Source<TRecord, number>, sink: Sink<TOut>, partitions: number | undefined, next: boolean) => RunnablePipeline;
  /** The records, in the order the source delivers them. */
  readonly delivered: readonly TRecord[];
  readonly schedule: Schedule;
  readonly faults: FaultPlan;
  /** Whether runs take checkpoints (they must, for crash faults). */
  readonly checkpoints: boolean;
  readonly sink: (store: OutputStore<TOut>) => Sink<TOut>;
  readonly store: OutputStore<TOut>;
  /** Run options the kit does not set itself. */
  readonly runOptions: RunOptions;
  /** Most steps one run may take. */
  readonly maxSteps: number;
  /**
   * Where each case's checkpoint folder is made (and removed); undefined keeps each case's
   * checkpoints in memory, with no file to write or wait for.
   */
  readonly checkpointRoot: string | undefined;
  /** Real milliseconds the engine waits for file I/O without any step before it calls the run stuck. */
  readonly stallMs: number;
  /** Runs the job on worker threads, for workers faults (a check with a `job` module). */
  readonly threaded?: ThreadedStart<TRecord, TOut> | undefined;
}

/** How a case ended. */
export interface CaseReport {
  /** How the last run ended. */
  readonly outcome: { readonly kind: 'completed' } | { readonly kind: 'failed'; readonly error: unknown };
  readonly deadLetters: readonly PipelineDeadLetter[];
  /** What happened, in words: faults as they struck, crashes and resumes. */
  readonly events: readonly string[];
  /** Whether a poison fault struck. */
  readonly poisoned: boolean;
  /** Runs, resumed ones included. */
  readonly runs: number;
  /** Steps over all runs. */
  readonly steps: number;
  /**
   * With an upgrade in the plan, once it struck: how many input records the checkpoint the next
   * version started from covers (0 when none was complete), the output of those being the old
   * version's — for a live swap, the checkpoint the swap stopped the old version at. Undefined when
   * the plan has no upgrade, or the case ended before it.
   */
  readonly upgradedAfter: number | undefined;
}

/** Thrown when a run makes no progress or never ends: a deadlock or a livelock in the pipeline. */
export class StuckRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StuckRunError';
  }
}

/** How a run ended, and the number of the last run it drove (a live swap starts another). */
type RunEnd = { readonly run: number } & (
  { readonly kind: 'completed'; readonly resumedFrom: number | undefined } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'killed' }
);

/** Runs a case: runs, killed and resumed as its faults say, until one completes or fails. */
export async function runCase<TRecord, TOut>(setup: CaseSetup<TRecord, TOut>): Promise<CaseReport> {
  const ledger = new FaultLedger(setup.faults, setup.delivered.length);
  const deadLetters: PipelineDeadLetter[] = [];
  // Checkpoints already taken, over all runs: a resumed run starts at or after the last of them.
  const taken = new Set<number>();
  const dir = setup.checkpoints && setup.checkpointRoot !== undefined ? await mkdtemp(join(setup.checkpointRoot, 'sluice-check-')) : undefined;
  // One storage for all the case's runs, as one folder would be: a resumed run reads what the killed one wrote.
  const storage = !setup.checkpoints ? undefined : dir === undefined ? new MemoryCheckpointStorage("the case's checkpoints") : new FolderCheckpointStorage(dir);
  let steps = 0;
  let now = 0;
  let upgradedAfter: number | undefined;
  const context = {
    ledger,
    taken,
    storage,
    plannedCheckpoints: new Set(storage === undefined ? [] : checkpointOffsets(setup.schedule, setup.delivered.length)),
    ticks: [...setup.schedule.ticks].sort((a, b) => a.step - b.step),
    deadLetters,
    countSteps: (n: number) => void (steps += n),
    tookOver: (after: number) => void (upgradedAfter = after),
  };
  const report = (outcome: CaseReport['outcome'], runs: number): CaseReport => ({
    outcome,
    deadLetters,
    events: ledger.events,
    poisoned: ledger.poisoned,
    runs,
    steps,
    upgradedAfter,
  });
  try {
    for (let run = 1; ;) {
      const threads = ledger.takeThreads();
      if (threads !== undefined) {
        const end = await onThreads(setup, threads, { ...context, run });
        if (end.kind === 'stopped') {
          run++;
          continue;
        }
        return report(end.kind === 'completed' ? { kind: 'completed' } : { kind: 'failed', error: end.error }, run);
      }
      const clock = new VirtualClock(now);
      const upgradedBefore = ledger.upgraded;
      const end = await runOnce(setup, { ...context, run, clock });
      now = clock.now();
      // The run the upgrade killed (or a live swap's, killed before the next version took over):
      // what the next version resumes from is what the storage holds now.
      if (ledger.upgraded && !upgradedBefore && upgradedAfter === undefined) upgradedAfter = await resumePoint(storage);
      // A killed run is abandoned as it stands: its dispatcher never runs another turn, its source
      // is never let go, its timers never fire. Only what reached the store and the folder remains.
      if (end.kind === 'killed') {
        run = end.run + 1;
        continue;
      }
      if (end.kind === 'completed' && end.run > 1) {
        ledger.events.push(
          `run ${end.run} resumed from ${end.resumedFrom === undefined ? 'the start: no checkpoint was complete' : `checkpoint ${end.resumedFrom}`}`,
        );
      }
      return report(end.kind === 'completed' ? { kind: 'completed' } : { kind: 'failed', error: end.error }, end.run);
    }
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** The run a workers fault asks for, on the threads of the check's job module. */
function onThreads<TRecord, TOut>(
  setup: CaseSetup<TRecord, TOut>,
  fault: WorkersFault,
  context: { readonly run: number; readonly ledger: FaultLedger; readonly storage: CheckpointStorage | undefined; readonly deadLetters: PipelineDeadLetter[] },
): Promise<ThreadedEnd> {
  const { threaded } = setup;
  const { ledger, storage, run } = context;
  if (threaded === undefined || storage === undefined) throw new Error('sluice/testing: a workers fault needs the check to have a job module and checkpoints');
  return runThreaded({
    start: threaded,
    fault,
    run,
    delivered: setup.delivered,
    schedule: setup.schedule,
    storage,
    // As every run's: the tokens it commits are wrapped as the engine's runs wrap theirs.
    sink: commitGate(setup.sink(setup.store), () => false),
    partitions: ledger.partitions,
    runOptions: setup.runOptions,
    deadLetters: context.deadLetters,
    events: ledger.events,
  });
}

/** The input records the newest complete checkpoint in `storage` covers (0 when there is none). */
async function resumePoint(storage: CheckpointStorage | undefined): Promise<number> {
  const latest = await storage?.latest();
  return typeof latest?.manifest.source.offset === 'number' ? latest.manifest.source.offset : 0;
}

interface RunContext {
  /** The number of the run to start. */
  readonly run: number;
  readonly clock: VirtualClock;
  readonly ledger: FaultLedger;
  readonly taken: Set<number>;
  readonly storage: CheckpointStorage | undefined;
  readonly deadLetters: PipelineDeadLetter[];
  readonly countSteps: (steps: number) => void;
  /** The offsets the schedule takes checkpoints at (none without storage): the same for every run of the case. */
  readonly plannedCheckpoints: ReadonlySet<number>;
  /** The schedule's ticks, by step. */
  readonly ticks: readonly Tick[];
  /** A live swap's next version took over from a checkpoint covering `after` records. */
  readonly tookOver: (after: number) => void;
}

/** A version of the job the engine drives: its handle, the gate its source waits at, its run's number, and how it ended. */
interface Driven {
  readonly handle: PipelineHandle;
  readonly gate: GateControl;
  readonly run: number;
  end: RunEnd | undefined;
}

/**
 * What holds the source back, when something does: a checkpoint being taken; a kill or a live
 * swap armed, due once `steps` more steps have run; a live swap under way (the old version
 * stopping, the next one starting, over a gate of its own).
 */
type Hold =
  | { readonly kind: 'checkpoint'; done: boolean }
  | { readonly kind: 'armed'; readonly then: Due['kind']; steps: number }
  | { readonly kind: 'swapping'; readonly swap: LiveSwap; readonly gate: GateControl; readonly run: number };

/**
 * One run, step by step: at each step the schedule picks a ready actor (one slice of it) or the
 * source (one record); a checkpoint is requested, or a kill or live swap armed, as the source
 * reaches its offset; virtual time moves at the schedule's ticks, and to the next timer when
 * nothing else can happen. Between steps, promise callbacks settle. A live swap goes on in the
 * same host, on the same dispatcher and clock: the loop then drives the next version's run.
 */
async function runOnce<TRecord, TOut>(setup: CaseSetup<TRecord, TOut>, context: RunContext): Promise<RunEnd> {
  const { schedule, delivered } = setup;
  const { clock, ledger, taken, storage } = context;
  const { plannedCheckpoints, ticks } = context;
  const scheduler = new ManualScheduler();
  let killNow = false;
  let currentPick = 0;
  let sourceChoosable = false;
  let driven: Driven;

  // Called by the dispatcher at each turn: the schedule's value picks among the ready actors and,
  // last, the source; picking the source lets it deliver and runs no actor this turn.
  const pick = (ready: number): number => {
    const choice = currentPick % (ready + (sourceChoosable ? 1 : 0));
    if (choice < ready) return choice;
    driven.gate.open();
    return -1;
  };
  // Every run's system takes its turns from this one dispatcher, a live swap's next run too.
  const system = (run: number) => (options: SystemOptions) => createSystemWithScheduler({ ...options, random: mulberry32(run) }, scheduler.schedule, pick);
  /** The job's version for run `run`, over a gate and a sink of its own, as a new run in a host would have them. */
  const version = (run: number): { readonly pipeline: RunnablePipeline; readonly gate: GateControl } => {
    const gate = new SourceGate(delivered);
    const sink = commitGate(setup.sink(setup.store), (checkpoint) => (killNow = ledger.killsBeforeCommit(checkpoint, run)));
    return { gate, pipeline: setup.build(gatedSource(gate), sink, ledger.partitions, ledger.upgraded) };
  };
  const follow = (handle: PipelineHandle, gate: GateControl, run: number): Driven => {
    const followed: Driven = { handle, gate, run, end: undefined };
    handle.done.then(
      (result) => (followed.end = { kind: 'completed', resumedFrom: result.resumedFrom, run }),
      (error: unknown) => (followed.end = { kind: 'failed', error, run }),
    );
    return followed;
  };
  const deadLetterSink: Sink<PipelineDeadLetter> = { name: 'test-dead-letters', write: (letters) => void context.deadLetters.push(...letters) };
  const first = version(context.run);
  driven = follow(
    first.pipeline.run({
      ...setup.runOptions,
      batchSize: schedule.batchSize,
      mailboxBatches: schedule.mailboxBatches,
      clock,
      system: system(context.run),
      crashAt: ledger.crashAt(context.run),
      deadLetters: deadLetterSink,
      // Checkpoints only when the engine asks, and none ever deleted: nothing is written behind its back.
      ...(storage === undefined ? {} : { checkpoint: { storage, interval: Infinity, keep: 1_000_000 } }),
    }),
    first.gate,
    context.run,
  );

  let step = 0;
  /** The step the driven run started at: `maxSteps` bounds each run, a swap's next one too. */
  let runStart = 0;
  let nextTick = 0;
  let hold: Hold | undefined;
  let idleSince: number | undefined;
  /** Whether the event loop has had a turn since anything last ran. */
  let loopTurned = false;
  let end: RunEnd | undefined;
  const stop = (ended: RunEnd): typeof STOP => {
    end = ended;
    return STOP;
  };
  /** Moves time by the schedule's ticks due at this step. */
  const advanceTicks = async (): Promise<void> => {
    for (; nextTick < ticks.length && (ticks[nextTick] as Tick).step <= step; nextTick++) await clock.advance((ticks[nextTick] as Tick).ms, settled);
  };
  /** Takes this step's pick: one slice of a ready actor, or the source's record. */
  const takePick = (sourceReady: boolean): void => {
    if (step - runStart >= setup.maxSteps)
      throw new StuckRunError(`sluice/testing: run ${driven.run} is still busy after ${setup.maxSteps} steps (a livelock?)`);
    currentPick = schedule.picks.length === 0 ? 0 : (schedule.picks[step % schedule.picks.length] as number);
    step++;
    if (hold?.kind === 'armed') hold.steps--;
    // A tick may have changed what is ready: look again.
    if (scheduler.pending > 0) {
      sourceChoosable = sourceReady && driven.gate.waiting !== undefined;
      scheduler.runNext();
    } else if (sourceReady && driven.gate.waiting !== undefined) {
      driven.gate.open();
    }
  };
  /** After a turn of the event loop with nothing ready: file I/O is under way (a checkpoint in a folder), or the run is stuck. */
  const checkStall = (waiting: number | undefined): void => {
    idleSince ??= performance.now();
    if (performance.now() - idleSince > setup.stallMs) {
      const source = hold?.kind === 'swapping' ? 'is held for a live upgrade' : waiting === undefined ? 'is not waiting' : `waits at record ${waiting}`;
      throw new StuckRunError(
        `sluice/testing: run ${driven.run} made no progress for ${setup.stallMs} ms: no actor is ready, the source ${source}, and no timer is due (a deadlock?)`,
      );
    }
  };
  const turnThenCheckStall = (waiting: number | undefined): Promise<void> => macrotask().then(() => checkStall(waiting));
  /** Takes the pick once the ticks due at this step moved time. */
  const ticksThenPick = (sourceReady: boolean): Promise<void> => advanceTicks().then(() => takePick(sourceReady));
  /** Asks the run for the checkpoint planned at offset `waiting`, and holds the source until it is over. */
  const askCheckpoint = (waiting: number): void => {
    taken.add(waiting);
    const request: Hold = { kind: 'checkpoint', done: false };
    const run = driven.run;
    hold = request;
    driven.handle.checkpoint().then(
      (id) => {
        ledger.events.push(`checkpoint ${id} after ${records(waiting)} (run ${run})`);
        request.done = true;
      },
      () => void (request.done = true),
    );
  };
  // One step, taken once promise callbacks settled after the last. Its closures are made by the
  // helpers above: a variable of its own that a closure captured would cost a context at every step.
  const takeStep = (): StepOutcome => {
    if (killNow) return stop({ kind: 'killed', run: driven.run });
    if (hold?.kind === 'swapping') {
      // The old run's `done` resolves as the swap begins: only the swap's outcome ends it.
      const outcome = hold.swap.outcome;
      if (outcome?.kind === 'failed') return stop({ kind: 'failed', error: outcome.error, run: driven.run });
      if (outcome?.kind === 'fell-back') {
        ledger.events.push(`the next version could not start live, and the old version went on from the swap's checkpoint (run ${hold.run})`);
        return stop({ kind: 'failed', error: outcome.error, run: hold.run });
      }
      if (outcome?.kind === 'took-over') {
        const from = outcome.checkpoint;
        // `upgrade` promises a stop at a checkpoint: without one, the model could not be told where the swap took hold.
        if (from === undefined) {
          const error = new Error('handle.upgrade(next) resolved, yet the old version completed no checkpoint as it stopped');
          return stop({ kind: 'failed', error, run: hold.run });
        }
        ledger.events.push(`the next version took over live from checkpoint ${from.id}, after ${records(from.offset)} (run ${hold.run})`);
        context.tookOver(from.offset);
        driven = follow(outcome.handle, hold.gate, hold.run);
        runStart = step;
        hold = undefined;
      }
    } else if (driven.end !== undefined) {
      return stop(driven.end);
    }
    // A swap's old source is left waiting at its gate, abandoned: the source is the next version's once it waits at its own.
    const waiting = hold?.kind === 'swapping' ? undefined : driven.gate.waiting;
    /** Whether this step asked for a checkpoint, whose promise callbacks have not run yet. */
    let asked = false;
    if (waiting !== undefined && hold === undefined) {
      if (plannedCheckpoints.has(waiting) && !taken.has(waiting)) {
        asked = true;
        askCheckpoint(waiting);
      } else {
        const due = ledger.dueAt(waiting, driven.run);
        if (due !== undefined) hold = { kind: 'armed', then: due.kind, steps: due.steps };
      }
    }
    // Held until what the checkpoint set going is over too (its commit reached the sink), so the
    // source moves on only once nothing but it can.
    if (hold?.kind === 'checkpoint' && hold.done && scheduler.pending === 0) {
      hold = undefined;
      // Look at the offset again before the source moves on: a kill due where the checkpoint was taken is armed now.
      return undefined;
    }
    const actorsReady = scheduler.pending > 0;
    const sourceReady = waiting !== undefined && hold === undefined;
    if (hold?.kind === 'armed' && !actorsReady && hold.steps > 0 && clock.nextDue !== undefined) {
      // Steps left and nothing ready: time moves to the next timer as the run would have it
      // (a lingering batch flushes, a watermark goes out), so what the source let in before
      // the kill can reach the sink: what a resume must not write twice, or lose.
      hold.steps--;
      return clock.advance(clock.nextDue - clock.now(), settled);
    }
    if (hold?.kind === 'armed' && (hold.steps <= 0 || !actorsReady)) {
      if (hold.then === 'kill') return stop({ kind: 'killed', run: driven.run });
      const run = driven.run + 1;
      const next = version(run);
      // The rest of the run options carry over, as `upgrade` promises: the clock, the checkpoints, the schedule's batches.
      hold = { kind: 'swapping', swap: swapLive(driven.handle, next.pipeline, { system: system(run), crashAt: ledger.crashAt(run) }), gate: next.gate, run };
      return undefined;
    }
    if (actorsReady || sourceReady) {
      idleSince = undefined;
      loopTurned = false;
      if (nextTick < ticks.length && (ticks[nextTick] as Tick).step <= step) return ticksThenPick(sourceReady);
      takePick(sourceReady);
      return undefined;
    }
    // A checkpoint asked for just now has not reached an actor yet: let its promise callbacks run first.
    if (asked) return undefined;
    // Nothing is ready once promise callbacks settled. With the source away from its gate, work
    // may still wait on the event loop (the driver yields to it every few thousand records): one
    // macrotask lets it go on first, so time moves only when nothing at all can happen.
    if (!loopTurned && waiting === undefined) {
      loopTurned = true;
      return macrotask();
    }
    const due = clock.nextDue;
    // Time stands still while a checkpoint is taken or a swap is under way, as it does for their file writes.
    if (hold === undefined && due !== undefined) {
      idleSince = undefined;
      loopTurned = false;
      return clock.advance(due - clock.now(), settled);
    }
    return turnThenCheckStall(waiting);
  };
  try {
    await driveSteps(takeStep);
    return end as RunEnd;
  } finally {
    context.countSteps(step);
  }
}
