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
import type { ChaosTarget } from '../../streams/run/chaos.js';
import type { CheckpointStorage } from '../../streams/checkpoint/checkpoint-storage.js';
import { FolderCheckpointStorage } from '../../streams/checkpoint/folder-checkpoint-storage.js';
import { MemoryCheckpointStorage } from '../../streams/checkpoint/memory-checkpoint-storage.js';
import type { Sink } from '../../streams/sinks/sink.js';
import type { Source } from '../../streams/sources/source.js';
import {
  ordinal,
  type CommitCrashFault,
  type CrashFault,
  type Fault,
  type FaultPlan,
  type PoisonFault,
  type RescaleFault,
  type ThrowFault,
  type UpgradePoint,
} from '../faults.js';
import { ManualScheduler } from '../manual-scheduler.js';
import type { OutputStore } from '../output-store.js';
import { checkpointOffsets, type Schedule, type Tick } from '../schedule.js';
import { VirtualClock } from '../virtual-clock.js';
import { macrotask, settled } from './event-loop.js';
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

interface WrappedToken {
  readonly checkpoint: number;
  readonly token?: unknown;
}

/**
 * The sink as the pipeline sees it: the test's sink, with its checkpoint tokens wrapped so the
 * kit knows which checkpoint a commit is for, and can hold that commit back for a crash.
 */
function commitGate<TOut>(inner: Sink<TOut>, holdCommit: (checkpoint: number) => boolean): Sink<TOut> {
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

/** Whether a fault of a partition actor names `target`'s stage and, when it names one, its partition. */
function aims(fault: ThrowFault | PoisonFault, target: ChaosTarget): boolean {
  return fault.stage % target.stages === target.stage && (fault.partition === undefined || fault.partition % target.partitions === target.partition);
}

function records(n: number): string {
  return `${n} record${n === 1 ? '' : 's'}`;
}

type RunEnd =
  { readonly kind: 'completed'; readonly resumedFrom: number | undefined } | { readonly kind: 'failed'; readonly error: unknown } | { readonly kind: 'killed' };

/** The faults of one case as they strike, over all its runs: each strikes once (poison for good). */
class FaultLedger {
  readonly events: string[] = [];
  readonly #struck = new Set<Fault>();
  /** The partition each stage-wide poison fault struck. */
  readonly #poisoned = new Map<PoisonFault, number>();
  readonly #actorFaults: readonly (ThrowFault | PoisonFault)[];
  readonly #crashes: readonly (CrashFault | RescaleFault)[];
  readonly #commitCrashes: readonly CommitCrashFault[];
  readonly #upgrade: UpgradePoint | undefined;
  /** Whether the upgrade struck: the runs from then on are the next version's. */
  upgraded = false;
  readonly #records: number;
  /** The partition count the next run is given: the plan's, until a rescale changes it. */
  #partitions: number | undefined;

  constructor(plan: FaultPlan, records: number) {
    this.#actorFaults = plan.faults.filter((f): f is ThrowFault | PoisonFault => f.kind === 'throw' || f.kind === 'poison');
    this.#crashes = plan.faults.filter((f): f is CrashFault | RescaleFault => f.kind === 'crash' || f.kind === 'rescale');
    this.#partitions = plan.partitions;
    this.#commitCrashes = plan.faults.filter((f): f is CommitCrashFault => f.kind === 'crash-before-commit');
    this.#upgrade = plan.upgrade;
    this.#records = records;
  }

  get poisoned(): boolean {
    return this.#actorFaults.some((f) => f.kind === 'poison' && this.#struck.has(f));
  }

  /**
   * The run's `crashAt`: whether `target` throws as it takes its `n`-th record or marker. A fault
   * without a partition counts what the whole stage takes in this run, and the partition it
   * poisons stays poisoned in later runs.
   */
  crashAt(run: number): (target: ChaosTarget, n: number) => boolean {
    const stageTaken = new Map<number, number>();
    return (target, n) => {
      const stageN = (stageTaken.get(target.stage) ?? 0) + 1;
      stageTaken.set(target.stage, stageN);
      for (const fault of this.#actorFaults) {
        if (!aims(fault, target)) continue;
        const struck = this.#struck.has(fault);
        if (fault.kind === 'throw') {
          if (struck || (fault.partition === undefined ? stageN : n) !== fault.at) continue;
        } else if (struck) {
          if (fault.partition === undefined && this.#poisoned.get(fault) !== target.partition) continue;
        } else if ((fault.partition === undefined ? stageN : n) < fault.at) {
          continue;
        }
        if (!struck) {
          this.events.push(`${target.actor} ${fault.kind === 'throw' ? 'threw' : 'was poisoned'} at its ${ordinal(n)} record or marker (run ${run})`);
          this.#struck.add(fault);
          if (fault.kind === 'poison') this.#poisoned.set(fault, target.partition);
        }
        return true;
      }
      return false;
    };
  }

  /** Whether the run dies before the sink commits `checkpoint`. */
  killsBeforeCommit(checkpoint: number, run: number): boolean {
    const fault = this.#commitCrashes.find((f) => f.checkpoint === checkpoint && !this.#struck.has(f));
    if (fault === undefined) return false;
    this.#struck.add(fault);
    this.events.push(`killed once checkpoint ${checkpoint} was durable, before the sink committed it (run ${run})`);
    return true;
  }

  /** The partition count of the next run (undefined when the plan leaves counts to the pipeline). */
  get partitions(): number | undefined {
    return this.#partitions;
  }

  /**
   * How many more steps the run lives, when a crash or rescale is due with the source at `offset`;
   * a rescale sets the partition count the next run is given.
   */
  killsAt(offset: number, run: number): number | undefined {
    const fault = this.#crashes.find((f) => f.afterRecords % (this.#records + 1) === offset && !this.#struck.has(f));
    if (fault === undefined) return this.#upgradesAt(offset, run);
    this.#struck.add(fault);
    const resumed = fault.kind === 'rescale' ? `, to resume with ${fault.partitions} partition${fault.partitions === 1 ? '' : 's'}` : '';
    if (fault.kind === 'rescale') this.#partitions = fault.partitions;
    this.events.push(`killed after ${records(offset)}${fault.steps === 0 ? '' : ` and ${fault.steps} more steps`}${resumed} (run ${run})`);
    return fault.steps;
  }

  /** How many more steps the run lives when the upgrade is due at `offset`; the runs after it are the next version's. */
  #upgradesAt(offset: number, run: number): number | undefined {
    const upgrade = this.#upgrade;
    if (upgrade === undefined || this.upgraded || upgrade.afterRecords % (this.#records + 1) !== offset) return undefined;
    this.upgraded = true;
    const steps = upgrade.steps === 0 ? '' : ` and ${upgrade.steps} more steps`;
    this.events.push(`killed after ${records(offset)}${steps}, to resume as the next version (run ${run})`);
    return upgrade.steps;
  }
}

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
