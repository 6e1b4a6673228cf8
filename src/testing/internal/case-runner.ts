/**
 * Runs one test case of a pipeline on a deterministic schedule: the run's actor system has a
 * manual dispatcher whose every turn runs one slice of the actor the schedule picks, the source
 * delivers a record only when picked, virtual time moves at the schedule's ticks (and when nothing
 * else can happen), partition actors throw where the fault plan says, and a crash abandons the run
 * where it stands — its actors never run again, as after SIGKILL — for a new run on the same
 * checkpoint folder. The same case runs the same way every time: checkpoints are taken while the
 * source is held, so their file writes end before anything else can depend on when they do.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { SystemOptions } from '../../actors/actor-system.js';
import { createSystemWithScheduler } from '../../actors/system.js';
import { mulberry32 } from '../../internal/mulberry32.js';
import type { PipelineDeadLetter } from '../../streams/run/messages.js';
import type { RunOptions } from '../../streams/run-options.js';
import type { RunnablePipeline } from '../check-pipeline.js';
import type { CheckpointStorage } from '../../streams/checkpoint/checkpoint-storage.js';
import { FolderCheckpointStorage } from '../../streams/checkpoint/folder-checkpoint-storage.js';
import { MemoryCheckpointStorage } from '../../streams/checkpoint/memory-checkpoint-storage.js';
import type { Sink } from '../../streams/sinks/sink.js';
import type { Source } from '../../streams/sources/source.js';
import type { FaultPlan } from '../faults.js';
import { ManualScheduler } from '../manual-scheduler.js';
import type { OutputStore } from '../output-store.js';
import { checkpointOffsets, type Schedule, type Tick } from '../schedule.js';
import { VirtualClock } from '../virtual-clock.js';
import { commitGate } from './commit-gate.js';
import { FaultLedger, records } from './fault-ledger.js';
import { gatedSource, SourceGate } from './gated-source.js';

export interface CaseSetup<TRecord, TOut> {
  /**
   * Builds the pipeline over the source and sink; called for every run (a resumed one too), with
   * the run's partition count when the plan has one (rescale faults), and `next` true once the
   * plan's upgrade has struck (the job's next version runs).
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
   * version resumed from covers (0 when none was complete), the output of those being the old
   * version's. Undefined when the plan has no upgrade, or the case ended before it.
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

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Resolves once every promise callback queued so far has run, and every one they queued in turn:
 * Node runs the next-tick queue only when the microtask queue is empty. Cheaper than a macrotask,
 * which also polls for I/O; the engine takes one of those only when nothing else can run.
 */
const settled = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

