import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { MailboxOverflowError } from '../../src/errors.js';
import { Mailbox, type DropReason, type MailboxMetrics } from '../../src/mailbox/mailbox.js';
import { OVERFLOW_POLICIES, type OverflowPolicy } from '../../src/mailbox/overflow.js';
import { catchError } from './helpers.js';

const OWNER = '/user/x';

type Op =
  | { readonly kind: 'offer' }
  | { readonly kind: 'offerOrWait' }
  | { readonly kind: 'take' }
  | { readonly kind: 'processed'; readonly n: number }
  /** Withdraws the `pick`-th waiting sender (modulo their number), or, with none waiting, an offered message. */
  | { readonly kind: 'withdraw'; readonly pick: number };

type OpKind = Op['kind'];

/** Sequences of operations drawn from `kinds`, weighted towards offers so the mailbox fills up. */
function opsArb(kinds: readonly OpKind[]): fc.Arbitrary<Op[]> {
  const byKind: Record<OpKind, { weight: number; arbitrary: fc.Arbitrary<Op> }> = {
    offer: { weight: 4, arbitrary: fc.constant({ kind: 'offer' }) },
    offerOrWait: { weight: 4, arbitrary: fc.constant({ kind: 'offerOrWait' }) },
    take: { weight: 3, arbitrary: fc.constant({ kind: 'take' }) },
    processed: { weight: 1, arbitrary: fc.nat(3).map((n) => ({ kind: 'processed', n }) as const) },
    withdraw: { weight: 2, arbitrary: fc.nat().map((pick) => ({ kind: 'withdraw', pick }) as const) },
  };
  return fc.array(fc.oneof(...kinds.map((kind) => byKind[kind])), { maxLength: 80 });
}

const capacityArb = fc.integer({ min: 1, max: 6 });
const policyArb = fc.constantFrom(...OVERFLOW_POLICIES);

/** The documented behaviour of a mailbox, on plain arrays. */
class MailboxModel {
  readonly queue: number[] = [];
  readonly waiting: number[] = [];
  readonly drops: [number, DropReason][] = [];
  /** Waiting senders in the order take() let them in. */
  readonly admitted: number[] = [];
  /** offerOrWait calls the policy dropped or refused (their promise rejects). */
  readonly rejected: number[] = [];
  /** Waiting senders withdrawn (their promise rejects with the reason given). */
  readonly withdrawn: number[] = [];
  highWaterMark = 0;
  processed = 0;

  constructor(
    readonly capacity: number,
    readonly policy: OverflowPolicy,
  ) {}

  offer(message: number): 'enqueued' | 'refused' | 'throws' {
    if (this.#hasRoom()) {
      this.#enqueue(message);
      return 'enqueued';
    }
    switch (this.policy) {
      case 'backpressure':
        return 'refused';
      case 'drop-newest':
        this.drops.push([message, 'dropped-newest']);
        return 'refused';
      case 'drop-oldest':
        this.drops.push([this.queue.shift() as number, 'dropped-oldest']);
        this.#enqueue(message);
        return 'enqueued';
      case 'fail':
        return 'throws';
    }
  }

  offerOrWait(message: number): 'enqueued' | 'waiting' | 'rejected' {
    if (!this.#hasRoom() && this.policy === 'backpressure') {
      this.waiting.push(message);
      return 'waiting';
    }
    if (this.offer(message) === 'enqueued') return 'enqueued';
    this.rejected.push(message);
    return 'rejected';
  }

  /** Withdraws the `pick`-th waiting sender; undefined when none is waiting. */
  withdraw(pick: number): number | undefined {
    if (this.waiting.length === 0) return undefined;
    const [message] = this.waiting.splice(pick % this.waiting.length, 1) as [number];
    this.withdrawn.push(message);
    return message;
  }

  take(): number | undefined {
    const head = this.queue.shift();
    const next = this.waiting.shift();
    if (next !== undefined) {
      this.admitted.push(next);
      this.#enqueue(next);
    }
    return head;
  }

  metrics(): MailboxMetrics {
    return {
      capacity: this.capacity,
      depth: this.queue.length,
      highWaterMark: this.highWaterMark,
      dropped: this.drops.length,
      processed: this.processed,
      waitingSenders: this.waiting.length,
    };
  }

  #hasRoom(): boolean {
    return this.waiting.length === 0 && this.queue.length < this.capacity;
  }

  #enqueue(message: number): void {
    this.queue.push(message);
    this.highWaterMark = Math.max(this.highWaterMark, this.queue.length);
  }
}

