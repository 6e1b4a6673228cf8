/**
 * Admission by backlog. The journal takes records as fast as fsync allows; the pipeline reads them
 * at its own pace. The backlog is what was accepted (or is being appended) but not yet taken by
 * the pipeline: `journal.end + appending − consumed`. A batch is admitted while the backlog plus the
 * batch stays within `maxBacklog` (or the backlog is empty, so a batch larger than the bound still
 * goes in alone); otherwise it waits, first come first served, up to `maxWaitMs`, and is refused.
 * Nothing admitted is ever dropped: refusing happens before the append.
 */

interface Waiter {
  readonly count: number;
  readonly resolve: (admitted: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

interface OffsetWaiter {
  readonly offset: number;
  readonly resolve: (reached: boolean) => void;
  readonly timer: NodeJS.Timeout;
}

export interface BacklogOptions {
  /** The journal's end now (the offset after the last durable record). */
  readonly end: () => number;
  /** Where the pipeline starts reading. */
  readonly consumed: number;
  /** The most records accepted but not yet taken by the pipeline. */
  readonly maxBacklog: number;
  /** How long a batch waits for room before it is refused. */
  readonly maxWaitMs: number;
}

export class Backlog {
  readonly #options: BacklogOptions;
  #consumed: number;
  #appending = 0;
  #admissions: Waiter[] = [];
  #offsets: OffsetWaiter[] = [];
  #closed = false;

  constructor(options: BacklogOptions) {
    this.#options = options;
    this.#consumed = options.consumed;
  }

  /** The offset up to which the pipeline has taken records. */
  get consumed(): number {
    return this.#consumed;
  }

  /** Records accepted or being appended that the pipeline has not taken yet. */
  get size(): number {
    return this.#options.end() + this.#appending - this.#consumed;
  }

  /** Batches waiting for room. */
  get waiting(): number {
    return this.#admissions.length;
  }

  /** The pipeline took everything before `offset`. Cheap when nobody waits: it runs per record. */
  consumedUpTo(offset: number): void {
    this.#consumed = offset;
    if (this.#admissions.length > 0) this.#admit();
    if (this.#offsets.length > 0) this.#reach();
  }

  /**
   * Resolves true once `count` records may be appended (they count as backlog until `appended` is
   * called), false when there was no room within `maxWaitMs` or the service is closing.
   */
  admit(count: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (this.#admissions.length === 0 && this.#fits(count)) {
      this.#appending += count;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        count,
        resolve,
        timer: setTimeout(() => {
          this.#admissions = this.#admissions.filter((w) => w !== waiter);
          resolve(false);
          // The head may have been the one too big for the room there is: the next may fit.
          this.#admit();
        }, this.#options.maxWaitMs),
      };
      this.#admissions.push(waiter);
    });
  }

  /** An admitted batch's append settled (made durable, so now in `end`, or failed). */
  appended(count: number): void {
    this.#appending -= count;
    if (this.#admissions.length > 0) this.#admit();
  }

  /** Resolves true once the pipeline has taken everything before `offset`, false after `timeoutMs`. */
  whenConsumed(offset: number, timeoutMs: number): Promise<boolean> {
    if (this.#consumed >= offset) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const waiter: OffsetWaiter = {
        offset,
        resolve,
        timer: setTimeout(() => {
          this.#offsets = this.#offsets.filter((w) => w !== waiter);
          resolve(false);
        }, timeoutMs),
      };
      this.#offsets.push(waiter);
    });
  }

  /** Refuses every waiting batch, and every batch from now on: the service is closing. */
  stopAdmitting(): void {
    this.#closed = true;
    for (const waiter of this.#admissions) {
      clearTimeout(waiter.timer);
      waiter.resolve(false);
    }
    this.#admissions = [];
  }

  /** Also ends every wait for an offset (true for those already reached): nothing holds a timer after this. */
  close(): void {
    this.stopAdmitting();
    for (const waiter of this.#offsets) {
      clearTimeout(waiter.timer);
      waiter.resolve(this.#consumed >= waiter.offset);
    }
    this.#offsets = [];
  }

  #fits(count: number): boolean {
    const size = this.size;
    return size <= 0 || size + count <= this.#options.maxBacklog;
  }

  #admit(): void {
    while (this.#admissions.length > 0 && !this.#closed) {
      const head = this.#admissions[0] as Waiter;
      if (!this.#fits(head.count)) return;
      this.#admissions.shift();
      clearTimeout(head.timer);
      this.#appending += head.count;
      head.resolve(true);
    }
  }

  #reach(): void {
    const reached = this.#offsets.filter((w) => w.offset <= this.#consumed);
    if (reached.length === 0) return;
    this.#offsets = this.#offsets.filter((w) => w.offset > this.#consumed);
    for (const waiter of reached) {
      clearTimeout(waiter.timer);
      waiter.resolve(true);
    }
  }
}
