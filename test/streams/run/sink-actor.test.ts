import { describe, expect, it } from 'vitest';
import { createSystem, type ActorRef, type Sink, type SinkBatchOrigin } from '../../../src/index.js';
import { createSystemWithScheduler } from '../../../src/actors/system.js';
import type { StageMessage } from '../../../src/streams/run/messages.js';
import { batchOf } from './stage-messages.js';
import { sinkActor } from '../../../src/streams/run/sink-actor.js';
import { VirtualClock } from '../../../src/testing/index.js';
import { ManualScheduler } from '../../../src/testing/manual-scheduler.js';
import { deferred } from '../../actors/helpers.js';

/** A sink that logs every call it gets. */
function loggingSink(log: string[], fail?: { write?: unknown }): Sink<unknown> {
  return {
    name: 'log',
    write(records) {
      if (fail?.write !== undefined && records.includes(fail.write)) throw new Error(`cannot write ${String(fail.write)}`);
      log.push(`write ${records.join(',')}`);
    },
    preCommit(id) {
      log.push(`pre-commit ${id}`);
      return { upTo: id };
    },
    commit(token) {
      log.push(`commit ${JSON.stringify(token)}`);
    },
    close() {
      log.push('close');
    },
  };
}

function spawnSink(sink: Sink<unknown>, upstreams: number, checkpoints: boolean) {
  const system = createSystem({ clock: new VirtualClock() });
  const completed = deferred();
  const failures: unknown[] = [];
  const preCommitted: [number, unknown][] = [];
  const counters = { name: 'sink:log', recordsIn: 0, recordsOut: 0 };
  const ref = system.spawn(
    sinkActor({
      sink,
      upstreams,
      counters,
      completed: () => completed.resolve(),
      failed: (error) => void failures.push(error),
      preCommitted: checkpoints ? (id, token) => void preCommitted.push([id, token]) : undefined,
    }),
    { name: 'sink' },
  ) as ActorRef<StageMessage<unknown>>;
  return { system, ref, completed: completed.promise, failures, preCommitted, counters };
}

describe('sinkActor', () => {
  it('writes batches in order, and closes the sink once every upstream has ended', async () => {
    const log: string[] = [];
    const { system, ref, completed, counters } = spawnSink(loggingSink(log), 2, false);
    await ref.send(batchOf(0, ['a', 'b']));
    await ref.send({ type: 'end', from: 0, checkpoint: undefined });
    await ref.send(batchOf(1, ['c']));
    await ref.send({ type: 'end', from: 1, checkpoint: undefined });
    await completed;
    expect(log).toEqual(['write a,b', 'write c', 'close']);
    expect(counters).toMatchObject({ recordsIn: 3, recordsOut: 3 });
    await system.shutdown();
  });

  it('tells the sink which upstream partition sent each batch, with the same origin object every time', async () => {
    const origins: (SinkBatchOrigin | undefined)[] = [];
    const sink: Sink<unknown> = { name: 'origins', write: (_records, origin) => void origins.push(origin) };
    const { system, ref } = spawnSink(sink, 3, false);
    await ref.send(batchOf(2, ['a']));
    await ref.send(batchOf(0, ['b']));
    await ref.send(batchOf(2, ['c']));
    await system.shutdown({ drain: true });
    expect(origins).toEqual([
      { partition: 2, partitions: 3 },
      { partition: 0, partitions: 3 },
      { partition: 2, partitions: 3 },
    ]);
    expect(origins[0]).toBe(origins[2]);
  });

  it('aligns a checkpoint’s barriers from every upstream: what came after a barrier is written after the pre-commit', async () => {
    const log: string[] = [];
    const { system, ref, preCommitted } = spawnSink(loggingSink(log), 2, true);
    await ref.send(batchOf(0, ['before-0']));
    await ref.send({ type: 'barrier', from: 0, id: 1 });
    // Upstream 0 is past the barrier: its next batch waits for upstream 1's barrier.
    await ref.send(batchOf(0, ['after-0']));
    await ref.send(batchOf(1, ['before-1']));
    await ref.send({ type: 'barrier', from: 1, id: 1 });
    await ref.send({ type: 'commit', token: { upTo: 1 }, completed: false });
    await system.shutdown({ drain: true });
    expect(log).toEqual(['write before-0', 'write before-1', 'pre-commit 1', 'write after-0', 'commit {"upTo":1}']);
    expect(preCommitted).toEqual([[1, { upTo: 1 }]]);
  });

  it('pre-commits the job’s last checkpoint at the end of input, and closes the sink only when that commit completes the job', async () => {
    const log: string[] = [];
    const { system, ref, completed, preCommitted } = spawnSink(loggingSink(log), 1, true);
    await ref.send(batchOf(0, ['x']));
    await ref.send({ type: 'end', from: 0, checkpoint: 4 });
    await ref.send({ type: 'commit', token: { upTo: 4 }, completed: true });
    await completed;
    expect(log).toEqual(['write x', 'pre-commit 4', 'commit {"upTo":4}', 'close']);
    expect(preCommitted).toEqual([[4, { upTo: 4 }]]);
    await system.shutdown();
  });

  it('takes every waiting message in one slice when the sink answers synchronously, and waits for one that does not', async () => {
    const log: string[] = [];
    let written!: () => void;
    const slow = new Promise<void>((resolve) => (written = resolve));
    const sink: Sink<unknown> = {
      name: 'mixed',
      write(records) {
        log.push(`write ${records.join(',')}`);
        return records.includes('slow') ? slow : undefined;
      },
    };
    const scheduler = new ManualScheduler();
    // No turn budget: which turn does what must not depend on how fast the machine runs them.
    const system = createSystemWithScheduler({ clock: new VirtualClock(), dispatcher: { turnBudgetMs: Infinity } }, scheduler.schedule);
    const ref = system.spawn(
      sinkActor({ sink, upstreams: 1, counters: { name: 'sink', recordsIn: 0, recordsOut: 0 }, completed: () => undefined, failed: () => undefined }),
      {
        name: 'sink',
        mailbox: { capacity: 8 },
      },
    ) as ActorRef<StageMessage<unknown>>;
    for (const batch of [['a'], ['b'], ['slow'], ['c']]) expect(ref.tell(batchOf(0, batch))).toBe(true);
    while (scheduler.pending > 0) scheduler.runNext();
    // a and b in the slice that started the actor, then the slow write holds c back.
    expect(log).toEqual(['write a', 'write b', 'write slow']);
    written();
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (scheduler.pending > 0) scheduler.runNext();
    expect(log).toEqual(['write a', 'write b', 'write slow', 'write c']);
  });

  it('reports a sink that fails, and writes nothing more of that batch', async () => {
    const log: string[] = [];
    const { system, ref, failures, counters } = spawnSink(loggingSink(log, { write: 'bad' }), 1, false);
    await ref.send(batchOf(0, ['good']));
    await ref.send(batchOf(0, ['bad']));
    await system.shutdown({ drain: true });
    expect(log).toEqual(['write good']);
    expect(failures).toHaveLength(1);
    expect(String(failures[0])).toContain('cannot write bad');
    expect(counters).toMatchObject({ recordsIn: 2, recordsOut: 1 });
  });
});
