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
import { createSystemWithScheduler, type SystemOptions } from '../../actors/system.js';
import { mulberry32 } from '../../internal/mulberry32.js';
import type { PipelineDeadLetter } from '../../streams/run/messages.js';
import type { PipelineHandle, RunOptions } from '../../streams/run/run-pipeline.js';
import type { ChaosTarget } from '../../streams/run/chaos.js';
import type { Sink } from '../../streams/sinks/sink.js';
import type { Source } from '../../streams/sources/source.js';
import { ordinal, type CommitCrashFault, type CrashFault, type Fault, type FaultPlan, type PoisonFault, type ThrowFault } from '../faults.js';
import { ManualScheduler } from '../manual-scheduler.js';
import type { OutputStore } from '../output-store.js';
import { checkpointOffsets, type Schedule } from '../schedule.js';
import { VirtualClock } from '../virtual-clock.js';
import { gatedSource, SourceGate } from './gated-source.js';

/** Something that runs: what `Stream.to(sink)` returns. */
export interface Runnable {
  run(options?: RunOptions): PipelineHandle;
}

export interface CaseSetup<TRecord, TOut> {
  /** Builds the pipeline over the source and sink; called for every run (a resumed one too). */
  readonly build: (source: Source<TRecord, number>, sink: Sink<TOut>) => Runnable;
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
  /** Where each case's checkpoint folder is made (and removed). */
  readonly checkpointRoot: string;
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
}

/** Thrown when a run makes no progress or never ends: a deadlock or a livelock in the pipeline. */
export class StuckRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StuckRunError';
  }
}

const macrotask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

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
    write: (records) => inner.write(records),
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

function strikes(fault: ThrowFault | PoisonFault, target: ChaosTarget): boolean {
  return fault.stage % target.stages === target.stage && fault.partition % target.partitions === target.partition;
}

