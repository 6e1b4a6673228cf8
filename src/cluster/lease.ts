/**
 * A lease in a KV bucket whose entries expire (the bucket's TTL): taken by creating its key, kept by
 * updating it at the revision this holder last wrote, lost when it was not renewed in time and
 * someone else took it. Every renewal is a compare-and-set, so a holder that paused past its lease
 * finds out at its next renewal, and whatever it fences with `check` is refused from then on.
 */
import type { KV } from '@nats-io/kv';
import { ignore } from '../internal/ignore.js';

export class Lease {
  readonly key: string;
  readonly #kv: KV;
  readonly #holder: string;
  #revision: number | undefined;
  #timer: NodeJS.Timeout | undefined;
  #renewing: Promise<boolean> | undefined;

  constructor(kv: KV, key: string, holder: string) {
    this.#kv = kv;
    this.key = key;
    this.#holder = holder;
  }

  /** Whether this holder holds the lease, as far as it knows (its last write went through). */
  get held(): boolean {
    return this.#revision !== undefined;
  }

  /** Takes the lease when nobody holds it; true when this holder has it now. */
  async acquire(): Promise<boolean> {
    if (this.#revision !== undefined) return this.renew();
    try {
      this.#revision = await this.#kv.create(this.key, this.#holder);
      return true;
    } catch {
      return false;
    }
  }

  /** Renews the lease at the revision last written; false (and no longer held) when someone else has it. */
  renew(): Promise<boolean> {
    this.#renewing ??= this.#renew().finally(() => (this.#renewing = undefined));
    return this.#renewing;
  }

  async #renew(): Promise<boolean> {
    const revision = this.#revision;
    if (revision === undefined) return false;
    try {
      this.#revision = await this.#kv.update(this.key, this.#holder, revision);
      return true;
    } catch (error) {
      // Another holder's revision: lost. Anything else (the server restarting) is tried again next time.
      if (error instanceof Error && /wrong last sequence/i.test(error.message)) {
        this.#revision = undefined;
        return false;
      }
      return true;
    }
  }

  /**
   * Renews the lease every `everyMs` until released; `lost` is called once when a renewal finds it
   * taken by someone else.
   */
  keep(everyMs: number, lost: () => void): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => {
      void this.renew().then((held) => {
        if (held) return;
        clearInterval(this.#timer);
        lost();
      });
    }, everyMs);
  }

  /** Stops renewing and gives the lease up, so another can take it at once. */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const revision = this.#revision;
    this.#revision = undefined;
    if (revision !== undefined) await this.#kv.delete(this.key, { previousSeq: revision }).catch(ignore);
  }

  /** Stops renewing without giving the lease up (it runs out by itself). */
  abandon(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#revision = undefined;
  }
}
