/**
 * A sender of an actor check: sends its messages of the case to the actor one at a time, in case
 * order, each after its delay in virtual time — by tell, waiting for room when the mailbox is full
 * (the producer pattern that never loses a message), or by ask, waiting for the answer when the
 * model says the actor gives one. Its phase is one value; it sends only when the engine says so,
 * and only when `ready`.
 */
import type { ActorRef } from '../../actors/actor-ref.js';
import type { Clock } from '../../clock.js';
import type { CaseMessage } from '../actor-case.js';
import { CaseLetter } from './observed-actor.js';

/** How an ask ended: answered, or rejected (a poisoned message, a stopped actor). */
export type AskOutcome = { readonly kind: 'answered'; readonly value: unknown } | { readonly kind: 'rejected'; readonly error: unknown };

type SenderPhase = 'ready' | 'delayed' | 'waiting-for-room' | 'waiting-for-answer' | 'done';

/** What a sender reports to, and sends through. */
export interface SenderPort<TMessage> {
  readonly clock: Clock;
  readonly ref: ActorRef<TMessage | CaseLetter<TMessage>>;
  /** Case message `index` is on its way, by `via`: true when the sender waits for an answer to it. */
  sent(index: number, via: CaseMessage<TMessage>['via']): boolean;
  /** The ask of case message `index` ended. */
  answered(index: number, outcome: AskOutcome): void;
}

export class CaseSender<TMessage> {
  readonly #messages: readonly CaseMessage<TMessage>[];
  /** Indexes of this sender's messages in the case, in order. */
  readonly #mine: readonly number[];
  readonly #port: SenderPort<TMessage>;
  #next = 0;
  #phase: SenderPhase = 'ready';

  constructor(messages: readonly CaseMessage<TMessage>[], mine: readonly number[], port: SenderPort<TMessage>) {
    this.#messages = messages;
    this.#mine = mine;
    this.#port = port;
    this.#reach();
  }

  /** It has a message to send now. */
  get ready(): boolean {
    return this.#phase === 'ready';
  }

  /** It has messages left, or waits for a delay, for room or for an answer. */
  get busy(): boolean {
    return this.#phase !== 'done';
  }

  /**
   * Where it stands when the run ends with it still busy, in words (`sender 1 waited for an answer
   * to #2; #3 was never sent`); undefined when it is done.
   */
  unfinished(sender: number): string | undefined {
    const at = this.#mine[this.#next];
    if (at === undefined) return undefined;
    const waitedOn = this.#phase === 'waiting-for-answer' ? 'an answer to' : this.#phase === 'waiting-for-room' ? 'room for' : undefined;
    const unsent = this.#mine.slice(this.#next + (waitedOn === undefined ? 0 : 1)).map((index) => `#${index + 1}`);
    const never = unsent.length === 0 ? '' : `${unsent.join(', ')} ${unsent.length === 1 ? 'was' : 'were'} never sent`;
    return waitedOn === undefined ? `sender ${sender}: ${never}` : `sender ${sender} waited for ${waitedOn} #${at + 1}${never === '' ? '' : `; ${never}`}`;
  }

  /** Sends its next message. */
  send(): void {
    const index = this.#mine[this.#next] as number;
    const { message, via } = this.#messages[index] as CaseMessage<TMessage>;
    const { ref } = this.#port;
    const letter = new CaseLetter(index, message);
    const waits = this.#port.sent(index, via);
    if (via === 'ask') {
      const answer = ref.ask(letter, { timeoutMs: Infinity }).then(
        (value) => this.#port.answered(index, { kind: 'answered', value }),
        (error: unknown) => this.#port.answered(index, { kind: 'rejected', error }),
      );
      if (!waits) return this.#done();
      this.#phase = 'waiting-for-answer';
      void answer.then(() => this.#done());
      return;
    }
    // A refused tell to a stopped actor is a dead letter already: sending again would make two.
    if (ref.tell(letter) || ref.status === 'stopping' || ref.status === 'stopped') return this.#done();
    this.#phase = 'waiting-for-room';
    ref.send(letter).then(
      () => this.#done(),
      () => this.#done(),
    );
  }

  /** The message it was at is sent (and answered, when it waited): on to the next. */
  #done(): void {
    this.#next++;
    this.#reach();
  }

  /** Gets to the message at `#next`: ready for it, after its delay, or done. */
  #reach(): void {
    const index = this.#mine[this.#next];
    if (index === undefined) {
      this.#phase = 'done';
      return;
    }
    const delayMs = (this.#messages[index] as CaseMessage<TMessage>).delayMs;
    if (delayMs === 0) {
      this.#phase = 'ready';
      return;
    }
    this.#phase = 'delayed';
    this.#port.clock.setTimeout(() => (this.#phase = 'ready'), delayMs);
  }
}
