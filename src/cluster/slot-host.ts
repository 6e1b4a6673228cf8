/**
 * The leading process's host for a run of a deterministic job on durable links (local recovery).
 * The run's threads are slots (as many as its widest stage has partitions, up to 16), spread over
 * the live workers in contiguous ranges, several to a worker when there are fewer workers. Every
 * link is a durable link (`cluster-links.ts`), so a slot does not need the process it runs on:
 *
 * 1. A worker lost (its lease ran out, its part ended unasked, it would not take a part): each of
 *    its slots restarts alone on the least-loaded other worker, as a later incarnation, from the
 *    newest complete checkpoint (its partitions' state, their numbering epoch, their inboxes read
 *    again from there); the other slots and the source go on. Whatever the lost slot still says
 *    (a zombie that had not heard) goes to a control channel nobody listens to any more, its
 *    frames are ignored once its successor's come, and its senders close at the successor's grant.
 * 2. A worker joining: slots move to it from the busiest workers, each as a restart elsewhere.
 * 3. The purge's floor: a restarted slot needs its input from its restart point on until a
 *    checkpoint it took part in itself is complete, so the links are purged below the lower of the
 *    newest complete checkpoint and every such slot's restart point.
 */
import { EventEmitter } from 'node:events';
import type { NatsConnection } from '@nats-io/nats-core';
import { Packr } from 'msgpackr';
import { WorkerProcessError } from '../errors.js';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import type { SnapshotEntry } from '../state/snapshot-store.js';
import type { EventTimeProgress } from '../streams/run/input-progress.js';
import type { LinkPort } from '../threads/link-port.js';
import type { ThreadHandle, ThreadHost } from '../threads/thread-host.js';
import type { FromThread, ThreadSetup } from '../threads/thread-protocol.js';
import { withAddresses, type PartRequest } from './cluster-host.js';
import type { ClusterLinks } from './cluster-links.js';
import type { JobNames } from './job-names.js';
import { natsChannelAddresses, type NatsPort, type NatsPorts } from './nats-port.js';

const packr = new Packr(MSGPACK_OPTIONS);

/** How long a worker has to take a part before the part goes elsewhere. */
const TAKE_PART_TIMEOUT_MS = 10_000;

/** Reads of the newest checkpoint before a restart gives up (each one that finds an older one raced a prune). */
const RESTART_POINT_READS = 5;

/** Slots at most: more would only add links; a stage wider than this puts several partitions in a slot. */
export const MAX_SLOTS = 16;

/** Where a restarted slot starts: the newest complete checkpoint, its state for every partition of the run. */
export interface RestartPoint {
  readonly epoch: number;
  readonly entries: readonly (readonly (readonly SnapshotEntry[])[])[];
  readonly progress: readonly (readonly (EventTimeProgress | undefined)[])[];
}

export interface SlotHostSetup {
  readonly nc: NatsConnection;
  readonly names: JobNames;
  readonly run: string;
  /** This (the leading) worker's id. */
  readonly leader: string;
  /** The workers live at the run's start, sorted. */
  readonly members: readonly string[];
  readonly slots: number;
  /** Where the run's control channels are kept, so that all of them go with it. */
  readonly ports: NatsPorts;
  /** The leader's own ends of the run's durable links (the source's senders, the sink's inbox). */
  readonly links: ClusterLinks;
  /** The job's link stream, and the run's link prefix. */
  readonly stream: string;
  readonly prefix: string;
  /** The newest complete checkpoint, when there is one. */
  readonly latest: () => Promise<RestartPoint | undefined>;
  readonly log: (line: string) => void;
}

/** A link end the durable run never uses: its links go through the stream. */
const NO_PORT: LinkPort = {
  postMessage: () => {
    throw new Error('a durable run sends nothing on a channel port');
  },
  on: () => undefined,
  close: () => undefined,
  unref: () => undefined,
};

interface Slot {
  readonly number: number;
  member: string;
  incarnation: number;
  /** Its setup at the run's start. */
  readonly setup: ThreadSetup;
  readonly partitions: number;
  readonly handle: SlotHandle;
  /** A restarted slot's catching up: its restart point, and the checkpoint it took part in itself once it did. */
  catchUp: { restart: number; readonly reported: Map<number, number>; caughtUp: number | undefined } | undefined;
}

/** A slot as the run sees it: one thread, whichever worker runs it now. */
class SlotHandle extends EventEmitter implements ThreadHandle {
  readonly #ended: () => void;
  readonly #heard: (message: FromThread) => void;
  #control: NatsPort | undefined;
  #generation = 0;
  #stopping = false;
  #exited = false;

  /**
   * @param ended - its part ended unasked (the worker dropped it): the host restarts it elsewhere.
   * @param heard - each message of its current incarnation, before the run hears it.
   */
  constructor(ended: () => void, heard: (message: FromThread) => void) {
    super();
    this.#ended = ended;
    this.#heard = heard;
  }

