/**
 * A worker process's part in the runs of its job: it listens on its own subject for the leader's
 * requests, checks that the request comes from the worker that leads the job now (a leader that
 * lost its lease is refused), and runs its part of the run, as a worker thread runs its part,
 * over the run's NATS channels. A new run's request ends the part it ran before; so does the end of
 * the run's control channel.
 */
import type { KV } from '@nats-io/kv';
import type { NatsConnection, Subscription } from '@nats-io/nats-core';
import { Unpackr } from 'msgpackr';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import type { LinkPort } from '../threads/link-port.js';
import { crossError, type ThreadSetup } from '../threads/thread-protocol.js';
import type { PartRequest } from './cluster-host.js';
import type { JobNames } from './job-names.js';
import { isNatsPortAddress, NatsPorts, type NatsPortAddress } from './nats-port.js';

const unpackr = new Unpackr(MSGPACK_OPTIONS);

/** Runs a part: what a worker thread's job start does, on the given control port. */
export type RunPart = (setup: ThreadSetup, control: LinkPort) => Promise<void>;

interface Part {
  readonly run: string;
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
  #part: Part | undefined;

  constructor(nc: NatsConnection, names: JobNames, worker: string, leases: KV, runPart: RunPart) {
    this.#nc = nc;
    this.#names = names;
    this.#worker = worker;
    this.#leases = leases;
    this.#runPart = runPart;
  }

  /** The run this worker has a part in, if any. */
  get run(): string | undefined {
    return this.#part?.run;
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

  /** Ends the part this worker runs, if any: its channels break, and its actors stop. */
  async abandon(): Promise<void> {
    const part = this.#part;
    this.#part = undefined;
    if (part === undefined) return;
    part.ports.breakAll();
    await part.done;
  }

  /** Stops taking requests and ends the current part. */
  async close(): Promise<void> {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    await this.abandon();
  }

  async #take(request: PartRequest): Promise<string> {
    const leader = await this.#leases.get('leader').catch(() => null);
    if (leader === null || leader.operation !== 'PUT' || leader.string() !== request.leader) return `${request.leader} does not lead the job`;
    await this.abandon();
    const ports = new NatsPorts(this.#nc);
    const open = (address: unknown): LinkPort => ports.open(address as NatsPortAddress);
    const setup: ThreadSetup = {
      ...request.setup,
      outgoing: request.setup.outgoing.map((link) => ({ ...link, port: open(link.port) })),
      incoming: request.setup.incoming.map((link) => ({ ...link, port: open(link.port) })),
      units: isNatsPortAddress(request.setup.units) ? open(request.setup.units) : undefined,
    };
    const control = ports.open(request.control);
    const done = this.#runPart(setup, control)
      .catch((error: unknown) => control.postMessage({ type: 'failed', error: crossError(error) }))
      .finally(() => ports.breakAll());
    this.#part = { run: request.run, ports, done };
    return 'taken';
  }
}