type RunEnd =
  { readonly kind: 'completed'; readonly resumedFrom: number | undefined } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'killed' };

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
  try {
    for (let run = 1; ; run++) {
      const clock = new VirtualClock(now);
      const upgradedBefore = ledger.upgraded;
      const end = await runOnce(setup, { run, clock, ledger, taken, storage, deadLetters, countSteps: (n) => (steps += n) });
      now = clock.now();
      // The run the upgrade killed: what the next version resumes from is what the storage holds now.
      if (ledger.upgraded && !upgradedBefore) upgradedAfter = await resumePoint(storage);
      // A killed run is abandoned as it stands: its dispatcher never runs another turn, its source
      // is never let go, its timers never fire. Only what reached the store and the folder remains.
      if (end.kind === 'killed') continue;
      if (end.kind === 'completed' && run > 1) {
        ledger.events.push(
          `run ${run} resumed from ${end.resumedFrom === undefined ? 'the start: no checkpoint was complete' : `checkpoint ${end.resumedFrom}`}`,
        );
      }
      return {
        outcome: end.kind === 'completed' ? { kind: 'completed' } : { kind: 'failed', error: end.error },
        deadLetters,
        events: ledger.events,
        poisoned: ledger.poisoned,
        runs: run,
        steps,
        upgradedAfter,
      };
    }
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** The input records the newest complete checkpoint in `storage` covers (0 when there is none). */
async function resumePoint(storage: CheckpointStorage | undefined): Promise<number> {
  const latest = await storage?.latest();
  return typeof latest?.manifest.source.offset === 'number' ? latest.manifest.source.offset : 0;
}

interface RunContext {
  readonly run: number;
  readonly clock: VirtualClock;
  readonly ledger: FaultLedger;
  readonly taken: Set<number>;
  readonly storage: CheckpointStorage | undefined;
  readonly deadLetters: PipelineDeadLetter[];
  readonly countSteps: (steps: number) => void;
}

/**
 * One run, step by step: at each step the schedule picks a ready actor (one slice of it) or the
 * source (one record); a checkpoint is requested, or a crash armed, as the source reaches its
 * offset; virtual time moves at the schedule's ticks, and to the next timer when nothing else can
 * happen. Between steps, promise callbacks settle.
 */
async function runOnce<TRecord, TOut>(setup: CaseSetup<TRecord, TOut>, context: RunContext): Promise<RunEnd> {
  const { schedule, delivered } = setup;
  const { run, clock, ledger, taken, storage } = context;
  const plannedCheckpoints = new Set(storage === undefined ? [] : checkpointOffsets(schedule, delivered.length));
  const ticks = [...schedule.ticks].sort((a, b) => a.step - b.step);
  const scheduler = new ManualScheduler();
  const gate = new SourceGate();
  let killNow = false;
  let currentPick = 0;
  let sourceChoosable = false;

  // Called by the dispatcher at each turn: the schedule's value picks among the ready actors and,
  // last, the source; picking the source lets it deliver and runs no actor this turn.
  const pick = (ready: number): number => {
    const choice = currentPick % (ready + (sourceChoosable ? 1 : 0));
    if (choice < ready) return choice;
    gate.open();
    return -1;
  };
  const sink = commitGate(setup.sink(setup.store), (checkpoint) => (killNow = ledger.killsBeforeCommit(checkpoint, run)));
  const deadLetterSink: Sink<PipelineDeadLetter> = { name: 'test-dead-letters', write: (letters) => void context.deadLetters.push(...letters) };
  const handle = setup.build(gatedSource(delivered, gate), sink, ledger.partitions, ledger.upgraded).run({
    ...setup.runOptions,
    batchSize: schedule.batchSize,
    mailboxBatches: schedule.mailboxBatches,
    clock,
    system: (options: SystemOptions) => createSystemWithScheduler({ ...options, random: mulberry32(run) }, scheduler.schedule, pick),
    crashAt: ledger.crashAt(run),
    deadLetters: deadLetterSink,
    // Checkpoints only when the engine asks, and none ever deleted: nothing is written behind its back.
    ...(storage === undefined ? {} : { checkpoint: { storage, interval: Infinity, keep: 1_000_000 } }),
  });
  let end: RunEnd | undefined;
  handle.done.then(
    (result) => (end = { kind: 'completed', resumedFrom: result.resumedFrom }),
    (error: unknown) => (end = { kind: 'failed', error }),
  );

  let step = 0;
  let nextTick = 0;
  let checkpoint: { done: boolean } | undefined;
  let countdown: number | undefined;
  let idleSince: number | undefined;
  /** Whether the event loop has had a turn since anything last ran. */
  let loopTurned = false;
  try {
    for (;;) {
      await settled();
      if (end !== undefined) return end;
      if (killNow) return { kind: 'killed' };
      const waiting = gate.waiting;
      if (waiting !== undefined && checkpoint === undefined && countdown === undefined) {
        if (plannedCheckpoints.has(waiting) && !taken.has(waiting)) {
          taken.add(waiting);
          const request = { done: false };
          checkpoint = request;
          handle.checkpoint().then(
            (id) => {
              ledger.events.push(`checkpoint ${id} after ${records(waiting)} (run ${run})`);
              request.done = true;
            },
            () => void (request.done = true),
          );
        } else {
          countdown = ledger.killsAt(waiting, run);
        }
      }
      if (checkpoint?.done === true) {
        checkpoint = undefined;
        // Look at the offset again before the source moves on: a kill due where the checkpoint was taken is armed now.
        continue;
      }
      const actorsReady = scheduler.pending > 0;
      // The source is held while a checkpoint is taken, and once a crash is armed.
      const sourceReady = waiting !== undefined && checkpoint === undefined && countdown === undefined;
      if (countdown !== undefined && (countdown <= 0 || !actorsReady)) return { kind: 'killed' };
      if (actorsReady || sourceReady) {
        idleSince = undefined;
        loopTurned = false;
        for (; nextTick < ticks.length && (ticks[nextTick] as Tick).step <= step; nextTick++) await clock.advance((ticks[nextTick] as Tick).ms, macrotask);
        if (step >= setup.maxSteps) throw new StuckRunError(`sluice/testing: run ${run} is still busy after ${setup.maxSteps} steps (a livelock?)`);
        currentPick = schedule.picks.length === 0 ? 0 : (schedule.picks[step % schedule.picks.length] as number);
        step++;
        if (countdown !== undefined) countdown--;
        // A tick may have changed what is ready: look again.
        if (scheduler.pending > 0) {
          sourceChoosable = sourceReady && gate.waiting !== undefined;
          scheduler.runNext();
        } else if (sourceReady && gate.waiting !== undefined) {
          gate.open();
        }
        continue;
      }
      // Nothing is ready once promise callbacks settled. With the source away from its gate, work
      // may still wait on the event loop (the driver yields to it every few thousand records): one
      // macrotask lets it go on first, so time moves only when nothing at all can happen.
      if (!loopTurned && waiting === undefined) {
        loopTurned = true;
        await macrotask();
        continue;
      }
      const due = clock.nextDue;
      if (checkpoint === undefined && due !== undefined) {
        idleSince = undefined;
        loopTurned = false;
        await clock.advance(due - clock.now(), macrotask);
        continue;
      }
      // Still nothing: file I/O is under way (a checkpoint in a folder), or the run is stuck.
      await macrotask();
      idleSince ??= performance.now();
      if (performance.now() - idleSince > setup.stallMs) {
        const source = waiting === undefined ? 'is not waiting' : `waits at record ${waiting}`;
        throw new StuckRunError(
          `sluice/testing: run ${run} made no progress for ${setup.stallMs} ms: no actor is ready, the source ${source}, and no timer is due (a deadlock?)`,
        );
      }
    }
  } finally {
    context.countSteps(step);
  }
}
