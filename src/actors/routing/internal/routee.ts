/**
 * One routee as routing sees it: its slot (the name consistent hashing places keys by), its ref,
 * and cheap reads of whether it takes messages and how busy it is. An actor of this thread is
 * reached through its cell directly, which spares an allocation per look at its load and lets a
 * sequenced send keep its sender and number; any other ref through what it offers.
 */
import type { ActorRef, AnyActorRef, AskOptions } from '../../actor-ref.js';
import { ActorCell } from '../../internal/actor-cell.js';
import { Sequenced } from '../../internal/envelope.js';
import { targetOf, type RefTarget } from '../../internal/local-actor-ref.js';
import { isSequencedTarget } from '../../internal/sequenced-target.js';
import type { RouteeMetrics } from '../routing-ref.js';

export class Routee<TMessage> {
  readonly slot: string;
  readonly ref: ActorRef<TMessage>;
  readonly #target: RefTarget<TMessage>;
  readonly #cell: ActorCell<unknown, TMessage> | undefined;

  /** @throws InvalidOptionError naming `option` when `ref` is not a ref of a Sluice system. */
  constructor(slot: string, ref: ActorRef<TMessage>, option = 'ref') {
    this.slot = slot;
    this.ref = ref;
    const target = targetOf(ref as AnyActorRef, option) as RefTarget<TMessage>;
    this.#target = target;
    this.#cell = target instanceof ActorCell ? (target as ActorCell<unknown, TMessage>) : undefined;
  }

  /** Whether it takes messages: not stopping, not stopped. */
  get accepting(): boolean {
    const status = this.#target.status;
    return status !== 'stopping' && status !== 'stopped';
  }

  /** Messages waiting for it, plus one in progress where that can be seen. */
  get load(): number {
    if (this.#cell !== undefined) return this.#cell.load;
    const { depth, waitingSenders } = this.#target.metrics();
    return depth + waitingSenders;
  }

  tell(message: TMessage): boolean {
    return this.#target.tell(message);
  }

  send(message: TMessage): Promise<void> {
    return this.#target.send(message);
  }

  ask(message: TMessage, options: AskOptions | undefined): Promise<unknown> {
    return this.#target.ask(message, options);
  }

  /** Delivers `message` as number `seq` from `sender`, as `ctx.tell` (or, `wait`, `ctx.send`) would. */
  sequenced(message: TMessage, sender: string, seq: number, wait: boolean): boolean | Promise<void> {
    const cell = this.#cell;
    if (cell !== undefined) {
      const entry = new Sequenced(message, sender, seq);
      return wait ? cell.deliverOrWait(entry) : cell.deliver(entry);
    }
    const target = this.#target;
    if (isSequencedTarget(target)) return target.deliverSequenced(message, sender, seq, wait);
    return wait ? target.send(message) : target.tell(message);
  }

  /** Stops it once it has handled what is queued; meanwhile it takes nothing new. */
  drain(): void {
    if (this.#cell !== undefined) void this.#cell.requestStop('drain', 'requested');
    else void this.ref.stop();
  }

  stats(): RouteeMetrics {
    if (this.#cell !== undefined) return { slot: this.slot, ...this.#cell.stats() };
    const target = this.#target;
    return { slot: this.slot, path: target.path, status: target.status, ...target.metrics(), failed: 0, restarts: 0 };
  }
}