export async function runCase<TRecord, TOut>(setup: CaseSetup<TRecord, TOut>): Promise<CaseReport> {
  const { schedule, faults, delivered } = setup;
  const events: string[] = [];
  const deadLetters: PipelineDeadLetter[] = [];
  const struck = new Set<Fault>();
  const actorFaults = faults.faults.filter((f): f is ThrowFault | PoisonFault => f.kind === 'throw' || f.kind === 'poison');
  const crashes = faults.faults.filter((f): f is CrashFault => f.kind === 'crash');
  const commitCrashes = faults.faults.filter((f): f is CommitCrashFault => f.kind === 'crash-before-commit');
  const plannedCheckpoints = new Set(setup.checkpoints ? checkpointOffsets(schedule, delivered.length) : []);
  const taken = new Set<number>();
  const ticks = [...schedule.ticks].sort((a, b) => a.step - b.step);
  let run = 0;
  let totalSteps = 0;
  let now = 0;
  const dir = setup.checkpoints ? await mkdtemp(join(setup.checkpointRoot, 'sluice-check-')) : undefined;

  try {
    for (;;) {
      run++;
      const scheduler = new ManualScheduler();
      const clock = new VirtualClock(now);
      const gate = new SourceGate();
      let killNow = false;
      let currentPick = 0;
      let sourceChoosable = false;
      const thisRun = run;

      const crashAt = (target: ChaosTarget, n: number): boolean => {
        for (const fault of actorFaults) {
          if (!strikes(fault, target)) continue;
          if (fault.kind === 'throw') {
            if (struck.has(fault) || n !== fault.at) continue;
            struck.add(fault);
            events.push(`${target.actor} threw at its ${ordinal(n)} record or marker (run ${thisRun})`);
            return true;
          }
          if (struck.has(fault) || n >= fault.at) {
            if (!struck.has(fault)) events.push(`${target.actor} was poisoned at its ${ordinal(n)} record or marker (run ${thisRun})`);
            struck.add(fault);
            return true;
          }
        }
        return false;
      };
      const holdCommit = (checkpoint: number): boolean => {
        const fault = commitCrashes.find((f) => f.checkpoint === checkpoint && !struck.has(f));
        if (fault === undefined) return false;
        struck.add(fault);
        events.push(`killed once checkpoint ${checkpoint} was durable, before the sink committed it (run ${thisRun})`);
        killNow = true;
        return true;
      };
      const pick = (ready: number): number => {
        const choice = currentPick % (ready + (sourceChoosable ? 1 : 0));
        if (choice < ready) return choice;
        gate.open();
        return -1;
      };
      const makeSystem = (options: SystemOptions) => createSystemWithScheduler({ ...options, random: mulberry32(run) }, scheduler.schedule, pick);

      const sink = commitGate(setup.sink(setup.store), holdCommit);
      const deadLetterSink: Sink<PipelineDeadLetter> = { name: 'test-dead-letters', write: (letters) => void deadLetters.push(...letters) };
      const handle = setup.build(gatedSource(delivered, gate), sink).run({
        ...setup.runOptions,
        batchSize: schedule.batchSize,
        mailboxBatches: schedule.mailboxBatches,
        clock,
        system: makeSystem,
        crashAt,
        deadLetters: deadLetterSink,
        ...(dir === undefined ? {} : { checkpoint: { dir, interval: Infinity, keep: 1_000_000 } }),
      });
      let settled: { ok: true; resumedFrom: number | undefined } | { ok: false; error: unknown } | undefined;
      handle.done.then(
        (result) => (settled = { ok: true, resumedFrom: result.resumedFrom }),
        (error: unknown) => (settled = { ok: false, error }),
      );

      let step = 0;
      let nextTick = 0;
      let pending: { done: boolean } | undefined;
      let countdown: number | undefined;
      let idleSince: number | undefined;
      let killed = false;
      for (;;) {
        await macrotask();
        if (settled !== undefined) break;
        if (killNow) {
          killed = true;
          break;
        }
        const waiting = gate.waiting;
        if (waiting !== undefined && pending === undefined && countdown === undefined) {
          if (plannedCheckpoints.has(waiting) && !taken.has(waiting)) {
            taken.add(waiting);
            const request = { done: false };
            pending = request;
            events.push(`checkpoint after ${waiting} record${waiting === 1 ? '' : 's'} (run ${run})`);
            handle.checkpoint().then(
              () => (request.done = true),
              () => (request.done = true),
            );
          } else {
            const crash = crashes.find((f) => f.afterRecords % (delivered.length + 1) === waiting && !struck.has(f));
            if (crash !== undefined) {
              struck.add(crash);
              countdown = crash.steps;
              events.push(`killed after ${waiting} record${waiting === 1 ? '' : 's'}${crash.steps === 0 ? '' : ` and ${crash.steps} more steps`} (run ${run})`);
            }
          }
        }
        if (pending?.done === true) pending = undefined;
        const actorsReady = scheduler.pending > 0;
        const sourceReady = waiting !== undefined && pending === undefined && countdown === undefined;
        if (countdown !== undefined && (countdown <= 0 || !actorsReady)) {
          killed = true;
          break;
        }
        if (actorsReady || sourceReady) {
          idleSince = undefined;
          while (nextTick < ticks.length && (ticks[nextTick] as { step: number }).step <= step) {
            await clock.advance((ticks[nextTick] as { ms: number }).ms, macrotask);
            nextTick++;
          }
          if (step >= setup.maxSteps) throw new StuckRunError(`sluice/testing: run ${run} is still busy after ${setup.maxSteps} steps (a livelock?)`);
          currentPick = schedule.picks.length === 0 ? 0 : (schedule.picks[step % schedule.picks.length] as number);
          step++;
          if (countdown !== undefined) countdown--;
          // A tick may have made a different set ready: look again.
          if (scheduler.pending > 0) {
            sourceChoosable = gate.waiting !== undefined && sourceReady;
            scheduler.runNext();
          } else if (sourceReady && gate.waiting !== undefined) {
            gate.open();
          }
          continue;
        }
        if (pending === undefined) {
          const due = clock.nextDue;
          if (due !== undefined) {
            idleSince = undefined;
            await clock.advance(due - clock.now(), macrotask);
            continue;
          }
        }
        // Nothing can run: file I/O is under way (a checkpoint), or the run is stuck.
        idleSince ??= performance.now();
        if (performance.now() - idleSince > setup.stallMs) {
          throw new StuckRunError(
            `sluice/testing: run ${run} made no progress for ${setup.stallMs} ms: no actor is ready, the source ${waiting === undefined ? 'is not waiting' : `waits at record ${waiting}`}, and no timer is due (a deadlock?)`,
          );
        }
      }
      totalSteps += step;
      now = clock.now();
      if (killed) {
        // The run is abandoned as it stands: its dispatcher never runs another turn, its source is
        // never let go, its timers never fire. Only what reached the store and the folder remains.
        continue;
      }
      const outcome = settled as { ok: true; resumedFrom: number | undefined } | { ok: false; error: unknown };
      if (outcome.ok && run > 1) events.push(`run ${run} resumed from ${outcome.resumedFrom === undefined ? 'the start: no checkpoint was complete' : `checkpoint ${outcome.resumedFrom}`}`);
      return {
        outcome: outcome.ok ? { kind: 'completed' } : { kind: 'failed', error: outcome.error },
        deadLetters,
        events,
        poisoned: actorFaults.some((f) => f.kind === 'poison' && struck.has(f)),
        runs: run,
        steps: totalSteps,
      };
    }
  } finally {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}
