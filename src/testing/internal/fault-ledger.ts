/**
 * The faults of one case as they strike, over all its runs: each strikes once (poison for good),
 * in the order the engine reaches them. The ledger answers the engine's questions — does this
 * actor throw now, does this commit die, is a kill or the upgrade due at this offset — and keeps
 * what struck, in words, for the case's report.
 */
import type { ChaosTarget } from '../../streams/run/chaos.js';
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
  type WorkersFault,
} from '../faults.js';

/** Whether a fault of a partition actor names `target`'s stage and, when it names one, its partition. */
function aims(fault: ThrowFault | PoisonFault, target: ChaosTarget): boolean {
  return fault.stage % target.stages === target.stage && (fault.partition === undefined || fault.partition % target.partitions === target.partition);
}

/**
 * What the engine does once `steps` more steps have run: kill the run where it stands, or swap in
 * the job's next version live (`handle.upgrade`).
 */
export interface Due {
  readonly kind: 'kill' | 'swap';
  readonly steps: number;
}

function moreSteps(steps: number): string {
  return steps === 0 ? '' : ` and ${steps} more step${steps === 1 ? '' : 's'}`;
}

/** `n records`, in words. */
export function records(n: number): string {
  return `${n} record${n === 1 ? '' : 's'}`;
}

/** The faults of one case as they strike, over all its runs: each strikes once (poison for good). */
export class FaultLedger {
  readonly events: string[] = [];
  readonly #struck = new Set<Fault>();
  /** The partition each stage-wide poison fault struck. */
  readonly #poisoned = new Map<PoisonFault, number>();
  readonly #actorFaults: readonly (ThrowFault | PoisonFault)[];
  readonly #crashes: readonly (CrashFault | RescaleFault | WorkersFault)[];
  readonly #commitCrashes: readonly CommitCrashFault[];
  readonly #upgrade: UpgradePoint | undefined;
  /** Whether the upgrade struck: the runs from then on are the next version's. */
  upgraded = false;
  readonly #records: number;
  /** The partition count the next run is given: the plan's, until a rescale changes it. */
  #partitions: number | undefined;
  /** The workers fault that struck last, until the engine starts the threaded run it asks for. */
  #threads: WorkersFault | undefined;

  constructor(plan: FaultPlan, records: number) {
    this.#actorFaults = plan.faults.filter((f): f is ThrowFault | PoisonFault => f.kind === 'throw' || f.kind === 'poison');
    this.#crashes = plan.faults.filter(
      (f): f is CrashFault | RescaleFault | WorkersFault => f.kind === 'crash' || f.kind === 'rescale' || f.kind === 'workers',
    );
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
   * poisons stays poisoned in later runs. Undefined when the plan has no throw or poison fault:
   * nothing would ever strike, and the run's partitions then count nothing they take.
   */
  crashAt(run: number): ((target: ChaosTarget, n: number) => boolean) | undefined {
    if (this.#actorFaults.length === 0) return undefined;
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

  /**
   * Whether the next run goes on worker threads, and how far: the workers fault that killed the
   * last run. Taken (and cleared) by the engine as it starts that run.
   */
  takeThreads(): WorkersFault | undefined {
    const threads = this.#threads;
    this.#threads = undefined;
    return threads;
  }

  /** The partition count of the next run (undefined when the plan leaves counts to the pipeline). */
  get partitions(): number | undefined {
    return this.#partitions;
  }

  /**
   * What is due with the source at `offset`, if anything: a crash, rescale or workers fault (a
   * rescale sets the partition count the next run is given, a workers fault puts that run on
   * threads), else the upgrade; it strikes after `steps` more steps.
   */
  dueAt(offset: number, run: number): Due | undefined {
    const fault = this.#crashAt(offset);
    if (fault === undefined) return this.#upgradesAt(offset, run);
    this.#struck.add(fault);
    const resumed =
      fault.kind === 'rescale'
        ? `, to resume with ${fault.partitions} partition${fault.partitions === 1 ? '' : 's'}`
        : fault.kind === 'workers'
          ? `, to resume on ${fault.workers} worker threads`
          : '';
    if (fault.kind === 'rescale') this.#partitions = fault.partitions;
    if (fault.kind === 'workers') this.#threads = fault;
    this.events.push(`killed after ${records(offset)}${moreSteps(fault.steps)}${resumed} (run ${run})`);
    return { kind: 'kill', steps: fault.steps };
  }

  /** The first crash at `offset` that has not struck; a loop, not a predicate: the engine asks at nearly every step. */
  #crashAt(offset: number): CrashFault | RescaleFault | WorkersFault | undefined {
    for (const fault of this.#crashes) if (fault.afterRecords % (this.#records + 1) === offset && !this.#struck.has(fault)) return fault;
    return undefined;
  }

  /** The upgrade, when it is due at `offset`: the runs after it (a live swap's next one included) are the next version's. */
  #upgradesAt(offset: number, run: number): Due | undefined {
    const upgrade = this.#upgrade;
    if (upgrade === undefined || this.upgraded || upgrade.afterRecords % (this.#records + 1) !== offset) return undefined;
    this.upgraded = true;
    if (upgrade.how === 'live') {
      this.events.push(`upgrading live after ${records(offset)}${moreSteps(upgrade.steps)}: the running version stops at a checkpoint (run ${run})`);
      return { kind: 'swap', steps: upgrade.steps };
    }
    this.events.push(`killed after ${records(offset)}${moreSteps(upgrade.steps)}, to resume as the next version (run ${run})`);
    return { kind: 'kill', steps: upgrade.steps };
  }
}
