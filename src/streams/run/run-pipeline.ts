/**
 * Runs a pipeline: plans the stages (stateless operators fused into the actor before them), spawns
 * a job actor with a partition actor per keyed partition and a sink actor under it, and drives
 * the source. Every hop is bounded: the source reads only when the first stage has room, each
 * partition sends on only when the next has room, and the sink's awaited writes hold it all back.
 */
import { createSystem } from '../../actors/system.js';
import { defineActor, type ActorDefinition } from '../../actors/behavior.js';
import type { ActorRef } from '../../actors/actor-ref.js';
import { InvalidOptionError, PipelineFailedError } from '../../errors.js';
import { isObject, nonNegativeIntegerOrInfinity, nonNegativeNumber, positiveInteger, withDefault } from '../../internal/validate.js';
import type { TimerHandle } from '../../time/clock.js';
import type { LogicalPlan, StageStep, StatelessStep } from '../internal/logical-plan.js';
import type { SourceItem } from '../sources/source.js';
import type { Sink } from '../sinks/sink.js';
import { FAILED, StepError, attempt, fuse, lastFailure, type Chain } from './chain.js';
import { assignmentFor, type Assignment } from './assign.js';
import { crasher, validateChaos, type ChaosOptions } from './chaos.js';
import { DeadLetterOutput } from './dead-letter-output.js';
import type { PipelineDeadLetter, StageMessage } from './messages.js';
import { Router } from './router.js';
import { partitionActor, relayActor, sinkActor, type OperatorCounters, type PartitionState } from './stage-actors.js';

/** Options of `pipeline.run()`. */
export interface RunOptions {
  /** A name for the job's actors (`/user/<name>`) and metrics. @defaultValue 'pipeline' */
  name?: string | undefined;
  /** Stops the pipeline gracefully when aborted (as `stop()` does). */
  signal?: AbortSignal | undefined;
  /** Records per batch between actors. @defaultValue 256 */
  batchSize?: number | undefined;
  /**
   * Milliseconds a partly filled batch from the source may wait for more records before it is
   * sent anyway, so a slow or idle source never holds records back. @defaultValue 5
   */
  lingerMs?: number | undefined;
  /** Batches each partition's (and the sink's) mailbox holds before senders wait. @defaultValue 16 */
  mailboxBatches?: number | undefined;
  /** Extra attempts at a user function that throws on a record, before it is dead-lettered. @defaultValue 2 */
  retries?: number | undefined;
  /** Where records the pipeline could not process go (besides `handle.deadLetters()`). */
  deadLetters?: Sink<PipelineDeadLetter> | undefined;
  /** Inject crashes into partition actors, to see supervision at work. */
  chaos?: ChaosOptions | undefined;
  /**
   * Restarts of partition actors the job tolerates within `withinMs` before it fails the run.
   * @defaultValue 1000 within 10000 ms
   */
  maxRestarts?: number | undefined;
}

/** What a finished run reports. */
export interface PipelineResult {
  /** Records taken from the source. */
  readonly recordsRead: number;
  /** Records the sink accepted. */
  readonly recordsWritten: number;
  /** Records sent to the dead-letter output. */
  readonly deadLetters: number;
  /** True when `stop()` or the signal ended the run before the source did. */
  readonly stopped: boolean;
  readonly durationMs: number;
}

/** Live counters of a running pipeline. */
export interface PipelineMetrics {
  readonly operators: readonly { readonly name: string; readonly recordsIn: number; readonly recordsOut: number }[];
  /** Mailbox depth (in batches) and high-water mark of every actor, by path. */
  readonly mailboxes: Readonly<Record<string, { readonly depth: number; readonly highWaterMark: number }>>;
  readonly restarts: number;
  readonly deadLetters: number;
}

/** A running pipeline. */
export interface PipelineHandle {
  /** Resolves when the source has ended and everything has drained into the sink; rejects with the failure. */
  readonly done: Promise<PipelineResult>;
  metrics(): PipelineMetrics;
  /** The most recent dead letters (up to 1000), oldest first. */
  deadLetters(): PipelineDeadLetter[];
  /** Stops reading the source, drains what was read into the sink, and resolves like `done`. */
  stop(): Promise<PipelineResult>;
}

interface Stage {
  readonly step: StageStep;
  readonly tail: Chain;
  /** How records are assigned to this stage's partitions, shared by everything that routes there. */
  readonly assignment: Assignment;
}

/** Records a synchronous source loop reads between two turns of the event loop. */
const YIELD_EVERY = 4096;

function applyHead(head: Chain, record: unknown): unknown[] {
  return head(record);
}

/** Splits the steps at each keyed operator; stateless steps join the stage before them. */
function planStages(steps: LogicalPlan['steps']): { head: Chain; headSteps: number; stages: Stage[] } {
  const groups: StatelessStep[][] = [[]];
  const keyed: StageStep[] = [];
  for (const step of steps) {
    if (step.kind === 'keyed' || step.kind === 'rebalance') {
      keyed.push(step);
      groups.push([]);
    } else {
      (groups[groups.length - 1] as StatelessStep[]).push(step);
    }
  }
  return {
    head: fuse(groups[0] as StatelessStep[]),
    headSteps: (groups[0] as StatelessStep[]).length,
    stages: keyed.map((step, i) => ({ step, tail: fuse(groups[i + 1] as StatelessStep[]), assignment: assignmentFor(step) })),
  };
}

