/**
 * A worker process's part in the runs of its job: it listens on its own subject for the leader's
 * requests, checks that the request comes from the worker that leads the job now (a leader that
 * lost its lease is refused), and runs its part of the run, as a worker thread runs its part,
 * over the run's NATS channels. A request of a new run ends the parts it ran before; so does the
 * end of a part's control channel. In a run with durable links a process may run several parts
 * (slots) at once, and a slot restarted here from another process comes as a request of its own,
 * with a later incarnation than the one it replaces.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import { natsClient } from '../nats/nats-peer.js';
import type { DurableLinks } from '../threads/durable-links.js';
import type { LinkPort } from '../threads/link-port.js';
import { crossError, type ThreadSetup } from '../threads/thread-protocol.js';
import type { PartRequest } from './cluster-host.js';
import { ClusterLinks } from './cluster-links.js';
import type { JobNames } from './job-names.js';
import { isNatsPortAddress, NatsPorts, type NatsPortAddress } from './nats-port.js';

const unpackr = new Unpackr(MSGPACK_OPTIONS);

/** Runs a part: what a worker thread's job start does, on the given control port (and durable links, when the run has them). */
export type RunPart = (setup: ThreadSetup, control: LinkPort, links: DurableLinks | undefined) => Promise<void>;

interface Part {
  readonly run: string;
  readonly incarnation: number;
  readonly ports: NatsPorts;
  readonly done: Promise<void>;
}

export class ClusterMember {
  readonly #nc: NatsConnection;
  readonly #names: JobNames;
  readonly #worker: string;
  readonly #leases: KV;
  readonly #runPart: RunPart;
  #subscription: Subscription | undefined;
  /** The parts this worker runs, by their number in the run. */
  readonly #parts = new Map<number, Part>();

  constructor(nc: NatsConnection, names: JobNames, worker: string, leases: KV, runPart: RunPart) {
    this.#nc = nc;
    this.#names = names;
    this.#worker = worker;
    this.#leases = leases;
    this.#runPart = runPart;
  }

  /** The run this worker has a part in, if any. */
  get run(): string | undefined {
    return this.#parts.values().next().value?.run;
  }

  /** Starts taking requests. */
  listen(): void {
    this.#subscription = this.#nc.subscribe(this.#names.member(this.#worker), {
      callback: (error, msg) => {
        if (error !== null) return;
        let request: PartRequest;
        try {
          request = unpackr.unpack(msg.data) as PartRequest;
        } catch {
          msg.respond('a request that cannot be read');
          return;
        }
        void this.#take(request).then((answer) => msg.respond(answer));
      },
    });
  }

  /** Ends every part this worker runs: their channels break, and their actors stop. */
  async abandon(): Promise<void> {
    const parts = [...this.#parts.values()];
    this.#parts.clear();
    for (const part of parts) part.ports.breakAll();
    await Promise.all(parts.map((part) => part.done));
  }

  /** Stops taking requests and ends the current parts. */
  async close(): Promise<void> {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    await this.abandon();
  }

  async #take(request: PartRequest): Promise<string> {
    const leader = await this.#leases.get('leader').catch(() => null);
    if (leader === null || leader.operation !== 'PUT' || leader.string() !== request.leader) return `${request.leader} does not lead the job`;
    const incarnation = request.durable?.incarnation ?? 0;
    const before = this.#parts.get(request.number);
    if (before !== undefined && before.run === request.run && before.incarnation > incarnation)
      return `a later incarnation of part ${request.number} runs here`;
    // Another run's parts are over; in a durable run, so is an earlier incarnation of this one.
    if (this.run !== request.run) await this.abandon();
    else await this.#end(request.number);
    const links = request.durable === undefined ? undefined : new ClusterLinks(this.#nc, (await natsClient()).jetstream.jetstream(this.#nc), request.durable);
    const ports = new NatsPorts(this.#nc);
    const open = (address: unknown): LinkPort => ports.open(address as NatsPortAddress);
    const setup: ThreadSetup = {
      ...request.setup,
      outgoing: request.setup.outgoing.map((link) => ({ ...link, port: links === undefined ? open(link.port) : link.port })),
      incoming: request.setup.incoming.map((link) => ({ ...link, port: links === undefined ? open(link.port) : link.port })),
      units: isNatsPortAddress(request.setup.units) ? open(request.setup.units) : undefined,
    };
    const control = ports.open(request.control);
    const done = this.#runPart(setup, control, links)
      .catch((error: unknown) => control.postMessage({ type: 'failed', error: crossError(error) }))
      .finally(() => {
        ports.breakAll();
        if (this.#parts.get(request.number) === part) this.#parts.delete(request.number);
      });
    const part: Part = { run: request.run, incarnation, ports, done };
    this.#parts.set(request.number, part);
    return 'taken';
  }

  /** Ends part `number`, if this worker runs it. */
  async #end(number: number): Promise<void> {
    const part = this.#parts.get(number);
    if (part === undefined) return;
    this.#parts.delete(number);
    part.ports.breakAll();
    await part.done;
  }
}
