/**
 * The partition actor on its own: one partition of a counting stage, fed messages by hand, its
 * output caught by a recording actor downstream, its snapshots by a stand-in coordinator.
 */
import { describe, expect, it } from 'vitest';
import { createSystem, defineActor, type ActorRef, type ActorSystem, type SnapshotEntry } from '../../../src/index.js';
import type { AggregateOperator } from '../../../src/streams/internal/logical-plan.js';
import { InjectedCrash } from '../../../src/streams/run/chaos.js';
import type { PipelineDeadLetter, StageMessage } from '../../../src/streams/run/messages.js';
import { batchOf } from './stage-messages.js';
import { aggregateOperator } from '../../../src/streams/run/operators/aggregate-operator.js';
import { partitionActor, type PartitionStage } from '../../../src/streams/run/partition-actor.js';
import { planStepChain } from '../../../src/streams/run/step-chain.js';
import { createSystemWithScheduler } from '../../../src/actors/system.js';
import { VirtualClock } from '../../../src/testing/index.js';
import { ManualScheduler } from '../../../src/testing/manual-scheduler.js';
import { Inbox } from '../../actors/helpers.js';
import { epochFloor } from '../../../src/actors/internal/link-epochs.js';
import { LocalActorRef, type RefTarget } from '../../../src/actors/internal/local-actor-ref.js';
import { SEQUENCED, type SequencedTarget } from '../../../src/actors/internal/sequenced-target.js';

/** Counts each key's records and emits every new count. */
const counting: AggregateOperator = { kind: 'aggregate', create: () => 0, add: (n) => (n as number) + 1, result: (n) => n, emit: 'every' };

interface Rig {
  readonly system: ActorSystem;
  readonly partition: ActorRef<StageMessage<unknown>>;
  /** What the partition sent downstream, message by message. */
  readonly received: Inbox<StageMessage<unknown>>;
  readonly snapshots: { id: number; entries: SnapshotEntry[] }[];
  readonly deadLetters: PipelineDeadLetter[];
}

/** The counting stage, its output going to `downstream`. */
function stageTo(downstream: ActorRef<StageMessage<unknown>>, upstreams = 1, deadLetters: PipelineDeadLetter[] = []): PartitionStage {
  return {
    name: 'count',
    index: 0,
    inputTimed: false,
    tail: planStepChain([], false),
    operator: (setup) => aggregateOperator(counting, setup),
    counters: { name: 'count', recordsIn: 0, recordsOut: 0 },
    outputs: { deadLetter: (letter) => void deadLetters.push(letter), late: () => undefined, lateBacklog: () => undefined },
    next: undefined,
    downstream: () => [downstream],
    upstreams,
    batchSize: 64,
    retries: 0,
  };
}

function rig(options: { upstreams?: number; crash?: () => void } = {}): Rig {
  const system = createSystem({ clock: new VirtualClock() });
  const received = new Inbox<StageMessage<unknown>>();
  const downstream = system.spawn(
    defineActor<null, StageMessage<unknown>>({
      initialState: () => null,
      receive(state, message) {
        received.push(message);
        return state;
      },
    }),
    { name: 'downstream' },
  );
  const snapshots: Rig['snapshots'] = [];
  const deadLetters: PipelineDeadLetter[] = [];
  const stage = stageTo(downstream as ActorRef<StageMessage<unknown>>, options.upstreams ?? 1, deadLetters);
  const partition = system.spawn(
    partitionActor({
      stage,
      index: 0,
      crash: options.crash,
      checkpoints: {
        snapshot(id, _stage, _partition, entries, release) {
          snapshots.push({ id, entries: [...entries] });
          release();
        },
      },
    }),
    { name: 'partition', supervision: { maxRetries: 100 } },
  ) as ActorRef<StageMessage<unknown>>;
  return { system, partition, received, snapshots, deadLetters };
}