/** What happened to the messages of one run, for the properties to check beyond the model. */
interface Run {
  readonly model: MailboxModel;
  /** Every message offered, in order (0, 1, 2, ...). */
  readonly offered: number[];
  readonly taken: number[];
  /** `offer` returned false without a drop. */
  readonly refused: number[];
  /** `offer` threw MailboxOverflowError. */
  readonly thrown: number[];
  readonly drops: [number, DropReason][];
  /** Waiting senders whose promise resolved, in resolution order. */
  readonly admitted: number[];
  /** offerOrWait calls whose promise rejected with MailboxOverflowError. */
  readonly overflowed: number[];
  /** Waiting senders withdrawn, in the order they were. */
  readonly withdrawn: number[];
  /** metrics() just before close(). */
  readonly metrics: MailboxMetrics;
  /** What close() handed back. */
  readonly queued: number[];
  readonly waiting: number[];
}

/**
 * Runs `ops` on a real mailbox and on the model side by side, asserting after every step that
 * they agree (return values, errors, size, metrics, drops), then closes the mailbox and checks
 * what it hands back and how every offerOrWait promise settled.
 */
async function runAgainstModel(capacity: number, policy: OverflowPolicy, ops: readonly Op[]): Promise<Run> {
  const drops: [number, DropReason][] = [];
  const mailbox = new Mailbox<number, never>(
    { capacity, overflow: policy },
    { path: OWNER, dropped: (entry, reason) => drops.push([entry, reason]), messageOf: (entry) => entry },
  );
  const model = new MailboxModel(capacity, policy);
  const offered: number[] = [];
  const taken: number[] = [];
  const refused: number[] = [];
  const thrown: number[] = [];
  const admitted: number[] = [];
  const rejections = new Map<number, unknown>();
  const settlements: Promise<void>[] = [];
  const withdrawnReason = new Error('withdrawn');

  for (const op of ops) {
    switch (op.kind) {
      case 'offer': {
        const message = offered.length;
        offered.push(message);
        const expected = model.offer(message);
        if (expected === 'throws') {
          expectOverflowError(
            catchError(() => mailbox.offer(message)),
            message,
            capacity,
          );
          thrown.push(message);
        } else {
          expect(mailbox.offer(message)).toBe(expected === 'enqueued');
          if (expected === 'refused' && policy === 'backpressure') refused.push(message);
        }
        break;
      }
      case 'offerOrWait': {
        const message = offered.length;
        offered.push(message);
        const expected = model.offerOrWait(message);
        const pending = mailbox.offerOrWait(message);
        if (expected === 'enqueued') {
          expect(pending).toBeUndefined();
        } else {
          expect(pending).toBeInstanceOf(Promise);
          settlements.push(
            (pending as Promise<void>).then(
              () => void admitted.push(message),
              (error: unknown) => void rejections.set(message, error),
            ),
          );
        }
        break;
      }
      case 'take': {
        const expected = model.take();
        if (expected === undefined) {
          expect(mailbox.size).toBe(0); // callers check size before take()
        } else {
          expect(mailbox.take()).toBe(expected);
          taken.push(expected);
        }
        break;
      }
      case 'processed':
        model.processed += op.n;
        mailbox.recordProcessed(op.n);
        break;
      case 'withdraw': {
        const message = model.withdraw(op.pick);
        if (message !== undefined) {
          expect(mailbox.withdraw(message, withdrawnReason)).toBe(true);
        } else if (offered.length > 0) {
          // Nothing waits: whatever was offered is queued, taken, dropped or refused, and stays so.
          expect(mailbox.withdraw(offered[op.pick % offered.length] as number, withdrawnReason)).toBe(false);
        }
        break;
      }
    }
    expect(mailbox.size).toBeLessThanOrEqual(capacity);
    expect(mailbox.metrics()).toEqual(model.metrics());
    expect(drops).toEqual(model.drops);
    // The waiting queue is let go once the last sender leaves it (admitted or withdrawn): emptiness must still see them all.
    expect(mailbox.isEmpty).toBe(model.queue.length === 0 && model.waiting.length === 0);
  }

  const metrics = mailbox.metrics();
  const closed = mailbox.close();
  const queued = closed.queued;
  const waiting = closed.waiting.map(({ entry }) => entry);
  expect(queued).toEqual(model.queue);
  expect(waiting).toEqual(model.waiting);
  expect(mailbox.size).toBe(0);
  expect(mailbox.metrics().waitingSenders).toBe(0);
  expect(mailbox.isEmpty).toBe(true);

  const closedError = new Error('mailbox closed');
  for (const sender of closed.waiting) sender.reject(closedError);
  await Promise.all(settlements);
  expect(admitted).toEqual(model.admitted);
  expect([...rejections.keys()].sort(byNumber)).toEqual([...model.rejected, ...model.waiting, ...model.withdrawn].sort(byNumber));
  for (const message of model.rejected) expectOverflowError(rejections.get(message), message, capacity);
  for (const message of model.waiting) expect(rejections.get(message)).toBe(closedError);
  for (const message of model.withdrawn) expect(rejections.get(message)).toBe(withdrawnReason);

  const overflowed = [...rejections]
    .filter(([, error]) => error instanceof MailboxOverflowError)
    .map(([message]) => message)
    .sort(byNumber);
  return { model, offered, taken, refused, thrown, drops, admitted, overflowed, withdrawn: model.withdrawn, metrics, queued, waiting };
}