export function runPipeline(plan: LogicalPlan, options: RunOptions): PipelineHandle {
  isObject('options', options);
  const name = options.name ?? 'pipeline';
  if (typeof name !== 'string' || !/^[A-Za-z0-9\-_.:@+]+$/.test(name)) throw new InvalidOptionError('name', 'letters, digits and -_.:@+', name);
  const batchSize = withDefault(options.batchSize, 256, (v) => positiveInteger('batchSize', v));
  const lingerMs = withDefault(options.lingerMs, 5, (v) => nonNegativeNumber('lingerMs', v));
  const mailboxBatches = withDefault(options.mailboxBatches, 16, (v) => positiveInteger('mailboxBatches', v));
  const retries = withDefault(options.retries, 2, (v) => nonNegativeIntegerOrInfinity('retries', v));
  const maxRestarts = withDefault(options.maxRestarts, 1000, (v) => nonNegativeIntegerOrInfinity('maxRestarts', v));
  const chaos = validateChaos(options.chaos);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) throw new InvalidOptionError('signal', 'an AbortSignal', options.signal);

  const started = performance.now();
  const { head, headSteps, stages } = planStages(plan.steps);
  // Each run has a system of its own: a job that gives up stops only that system, never the host's.
  const system = createSystem({ name });
  const deadLetters = new DeadLetterOutput(options.deadLetters);
  const deadLetter = (letter: PipelineDeadLetter): void => deadLetters.post(letter);
  const sourceCounters: OperatorCounters = { name: `source:${plan.source.name}`, recordsIn: 0, recordsOut: 0 };
  const stageCounters = stages.map((stage): OperatorCounters => ({ name: stage.step.name, recordsIn: 0, recordsOut: 0 }));
  const sinkCounters: OperatorCounters = { name: `sink:${plan.sink.name}`, recordsIn: 0, recordsOut: 0 };
  const stageRefs: ActorRef<StageMessage<unknown>>[][] = stages.map(() => []);
  let sinkRef: ActorRef<StageMessage<unknown>> | undefined;
  let restarts = 0;
  let stopRequested = false;
  let settled = false;

  let resolveDone!: (result: PipelineResult) => void;
  let rejectDone!: (error: unknown) => void;
  const done = new Promise<PipelineResult>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });
  done.catch(() => undefined); // observed here; the caller sees the rejection on `done` too

  const jobPath = `/user/${name}`;
  const unsubscribe = system.events.subscribe((event) => {
    if (event.type === 'actor-restarted') restarts++;
    if (event.type === 'actor-escalated' && event.path === jobPath) void fail(event.error);
    // A batch that keeps failing the actor itself (not a record a user function threw on, which is
    // dead-lettered one by one) would be lost: fail the run instead.
    if (event.type === 'poison-message') void fail(new PipelineFailedError(event.path, event.error));
  });

  const finish = async (outcome: { result: PipelineResult } | { error: unknown }): Promise<void> => {
    if (settled) return;
    settled = true;
    unsubscribe();
    options.signal?.removeEventListener('abort', onAbort);
    let failure = 'error' in outcome ? outcome.error : undefined;
    try {
      await deadLetters.close();
    } catch (error) {
      failure ??= error;
    }
    await system.shutdown();
    if (failure !== undefined) rejectDone(failure);
    else resolveDone((outcome as { result: PipelineResult }).result);
  };
  const fail = (error: unknown): Promise<void> => finish({ error });
  const complete = (): void => {
    void finish({
      result: {
        recordsRead: sourceCounters.recordsIn,
        recordsWritten: sinkCounters.recordsOut,
        deadLetters: deadLetters.count,
        stopped: stopRequested,
        durationMs: performance.now() - started,
      },
    });
  };

  const mailbox = { capacity: mailboxBatches, overflow: 'backpressure' as const };
  const job = system.spawn(
    defineActor<null, { type: 'setup' }>({
      initialState: () => null,
      receive(state, _message, ctx) {
        sinkRef = ctx.spawn(
          sinkActor({ sink: plan.sink, upstreams: stages.at(-1)?.step.partitions ?? 1, counters: sinkCounters, completed: complete, failed: (e) => void fail(e) }),
          { name: 'sink', mailbox },
        );
        for (let s = stages.length - 1; s >= 0; s--) {
          const stage = stages[s] as Stage;
          const next = stages[s + 1]?.assignment;
          const downstream = (): readonly ActorRef<StageMessage<unknown>>[] =>
            next === undefined ? [sinkRef as ActorRef<StageMessage<unknown>>] : (stageRefs[s + 1] as ActorRef<StageMessage<unknown>>[]);
          for (let p = 0; p < stage.step.partitions; p++) {
            const actorName = `${stage.step.name}-${s}-partition-${p}`;
            const common = {
              crash: chaos === undefined ? undefined : crasher(chaos, actorName),
              tail: stage.tail,
              next,
              downstream,
              upstreams: s === 0 ? 1 : (stages[s - 1] as Stage).step.partitions,
              batchSize,
              retries,
              counters: stageCounters[s] as OperatorCounters,
              deadLetter,
            };
            const { step } = stage;
            // Routers address every stage as StageMessage<unknown>; a keyed stage's entries are KeyedEntry by construction.
            const definition =
              step.kind === 'keyed'
                ? (partitionActor({ ...common, step }) as unknown as ActorDefinition<PartitionState, StageMessage<unknown>>)
                : relayActor({ ...common, step });
            (stageRefs[s] as ActorRef<StageMessage<unknown>>[])[p] = ctx.spawn(definition, {
              name: actorName,
              mailbox,
              // Restarts replay from the snapshot; only a batch that fails this often in a row is a bug.
              supervision: { maxRetries: 100 },
              // A snapshot per batch (an O(1) view of the keyed state): a restart replays one batch,
              // not a long log whose replay could itself keep failing.
              snapshot: { everyMessages: 1 },
            });
          }
        }
        ctx.reply(true);
        return state;
      },
    }),
    { name, supervisor: { maxRestarts, withinMs: 10_000 }, supervision: { decide: () => 'escalate' } },
  );

  const drive = async (): Promise<void> => {
    await job.ask({ type: 'setup' }, { timeoutMs: Infinity });
    const first = stages[0]?.assignment;
    const targets = first === undefined ? [sinkRef as ActorRef<StageMessage<unknown>>] : (stageRefs[0] as ActorRef<StageMessage<unknown>>[]);
    const router = new Router(first, batchSize, (index, message) => (targets[index] as ActorRef<StageMessage<unknown>>).send(message), deadLetter);
    // While the source is slow to yield its next record, what is buffered goes out after lingerMs.
    let linger: TimerHandle | undefined;
    const armLinger = (): void => {
      if (linger !== undefined || router.buffered === 0) return;
      linger = system.clock.setTimeout(() => {
        linger = undefined;
        router.flush().catch((error: unknown) => fail(error));
      }, lingerMs);
    };
    const disarmLinger = (): void => {
      if (linger !== undefined) system.clock.clearTimeout(linger);
      linger = undefined;
    };
    try {
      await readSource(router, armLinger);
    } finally {
      disarmLinger();
    }
    await router.end();
  };
  const readSource = async (router: Router, armLinger: () => void): Promise<void> => {
    /** Takes one source item; false when the run should stop reading. */
    const take = (item: SourceItem<unknown, unknown>): boolean => {
      if (settled) return false;
      if (item.kind === 'malformed') {
        deadLetter({ reason: 'malformed', stage: sourceCounters.name, record: item.raw, error: item.error, line: item.line });
      } else {
        sourceCounters.recordsIn++;
        if (headSteps === 0) {
          sourceCounters.recordsOut++;
          router.route(item.value);
        } else {
          const outputs = attempt(retries, applyHead, head, item.value, undefined);
          if (outputs === FAILED) {
            const failed = lastFailure();
            deadLetter({ reason: 'operator-failed', stage: failed instanceof StepError ? failed.step : 'source', record: item.value, error: failed });
          } else {
            sourceCounters.recordsOut += outputs.length;
            for (const out of outputs) router.route(out);
          }
        }
      }
      return !stopRequested;
    };
    const items = plan.source.read();
    if (Symbol.iterator in items) {
      // An in-memory source: read it synchronously, awaiting only when a full batch waits for room,
      // and giving the event loop a turn now and then so the host's I/O is never starved.
      let sinceYield = 0;
      for (const item of items as Iterable<SourceItem<unknown, unknown>>) {
        if (!take(item)) return;
        if (router.sending) await router.settle();
        if (++sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
      return;
    }
    for await (const item of items) {
      if (!take(item)) return;
      if (router.sending) await router.settle();
      armLinger();
    }
  };
  drive().catch((error: unknown) => fail(error));

  const onAbort = (): void => {
    stopRequested = true;
  };
  if (options.signal?.aborted) stopRequested = true;
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  return {
    done,
    deadLetters: () => deadLetters.recent(),
    stop() {
      stopRequested = true;
      return done;
    },
    metrics() {
      const mailboxes: Record<string, { depth: number; highWaterMark: number }> = {};
      for (const ref of [...stageRefs.flat(), ...(sinkRef === undefined ? [] : [sinkRef])]) {
        const { depth, highWaterMark } = ref.metrics();
        mailboxes[ref.path] = { depth, highWaterMark };
      }
      return {
        operators: [sourceCounters, ...stageCounters, sinkCounters].map(({ name: n, recordsIn, recordsOut }) => ({ name: n, recordsIn, recordsOut })),
        mailboxes,
        restarts,
        deadLetters: deadLetters.count,
      };
    },
  };
}