/** A downstream that takes sequenced sends as a partition on another thread does, keeping each with its number. */
class SequenceRecorder implements RefTarget<StageMessage<unknown>>, SequencedTarget<StageMessage<unknown>> {
  readonly [SEQUENCED] = true as const;
  readonly id = 'recorder';
  readonly name = 'recorder';
  readonly path = '/user/recorder';
  readonly status = 'running' as const;
  readonly sent: { readonly seq: number; readonly message: StageMessage<unknown> }[] = [];
  #ended!: () => void;
  /** Resolves once the end came. */
  readonly ended = new Promise<void>((resolve) => (this.#ended = resolve));

  deliverSequenced(message: StageMessage<unknown>, _sender: string, seq: number, wait: boolean): boolean | Promise<void> {
    this.sent.push({ seq, message });
    if (message.type === 'end') this.#ended();
    return wait ? Promise.resolve() : true;
  }
  tell(): boolean {
    throw new Error('a partition sends on sequenced links only');
  }
  send(): Promise<void> {
    return Promise.reject(new Error('a partition sends on sequenced links only'));
  }
  ask(): Promise<unknown> {
    return Promise.reject(new Error('not asked'));
  }
  stopRequested(): Promise<void> {
    return Promise.resolve();
  }
  metrics(): ReturnType<ActorRef<unknown>['metrics']> {
    return { capacity: 1, depth: 0, highWaterMark: 0, dropped: 0, processed: 0, waitingSenders: 0 };
  }
}

const entriesOf = (message: StageMessage<unknown> | undefined): unknown[] => (message?.type === 'batch' ? [...message.entries] : []);

describe('partitionActor', () => {
  it('folds each record into its key’s state and sends every new value downstream in one batch per message', async () => {
    const { system, partition, received } = rig();
    await partition.send(batchOf(0, ['a', 'b', 'a'], true));
    expect(entriesOf(await received.next())).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
    ]);
    await partition.send(batchOf(0, ['b'], true));
    expect(entriesOf(await received.next())).toEqual([{ key: 'b', value: 2 }]);
    await system.shutdown();
  });

  it('answers a query from the live state, and undefined for a key it holds nothing for', async () => {
    const { system, partition, received } = rig();
    await partition.send(batchOf(0, ['a', 'a'], true));
    await received.next();
    await expect(partition.ask({ type: 'query', key: 'a' })).resolves.toEqual({ value: 2 });
    await expect(partition.ask({ type: 'query', key: 'zzz' })).resolves.toBeUndefined();
    await system.shutdown();
  });

  it('snapshots its state when a barrier arrives from every input, then passes the barrier on after what came before it', async () => {
    const { system, partition, received, snapshots } = rig({ upstreams: 2 });
    await partition.send(batchOf(0, ['a'], true));
    await partition.send({ type: 'barrier', from: 0, id: 3 });
    // Input 0 is past the barrier: this waits for input 1's barrier, and is not in the snapshot.
    await partition.send(batchOf(0, ['a'], true));
    await partition.send(batchOf(1, ['b'], true));
    expect(snapshots).toEqual([]);
    await partition.send({ type: 'barrier', from: 1, id: 3 });
    const messages = [await received.next(), await received.next(), await received.next(), await received.next()];
    expect(messages.map((m) => (m?.type === 'batch' ? entriesOf(m) : m?.type))).toEqual([
      [{ key: 'a', value: 1 }],
      [{ key: 'b', value: 1 }],
      'barrier',
      [{ key: 'a', value: 2 }],
    ]);
    expect(snapshots.map((s) => ({ id: s.id, entries: s.entries.sort() }))).toEqual([
      {
        id: 3,
        entries: [
          ['a', 1],
          ['b', 1],
        ],
      },
    ]);
    await system.shutdown();
  });

  it('after a crash mid-batch, restarts from its snapshot and sends each value downstream exactly once', async () => {
    let taken = 0;
    const { system, partition, received } = rig({
      // The third record of the run crashes the actor, once.
      crash: () => {
        if (++taken === 3) throw new InjectedCrash('partition');
      },
    });
    await partition.send(batchOf(0, ['a', 'b', 'a', 'c'], true));
    const values = entriesOf(await received.next());
    expect(values).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
      { key: 'c', value: 1 },
    ]);
    await partition.send(batchOf(0, ['a'], true));
    expect(entriesOf(await received.next())).toEqual([{ key: 'a', value: 3 }]);
    await system.shutdown();
  });

  it('takes its next message in the same slice when what it sent was accepted at once', async () => {
    const scheduler = new ManualScheduler();
    // No turn budget: the turns this test counts must not depend on how fast the machine runs them
    // (a slice slowed past the default 5 ms by a loaded machine would end the turn early).
    const system = createSystemWithScheduler({ clock: new VirtualClock(), dispatcher: { turnBudgetMs: Infinity } }, scheduler.schedule);
    const received: unknown[] = [];
    const downstream = system.spawn(
      defineActor<null, StageMessage<unknown>>({
        initialState: () => null,
        receive(state, message) {
          received.push(...entriesOf(message));
          return state;
        },
      }),
      { name: 'downstream', mailbox: { capacity: 16 } },
    );
    const partition = system.spawn(partitionActor({ stage: stageTo(downstream as ActorRef<StageMessage<unknown>>), index: 0 }), {
      name: 'partition',
      mailbox: { capacity: 16 },
    }) as ActorRef<StageMessage<unknown>>;
    /** Runs turns until none is left once promise callbacks ran; how many it ran. */
    const runTurns = async (): Promise<number> => {
      let turns = 0;
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (scheduler.pending === 0) return turns;
        for (; scheduler.pending > 0; turns++) scheduler.runNext();
      }
    };
    await runTurns(); // both start
    for (const word of ['a', 'b', 'a']) expect(partition.tell(batchOf(0, [word], true))).toBe(true);
    // One turn: the partition takes all three batches in one slice, then the downstream actor all it sent.
    expect(await runTurns()).toBe(1);
    expect(received).toEqual([
      { key: 'a', value: 1 },
      { key: 'b', value: 1 },
      { key: 'a', value: 2 },
    ]);
    await system.shutdown();
  });

  it('ends once every input has ended, and sends the end on', async () => {
    const { system, partition, received } = rig({ upstreams: 2 });
    await partition.send({ type: 'end', from: 0, checkpoint: undefined });
    await partition.send(batchOf(1, ['x'], true));
    await partition.send({ type: 'end', from: 1, checkpoint: undefined });
    expect(entriesOf(await received.next())).toEqual([{ key: 'x', value: 1 }]);
    expect(await received.next()).toMatchObject({ type: 'end', from: 0 });
    await system.shutdown();
  });

  it('numbers what it sends after a barrier as a partition restored from that checkpoint numbers it', async () => {
    const system = createSystem({ clock: new VirtualClock() });
    const snapshots: { id: number; entries: SnapshotEntry[] }[] = [];
    const spawn = (
      name: string,
      recorder: SequenceRecorder,
      restored?: { entries: readonly SnapshotEntry[]; epoch: number },
    ): ActorRef<StageMessage<unknown>> =>
      system.spawn(
        partitionActor({
          stage: stageTo(new LocalActorRef(recorder)),
          index: 0,
          restored,
          checkpoints: {
            snapshot(id, _stage, _partition, entries, release) {
              snapshots.push({ id, entries: [...entries] });
              release();
            },
          },
        }),
        { name },
      ) as ActorRef<StageMessage<unknown>>;
    const after = [batchOf(0, ['b', 'a'], true), batchOf(0, ['c'], true), { type: 'end', from: 0, checkpoint: undefined } as const];
    const first = new SequenceRecorder();
    const original = spawn('original', first);
    for (const message of [batchOf(0, ['a'], true), batchOf(0, ['a', 'a'], true), { type: 'barrier', from: 0, id: 7 } as const, ...after]) {
      await original.send(message);
    }
    await first.ended;
    const second = new SequenceRecorder();
    const restored = spawn('restored', second, { entries: (snapshots[0] as { entries: SnapshotEntry[] }).entries, epoch: 7 });
    for (const message of after) await restored.send(message);
    await second.ended;
    const barrier = first.sent.findIndex(({ message }) => message.type === 'barrier');
    expect(first.sent.slice(0, barrier + 1).every(({ seq }) => seq <= epochFloor(7))).toBe(true);
    expect(second.sent).toEqual(first.sent.slice(barrier + 1));
    expect(second.sent[0]?.seq).toBe(epochFloor(7) + 1);
    await system.shutdown();
  });
});