function expectOverflowError(error: unknown, message: number, capacity: number): void {
  expect(error).toBeInstanceOf(MailboxOverflowError);
  const overflow = error as MailboxOverflowError<number>;
  expect(overflow.code).toBe('MAILBOX_OVERFLOW');
  expect(overflow.undelivered).toBe(message);
  expect(overflow.recipient).toBe(OWNER);
  expect(overflow.capacity).toBe(capacity);
}

function byNumber(a: number, b: number): number {
  return a - b;
}

/** Every offered message ends up in exactly one of `parts`: nothing lost, nothing duplicated. */
function expectPartition(offered: readonly number[], ...parts: (readonly number[])[]): void {
  expect(parts.flat().sort(byNumber)).toEqual(offered);
}

/** `kept` (messages that stayed in the mailbox) is in the order the messages were offered. */
function expectInOfferOrder(kept: readonly number[]): void {
  expect(kept).toEqual([...kept].sort(byNumber));
}

describe('Mailbox', () => {
  describe('offer', () => {
    it.prop([fc.integer({ min: 1, max: 40 }), policyArb, opsArb(['offer', 'offerOrWait', 'take'])])(
      'never holds more than its capacity',
      (capacity, policy, ops) => {
        const mailbox = new Mailbox<number, never>({ capacity, overflow: policy }, { path: OWNER, dropped: () => {}, messageOf: (e) => e });
        let next = 0;
        for (const op of ops) {
          if (op.kind === 'offer') {
            try {
              mailbox.offer(next++);
            } catch (error) {
              expect(error).toBeInstanceOf(MailboxOverflowError);
            }
          } else if (op.kind === 'offerOrWait') {
            mailbox.offerOrWait(next++)?.catch(() => undefined);
          } else if (mailbox.size > 0) {
            mailbox.take();
          }
          const { depth, highWaterMark } = mailbox.metrics();
          expect(mailbox.size).toBeLessThanOrEqual(capacity);
          expect(depth).toBe(mailbox.size);
          expect(highWaterMark).toBeLessThanOrEqual(capacity);
        }
      },
    );

    it.prop([capacityArb, opsArb(['offer', 'take'])])('drops the offered message when full under drop-newest', async (capacity, ops) => {
      const run = await runAgainstModel(capacity, 'drop-newest', ops);
      expect(run.drops.every(([, reason]) => reason === 'dropped-newest')).toBe(true);
      expectInOfferOrder([...run.taken, ...run.queued]);
      expectPartition(
        run.offered,
        run.taken,
        run.queued,
        run.drops.map(([message]) => message),
      );
    });

    it.prop([capacityArb, opsArb(['offer', 'take'])])('drops the oldest message when full under drop-oldest', async (capacity, ops) => {
      const run = await runAgainstModel(capacity, 'drop-oldest', ops);
      expect(run.drops.every(([, reason]) => reason === 'dropped-oldest')).toBe(true);
      // Evicting the head keeps the newest messages, so the survivors stay in offer order.
      expectInOfferOrder([...run.taken, ...run.queued]);
      expectPartition(
        run.offered,
        run.taken,
        run.queued,
        run.drops.map(([message]) => message),
      );
    });

    it.prop([capacityArb, opsArb(['offer', 'take'])])(
      'throws MailboxOverflowError carrying the message and keeps the queue unchanged when full under fail',
      async (capacity, ops) => {
        // runAgainstModel checks each error and that the queue and metrics match the unchanged model.
        const run = await runAgainstModel(capacity, 'fail', ops);
        expect(run.drops).toEqual([]);
        expect(run.refused).toEqual([]);
        expectPartition(run.offered, run.taken, run.queued, run.thrown);
      },
    );

    it.prop([capacityArb, opsArb(['offer', 'take'])])('refuses with false and drops nothing when full under backpressure', async (capacity, ops) => {
      const run = await runAgainstModel(capacity, 'backpressure', ops);
      expect(run.drops).toEqual([]);
      expect(run.metrics.dropped).toBe(0);
      expectInOfferOrder([...run.taken, ...run.queued]);
      expectPartition(run.offered, run.taken, run.queued, run.refused);
    });
  });

  describe('offerOrWait', () => {
    it.prop([capacityArb, opsArb(['offerOrWait', 'take'])])(
      'admits waiting senders in FIFO order as take frees room under backpressure',
      async (capacity, ops) => {
        const run = await runAgainstModel(capacity, 'backpressure', ops);
        expect(run.admitted).toEqual([...run.admitted].sort(byNumber));
        // Nothing lost or duplicated, and overall order preserved: every sender is taken, still
        // queued or still waiting, in the order it called.
        expect([...run.taken, ...run.queued, ...run.waiting]).toEqual(run.offered);
      },
    );

    it.prop([capacityArb, opsArb(['offer', 'offerOrWait', 'take'])])(
      'keeps accepted messages in call order when plain offers mix with waiting senders under backpressure',
      async (capacity, ops) => {
        const run = await runAgainstModel(capacity, 'backpressure', ops);
        expectInOfferOrder([...run.taken, ...run.queued, ...run.waiting]);
        expectPartition(run.offered, run.taken, run.queued, run.waiting, run.refused);
      },
    );

    it.prop([capacityArb, fc.constantFrom<OverflowPolicy>('drop-newest', 'drop-oldest', 'fail'), opsArb(['offerOrWait', 'take'])])(
      'never waits and settles as the policy decides under the dropping and failing policies',
      async (capacity, policy, ops) => {
        const run = await runAgainstModel(capacity, policy, ops);
        expect(run.waiting).toEqual([]);
        expect(run.admitted).toEqual([]);
        // A dropped-newest sender is both dead-lettered and rejected; a failed one only rejected.
        const dropped = run.drops.map(([message]) => message);
        if (policy === 'drop-oldest') expect(run.overflowed).toEqual([]);
        if (policy === 'fail') expect(dropped).toEqual([]);
        if (policy === 'drop-newest') expect(dropped).toEqual(run.overflowed);
        const kept = policy === 'drop-oldest' ? [run.taken, run.queued, dropped] : [run.taken, run.queued, run.overflowed];
        expectPartition(run.offered, ...kept);
      },
    );
  });

  describe('withdraw', () => {
    it.prop([capacityArb, opsArb(['offer', 'offerOrWait', 'take', 'withdraw'])])(
      'takes a waiting sender out at any point and rejects it, while the rest keep their order and nothing else changes',
      async (capacity, ops) => {
        // runAgainstModel checks every step (return values, size, metrics) and each withdrawn sender's rejection.
        const run = await runAgainstModel(capacity, 'backpressure', ops);
        expect(run.admitted.filter((message) => run.withdrawn.includes(message))).toEqual([]);
        expectInOfferOrder([...run.taken, ...run.queued, ...run.waiting]);
        expectPartition(run.offered, run.taken, run.queued, run.waiting, run.refused, run.withdrawn);
      },
    );
  });

  describe('metrics', () => {
    it.prop([capacityArb, policyArb, opsArb(['offer', 'offerOrWait', 'take', 'processed', 'withdraw'])])(
      'reports depth, highWaterMark, dropped, processed and waitingSenders as the model does',
      async (capacity, policy, ops) => {
        // runAgainstModel compares metrics() with the model after every operation.
        const run = await runAgainstModel(capacity, policy, ops);
        const expectedProcessed = ops.reduce((sum, op) => sum + (op.kind === 'processed' ? op.n : 0), 0);
        expect(run.metrics.processed).toBe(expectedProcessed);
        expect(run.metrics.dropped).toBe(run.drops.length);
        expect(run.metrics.depth).toBe(run.queued.length);
        expect(run.metrics.waitingSenders).toBe(run.waiting.length);
        expect(run.metrics.highWaterMark).toBeLessThanOrEqual(capacity);
      },
    );
  });

  describe('close', () => {
    it.prop([capacityArb, opsArb(['offerOrWait', 'take'])])(
      'hands back the queued entries oldest first and the waiting senders in arrival order',
      async (capacity, ops) => {
        // runAgainstModel checks close() against the model, empties the mailbox, and rejects each
        // handed-back sender, which must settle that sender's promise with the given error.
        const run = await runAgainstModel(capacity, 'backpressure', ops);
        expect(run.queued.length).toBeLessThanOrEqual(capacity);
        if (run.waiting.length > 0) expect(run.queued).toHaveLength(capacity);
        expect([...run.queued, ...run.waiting]).toEqual(run.offered.slice(run.taken.length));
      },
    );
  });
});
