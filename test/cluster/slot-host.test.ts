/**
 * The leading process's slot host on its own, with a fake NATS connection and fake control
 * channels: where slots run first, where they go when a worker is lost, joins, refuses or drops
 * its part, what a restarted slot starts from, and how long it holds the links' purge back.
 */
import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import type { NatsConnection } from '@nats-io/nats-core';
import { describe, expect, it } from 'vitest';
import type { PartRequest } from '../../src/cluster/cluster-host.js';
import type { ClusterLinks } from '../../src/cluster/cluster-links.js';
import { jobNames } from '../../src/cluster/job-names.js';
import type { NatsPortAddress, NatsPorts } from '../../src/cluster/nats-port.js';
import { SlotHost, type RestartPoint } from '../../src/cluster/slot-host.js';
import { MSGPACK_OPTIONS } from '../../src/internal/msgpack-options.js';
import type { SnapshotEntry } from '../../src/state/snapshot-store.js';
import type { ThreadHandle } from '../../src/threads/thread-host.js';
import type { FromThread, ThreadSetup } from '../../src/threads/thread-protocol.js';

const unpackr = new Unpackr(MSGPACK_OPTIONS);
const names = jobNames('slots');

/** A control channel's leader end: what the host posts on it, and a way to speak for the slot's worker. */
class FakePort extends EventEmitter {
  readonly posted: unknown[] = [];
  closed = false;

  constructor(readonly address: NatsPortAddress) {
    super();
  }

  postMessage(message: unknown): void {
    this.posted.push(message);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }

  unref(): void {}
}

/** A part asked of a worker, and the worker's answer to give. */
interface Asked {
  readonly member: string;
  readonly request: PartRequest;
  answer(text: string): void;
  fail(error: Error): void;
}

/** A setup whose one stage's partition p runs in slot `owners[p]`. */
function setupOf(thread: number, owners: readonly number[]): ThreadSetup {
  return {
    thread,
    owners: [owners],
    outgoing: [],
    incoming: [],
    units: undefined,
    restored: { entries: undefined, progress: undefined, epoch: undefined },
  } as unknown as ThreadSetup;
}

const entry = (partition: number): SnapshotEntry[] => [{ key: `k${partition}`, state: partition } as unknown as SnapshotEntry];

/** A host over `members` with `slots` slots of one partition each, every slot started. */
function hostOf(members: readonly string[], slots: number, latest: () => Promise<RestartPoint | undefined> = async () => undefined) {
  const asked: Asked[] = [];
  const ports: FakePort[] = [];
  const logged: string[] = [];
  const joined: string[] = [];
  const nc = {
    request: (subject: string, data: Uint8Array) =>
      new Promise((resolve, reject) => {
        const member = members.concat(joined).find((id) => names.member(id) === subject) ?? subject;
        asked.push({
          member,
          request: unpackr.unpack(data) as PartRequest,
          answer: (text) => resolve({ data: new TextEncoder().encode(text) }),
          fail: reject,
        });
      }),
  } as unknown as NatsConnection;
  const host = new SlotHost({
    nc,
    names,
    run: 'r1',
    leader: members[0] as string,
    members,
    slots,
    ports: {
      open: (address: NatsPortAddress) => {
        const port = new FakePort(address);
        ports.push(port);
        return port;
      },
    } as unknown as NatsPorts,
    links: {} as ClusterLinks,
    stream: 'links',
    prefix: 'p',
    latest,
    log: (line) => logged.push(line),
  });
  const owners = Array.from({ length: slots }, (_, i) => i + 1);
  const handles = owners.map((number) => host.start(number, setupOf(number, owners)));
  /** The channel of slot `number`'s current incarnation. */
  const portOf = (number: number): FakePort => ports.filter((port) => port.address.out.includes(`.control.${number}.`)).at(-1) as FakePort;
  const join = (member: string): void => {
    joined.push(member);
    host.memberJoined(member);
  };
  return { host, handles, asked, ports, logged, portOf, join };
}