  /** Whether the slot is over: stopped, or lost with no worker to run it. */
  get exited(): boolean {
    return this.#exited;
  }

  /**
   * Stops hearing the current incarnation, and closes its channel (a zombie that hears it stops):
   * from the moment a slot is lost nothing it says counts, not even a report already on its way.
   */
  detach(): void {
    // The next generation first: the channel's close, heard at once, is not the next one's.
    this.#generation++;
    this.#control?.close();
    this.#control = undefined;
  }

  /** Listens to `control`, the current incarnation's channel. */
  attach(control: NatsPort): void {
    this.detach();
    const generation = this.#generation;
    this.#control = control;
    control.on('message', (message: FromThread) => {
      if (generation !== this.#generation || this.#exited) return;
      this.#heard(message);
      this.emit('message', message);
    });
    control.on('close', () => {
      if (generation !== this.#generation || this.#exited) return;
      if (this.#stopping) this.exit(0);
      else this.#ended();
    });
  }

  postMessage(message: unknown): void {
    if ((message as { type?: unknown }).type === 'stop') this.#stopping = true;
    this.#control?.postMessage(message);
  }

  /** No worker is left to run it. */
  lose(why: string): void {
    if (this.#exited) return;
    this.emit('error', new Error(why));
    this.exit(1);
  }

  exit(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#control?.close();
    this.emit('exit', code);
  }

  async terminate(): Promise<void> {
    this.exit(0);
  }
}

export class SlotHost implements ThreadHost {
  readonly links: ClusterLinks;
  readonly #setup: SlotHostSetup;
  readonly #slots = new Map<number, Slot>();
  /** The workers that may run slots now. */
  readonly #members: Set<string>;
  /** The newest checkpoint complete, as far as this host heard. */
  #completed = 0;
  #closed = false;

  constructor(setup: SlotHostSetup) {
    this.#setup = setup;
    this.links = setup.links;
    this.#members = new Set(setup.members);
  }

  readonly channel = (): { port1: LinkPort; port2: LinkPort } => ({ port1: NO_PORT, port2: NO_PORT });

  describe(number: number): string {
    return this.#slots.get(number)?.member ?? this.#firstMember(number);
  }

  /** Where slot `number` runs first: the live workers take contiguous ranges of slots. */
  #firstMember(number: number): string {
    const members = this.#setup.members;
    return members[Math.floor(((number - 1) * members.length) / this.#setup.slots)] as string;
  }

  lost(number: number, partitions: readonly string[], problem: string, cause?: unknown): WorkerProcessError {
    return new WorkerProcessError(this.describe(number), partitions, problem, cause);
  }

  /** The workers running slots now, and how many each (a slot that is over runs nowhere). */
  placement(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    for (const slot of this.#slots.values()) if (!slot.handle.exited) counts.set(slot.member, (counts.get(slot.member) ?? 0) + 1);
    return counts;
  }

  start(number: number, setup: ThreadSetup): ThreadHandle {
    const member = this.#firstMember(number);
    const partitions = setup.owners.reduce((sum, owners) => sum + owners.filter((owner) => owner === number).length, 0);
    let slot!: Slot;
    const handle = new SlotHandle(
      () => void this.#restart(slot, `${slot.member} dropped its part`, undefined),
      (message) => this.#heard(slot, message),
    );
    slot = { number, member, incarnation: 0, setup, partitions, handle, catchUp: undefined };
    this.#completed = Math.max(this.#completed, setup.restored.epoch ?? 0);
    this.#slots.set(number, slot);
    this.#request(slot, setup);
    return handle;
  }

  /** Worker `member` is gone: its slots restart elsewhere. */
  memberLost(member: string, why: string): void {
    if (!this.#members.delete(member)) return;
    for (const slot of this.#slots.values()) if (slot.member === member) void this.#restart(slot, `${member} ${why}`, undefined);
  }

  /** Worker `member` joined: slots move to it from the busiest workers, until the spread is even. */
  memberJoined(member: string): void {
    if (this.#closed || this.#members.has(member)) return;
    this.#members.add(member);
    const running = [...this.#slots.values()].filter((slot) => !slot.handle.exited).length;
    const share = Math.floor(running / this.#members.size);
    for (let moved = 0; moved < share; moved++) {
      const counts = this.placement();
      const busiest = [...counts].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0];
      if (busiest === undefined || busiest[1] <= share) return;
      const slot = [...this.#slots.values()].reverse().find((s) => s.member === busiest[0] && !s.handle.exited) as Slot;
      void this.#restart(slot, `moved to ${member}, which joined`, member);
    }
  }

  /**
   * Checkpoint `id` is complete; returns the epoch below which the run's links may be purged now.
   */
  completed(id: number): number {
    this.#completed = Math.max(this.#completed, id);
    let floor = this.#completed;
    for (const slot of this.#slots.values()) {
      const catchUp = slot.catchUp;
      if (catchUp === undefined) continue;
      if (catchUp.caughtUp !== undefined && catchUp.caughtUp <= this.#completed) slot.catchUp = undefined;
      else floor = Math.min(floor, catchUp.restart);
    }
    return floor;
  }

  /** The run is over (or interrupted): no slot restarts any more, and one whose worker drops it is lost. */
  close(): void {
    this.#closed = true;
  }

  #heard(slot: Slot, message: FromThread): void {
    const catchUp = slot.catchUp;
    if (message.type !== 'snapshot' || catchUp === undefined || message.id <= catchUp.restart) return;
    const reported = (catchUp.reported.get(message.id) ?? 0) + 1;
    catchUp.reported.set(message.id, reported);
    if (reported === slot.partitions) catchUp.caughtUp = Math.min(catchUp.caughtUp ?? Infinity, message.id);
  }

  /** Restarts `slot` on `target` (else the least-loaded other live worker) from the newest complete checkpoint. */
  async #restart(slot: Slot, why: string, target: string | undefined): Promise<void> {
    if (slot.handle.exited) return;
    if (this.#closed) return slot.handle.lose(`${why}, and the run is over`);
    const from = slot.member;
    const to = target ?? this.#leastLoaded(from);
    if (to === undefined) return slot.handle.lose(`${why}, and no other worker is left to run its part`);
    const incarnation = ++slot.incarnation;
    slot.member = to;
    slot.handle.detach();
    // Until its restart point is known, the purge stops at the newest checkpoint known complete.
    const known = this.#completed;
    slot.catchUp = { restart: known, reported: new Map(), caughtUp: undefined };
    let setup: ThreadSetup;
    try {
      setup = await this.#restartSetup(slot, known);
    } catch (error) {
      return slot.handle.lose(`${why}, and its restart point could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (slot.incarnation !== incarnation || this.#closed) return;
    slot.catchUp.restart = setup.restored.epoch ?? 0;
    this.#setup.log(`slot ${slot.number} (${from}) restarts on ${to} from checkpoint ${slot.catchUp.restart}: ${why}`);
    this.#request(slot, setup);
  }

  /**
   * `slot`'s setup from the newest complete checkpoint. A read that races the pruning of the
   * checkpoint it reads finds an older one, or none: read again, never restart from before the
   * newest checkpoint known complete (the links may be purged below it).
   * @throws Error when no read finds it.
   */
  async #restartSetup(slot: Slot, known: number): Promise<ThreadSetup> {
    let point = await this.#setup.latest();
    for (let attempt = 1; (point?.epoch ?? 0) < known; attempt++) {
      if (attempt === RESTART_POINT_READS) throw new Error(`checkpoint ${known} or a later one could not be read back`);
      point = await this.#setup.latest();
    }
    const original = slot.setup;
    if (point === undefined || point.epoch <= (original.restored.epoch ?? 0)) return original;
    const mine = <T>(rows: readonly (readonly T[])[]): (T | undefined)[][] =>
      rows.map((row, s) => row.map((value, p) => (original.owners[s]?.[p] === slot.number ? value : undefined)));
    return { ...original, restored: { entries: mine(point.entries), progress: mine(point.progress), epoch: point.epoch } };
  }

  #leastLoaded(except: string): string | undefined {
    const counts = this.placement();
    let best: string | undefined;
    for (const member of this.#members) {
      if (member === except) continue;
      if (best === undefined || (counts.get(member) ?? 0) < (counts.get(best) ?? 0)) best = member;
    }
    return best;
  }

  /** Asks `slot`'s worker to run its current incarnation from `setup`, on a control channel of its own. */
  #request(slot: Slot, setup: ThreadSetup): void {
    const { nc, names, run, leader, ports, stream, prefix } = this.#setup;
    const incarnation = slot.incarnation;
    const control = natsChannelAddresses(`${names.run(run)}.control.${slot.number}.${incarnation}`);
    slot.handle.attach(ports.open(control.port1));
    const request: PartRequest = {
      run,
      leader,
      number: slot.number,
      control: control.port2,
      setup: withAddresses(setup),
      durable: { stream, prefix, incarnation },
    };
    const refused = (why: string): void => {
      if (slot.incarnation === incarnation) void this.#restart(slot, `${slot.member} ${why}`, undefined);
    };
    nc.request(names.member(slot.member), packr.pack(request), { timeout: TAKE_PART_TIMEOUT_MS }).then(
      (reply) => {
        const answer = new TextDecoder().decode(reply.data);
        if (answer !== 'taken') refused(`refused its part: ${answer}`);
      },
      (error: unknown) => refused(`did not take its part: ${error instanceof Error ? error.message : String(error)}`),
    );
  }
}
