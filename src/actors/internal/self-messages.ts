/**
 * Messages the runtime puts in an actor's mailbox on the actor's own behalf: a timer's message,
 * stamped with its timer's key and id, and a piped promise's result, stamped with the pipe that
 * awaited it. Each is checked as it is taken from the mailbox (`admit`), so one that a cancel,
 * a replacement, a failed handler or a replay made stale is dropped there instead of handled; one
 * base class keeps that check to a single `instanceof` on the hot path.
 */
import type { TimerKey } from '../timers.js';
import { Envelope } from './envelope.js';

/** A message an actor's runtime sent to the actor itself. */
export abstract class SelfMessage<TMessage> extends Envelope<TMessage> {}

/** The message of timer `timer` under `key`. */
export class TimerMessage<TMessage> extends SelfMessage<TMessage> {
  readonly key: TimerKey;
  /** Which start of a timer under `key` sent it: a replaced timer's message is told apart by it. */
  readonly timer: string;

  constructor(message: TMessage, key: TimerKey, timer: string) {
    super(message);
    this.key = key;
    this.timer = timer;
  }
}

/** The mapped result of a promise given to `ctx.pipeToSelf`. */
export class PipedResult<TMessage> extends SelfMessage<TMessage> {
  /** The pipe it answers; undefined for a pipe opened outside a handler, which is always admitted. */
  readonly pipe: string | undefined;

  constructor(message: TMessage, pipe: string | undefined) {
    super(message);
    this.pipe = pipe;
  }
}