/** Lets the host's restarts (each awaits a checkpoint read) run to their requests. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What a handle says: its messages, its errors and its exit code. */
function heard(handle: ThreadHandle): { messages: FromThread[]; errors: string[]; exits: number[] } {
  const said = { messages: [] as FromThread[], errors: [] as string[], exits: [] as number[] };
  handle.on('message', (message: FromThread) => said.messages.push(message));
  handle.on('error', (error: Error) => said.errors.push(error.message));
  handle.on('exit', (code: number) => said.exits.push(code));
  return said;
}

const snapshot = (id: number, partition: number): FromThread => ({ type: 'snapshot', id, stage: 0, partition, entries: [], progress: undefined });

describe('SlotHost', () => {
  it('places slots on the live workers in contiguous ranges, asking each worker for its parts', () => {
    const { host, asked } = hostOf(['a', 'b'], 4);
    expect([1, 2, 3, 4].map((n) => host.describe(n))).toEqual(['a', 'a', 'b', 'b']);
    expect(asked.map(({ member, request }) => [member, request.number, request.durable?.incarnation])).toEqual([
      ['a', 1, 0],
      ['a', 2, 0],
      ['b', 3, 0],
      ['b', 4, 0],
    ]);
    expect(Object.fromEntries(host.placement())).toEqual({ a: 2, b: 2 });
    expect(host.lost(3, ['per-user/2'], 'exited').message).toContain('b');
  });

  it('restarts a lost worker’s slot on the least-loaded other worker, from the newest checkpoint, with only its own partitions’ state', async () => {
    const point: RestartPoint = { epoch: 5, entries: [[entry(0), entry(1), entry(2), entry(3)]], progress: [[undefined, undefined, undefined, undefined]] };
    const { host, asked, logged } = hostOf(['a', 'b', 'c'], 4, async () => point);
    // a runs slots 1 and 2, b slot 3, c slot 4: slot 1 goes to b (least loaded, first), slot 2 then to c.
    host.memberLost('a', 'lost its lease');
    await settle();
    const restarts = asked.slice(4);
    expect(restarts.map(({ member, request }) => [member, request.number, request.durable?.incarnation, request.setup.restored.epoch])).toEqual([
      ['b', 1, 1, 5],
      ['c', 2, 1, 5],
    ]);
    expect(restarts[0]?.request.setup.restored.entries).toEqual([[entry(0), undefined, undefined, undefined]]);
    expect(restarts[1]?.request.setup.restored.entries).toEqual([[undefined, entry(1), undefined, undefined]]);
    expect(Object.fromEntries(host.placement())).toEqual({ b: 2, c: 2 });
    expect(logged[0]).toBe('slot 1 (a) restarts on b from checkpoint 5: a lost its lease');
  });

  it('holds the purge at a restarted slot’s restart point until a later checkpoint it took part in is complete, and hears no zombie', async () => {
    const { host, handles, portOf } = hostOf(['a', 'b'], 2, async () => ({ epoch: 5, entries: [[entry(0), entry(1)]], progress: [[undefined, undefined]] }));
    const zombie = portOf(1);
    const said = heard(handles[0] as ThreadHandle);
    host.memberLost('a', 'lost its lease');
    await settle();
    expect(zombie.closed).toBe(true);
    expect(host.completed(6)).toBe(5);
    // The old incarnation's report is not heard; the new one's snapshot of checkpoint 7 is.
    zombie.emit('message', snapshot(7, 0));
    expect(host.completed(7)).toBe(5);
    portOf(1).emit('message', snapshot(7, 0));
    expect(said.messages).toEqual([snapshot(7, 0)]);
    expect(host.completed(7)).toBe(7);
    expect(host.completed(8)).toBe(8);
  });

  it('moves slots from the busiest workers to one that joins, until the spread is even', async () => {
    const { host, asked, join } = hostOf(['a'], 4);
    join('b');
    await settle();
    expect(asked.slice(4).map(({ member, request }) => [member, request.number])).toEqual([
      ['b', 4],
      ['b', 3],
    ]);
    expect(Object.fromEntries(host.placement())).toEqual({ a: 2, b: 2 });
  });

  it('sends a slot elsewhere when its worker refuses the part or does not answer', async () => {
    const { host, asked } = hostOf(['a', 'b'], 2);
    asked[0]?.answer('taken');
    asked[1]?.answer('draining');
    await settle();
    expect(asked[2]?.member).toBe('a');
    expect(asked[2]?.request.number).toBe(2);
    asked[2]?.fail(new Error('timeout'));
    await settle();
    expect(asked[3]?.member).toBe('b');
    expect(host.describe(2)).toBe('b');
  });

  it('loses a slot, with an error that says why, when no other worker is left, or when its worker drops it after the run', async () => {
    const alone = hostOf(['a'], 1);
    const saidAlone = heard(alone.handles[0] as ThreadHandle);
    alone.host.memberLost('a', 'lost its lease');
    await settle();
    expect(saidAlone.errors).toEqual(['a lost its lease, and no other worker is left to run its part']);
    expect(saidAlone.exits).toEqual([1]);

    const over = hostOf(['a', 'b'], 2);
    const saidOver = heard(over.handles[1] as ThreadHandle);
    over.host.close();
    over.portOf(2).close();
    await settle();
    expect(saidOver.errors).toEqual(['b dropped its part, and the run is over']);
    expect(saidOver.exits).toEqual([1]);
  });

  it('moves no slot that is over to a worker that joins, and counts it nowhere', async () => {
    const { host, handles, asked, join } = hostOf(['a'], 2);
    handles.forEach((handle) => handle.on('error', () => undefined));
    host.memberLost('a', 'lost its lease');
    await settle();
    expect(host.placement().size).toBe(0);
    join('b');
    await settle();
    expect(asked).toHaveLength(2);
  });

  it('exits cleanly when the channel of a slot asked to stop closes', () => {
    const { handles, portOf } = hostOf(['a'], 1);
    const handle = handles[0] as ThreadHandle;
    const said = heard(handle);
    handle.postMessage({ type: 'stop' });
    expect(portOf(1).posted).toEqual([{ type: 'stop' }]);
    portOf(1).close();
    expect(said).toEqual({ messages: [], errors: [], exits: [0] });
  });

  it('never restarts a slot from before the newest checkpoint known complete: a read that keeps finding an older one loses it', async () => {
    let reads = 0;
    const { host, handles } = hostOf(['a', 'b'], 2, async () => {
      reads++;
      return { epoch: 3, entries: [[entry(0), entry(1)]], progress: [[undefined, undefined]] };
    });
    const said = heard(handles[0] as ThreadHandle);
    host.completed(7);
    host.memberLost('a', 'lost its lease');
    for (let turn = 0; turn < 8; turn++) await settle();
    expect(reads).toBe(5);
    expect(said.errors).toEqual(['a lost its lease, and its restart point could not be read: checkpoint 7 or a later one could not be read back']);
  });

  it('keeps every slot on a live worker, each restart a later incarnation, whatever workers come and go', async () => {
    const event = fc.oneof(
      fc.record({ kind: fc.constant('lose' as const), member: fc.constantFrom('a', 'b', 'c', 'd') }),
      fc.record({ kind: fc.constant('join' as const), member: fc.constantFrom('a', 'b', 'c', 'd') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(event, { maxLength: 12 }), async (slots, events) => {
        const { host, asked, handles, join } = hostOf(['a', 'b'], slots);
        const live = new Set(['a', 'b']);
        const lost = new Set<number>();
        handles.forEach((handle, index) => {
          handle.on('error', () => undefined);
          handle.on('exit', () => lost.add(index + 1));
        });
        for (const { kind, member } of events) {
          if (kind === 'lose') {
            host.memberLost(member, 'lost its lease');
            live.delete(member);
          } else if (!live.has(member)) {
            join(member);
            live.add(member);
          }
          await settle();
        }
        for (let number = 1; number <= slots; number++) {
          if (lost.has(number)) continue;
          expect(live.has(host.describe(number))).toBe(true);
          const incarnations = asked.filter(({ request }) => request.number === number).map(({ request }) => request.durable?.incarnation ?? -1);
          expect(incarnations).toEqual(incarnations.map((_, i) => i));
          expect(asked.filter(({ request }) => request.number === number).at(-1)?.member).toBe(host.describe(number));
        }
        expect([...host.placement().values()].reduce((sum, count) => sum + count, 0)).toBe(slots - lost.size);
        for (const member of host.placement().keys()) expect(live.has(member)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
