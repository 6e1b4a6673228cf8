/**
 * The leading process's host for a run across worker processes: each "thread" of the run is a
 * worker process, thread k the k-th member of the run. Every link is a {@link NatsPort} channel
 * under the run's own subjects, so nothing of an earlier run can reach this one; each member gets
 * its setup in a request to its own subject (with its ends of the links as addresses) and answers
 * on a control channel, as a worker thread answers on its `parentPort`. A member whose lease runs
 * out is reported as a thread that died.
 */
import { EventEmitter } from 'node:events';
import type { NatsConnection } from '@nats-io/nats-core';
import { Packr } from 'msgpackr';
import { WorkerProcessError } from '../errors.js';
import { MSGPACK_OPTIONS } from '../internal/msgpack-options.js';
import type { LinkPort } from '../threads/link-port.js';
import type { ThreadHandle, ThreadHost } from '../threads/thread-host.js';
import type { ThreadSetup } from '../threads/thread-protocol.js';
import type { ClusterLinksAddress } from './cluster-links.js';
import type { JobNames } from './job-names.js';
import { NatsPort, natsChannelAddresses, type NatsPorts, type NatsPortAddress } from './nats-port.js';

const packr = new Packr(MSGPACK_OPTIONS);

/** How long a member has to take its part before it counts as lost. */
const TAKE_PART_TIMEOUT_MS = 10_000;

/** What a member is asked to run: its part of run `run`, led by `leader`. */
export interface PartRequest {
  readonly run: string;
  readonly leader: string;
  readonly number: number;
  /** The member's end of its control channel. */
  readonly control: NatsPortAddress;
  /** Its setup, every port in it an address. */
  readonly setup: ThreadSetup;
  /** Where the run's durable links are, when it has them (then the setup's ports are none), and the part's incarnation. */
  readonly durable?: ClusterLinksAddress | undefined;
}

export interface ClusterHostSetup {
  readonly nc: NatsConnection;
  readonly names: JobNames;
  /** This run's id, unique among the job's runs. */
  readonly run: string;
  /** This (the leading) worker's id. */
  readonly leader: string;
  /** The run's members, by thread number: thread k is `members[k - 1]`. */
  readonly members: readonly string[];
  /** Where the run's ports are kept, so that all of them go with it. */
  readonly ports: NatsPorts;
}

class MemberHandle extends EventEmitter implements ThreadHandle {
  readonly #control: NatsPort;
  readonly #lost: () => void;
  #exited = false;

  /** @param lost - called after the member was lost: the run's other channels are no use now either. */
  constructor(control: NatsPort, lost: () => void) {
    super();
    this.#control = control;
    this.#lost = lost;
    control.on('message', (message: unknown) => this.emit('message', message));
    control.on('close', () => this.exit(0));
  }

  postMessage(message: unknown): void {
    this.#control.postMessage(message);
  }

  /** The member is gone (its lease ran out, or it could not take its part). */
  lose(why: string): void {
    if (this.#exited) return;
    this.emit('error', new Error(why));
    this.exit(1);
    this.#lost();
  }

  exit(code: number): void {
    if (this.#exited) return;
    this.#exited = true;
    this.#control.close();
    this.emit('exit', code);
  }

  async terminate(): Promise<void> {
    this.exit(0);
  }
}

export class ClusterHost implements ThreadHost {
  readonly #setup: ClusterHostSetup;
  readonly #handles = new Map<string, MemberHandle>();
  #channels = 0;

  constructor(setup: ClusterHostSetup) {
    this.#setup = setup;
  }

  readonly channel = (): { port1: LinkPort; port2: LinkPort } => {
    const { port1, port2 } = natsChannelAddresses(`${this.#setup.names.run(this.#setup.run)}.${this.#channels++}`);
    return { port1: this.#setup.ports.open(port1), port2: this.#setup.ports.open(port2) };
  };

  describe(number: number): string {
    return this.#setup.members[number - 1] ?? `#${number}`;
  }

  start(number: number, setup: ThreadSetup): ThreadHandle {
    const { nc, names, run, leader, members, ports } = this.#setup;
    const member = members[number - 1] as string;
    const control = natsChannelAddresses(`${names.run(run)}.control.${number}`);
    // A sender waiting for room on a link to the lost member would wait for ever: every channel of
    // the run breaks, so everything waiting on one lets go and the run ends.
    const handle = new MemberHandle(ports.open(control.port1), () => ports.breakAll());
    this.#handles.set(member, handle);
    const request: PartRequest = { run, leader, number, control: control.port2, setup: withAddresses(setup) };
    nc.request(names.member(member), packr.pack(request), { timeout: TAKE_PART_TIMEOUT_MS }).then(
      (reply) => {
        const answer = new TextDecoder().decode(reply.data);
        if (answer !== 'taken') handle.lose(`refused its part: ${answer}`);
      },
      (error: unknown) => handle.lose(`did not take its part: ${error instanceof Error ? error.message : String(error)}`),
    );
    return handle;
  }

  lost(number: number, partitions: readonly string[], problem: string, cause?: unknown): WorkerProcessError {
    return new WorkerProcessError(this.#setup.members[number - 1] ?? `#${number}`, partitions, problem, cause);
  }

  /** Worker `member` of this run is gone: the run fails as on a dead thread (and starts again without it). */
  memberLost(member: string, why: string): void {
    this.#handles.get(member)?.lose(why);
  }
}

/** `setup` with each of its ports replaced by its address, to travel to another process. */
export function withAddresses(setup: ThreadSetup): ThreadSetup {
  const address = (port: LinkPort): LinkPort => (port as NatsPort).address as unknown as LinkPort;
  return {
    ...setup,
    outgoing: setup.outgoing.map((link) => ({ ...link, port: address(link.port) })),
    incoming: setup.incoming.map((link) => ({ ...link, port: address(link.port) })),
    units: setup.units === undefined ? undefined : address(setup.units),
  };
}
