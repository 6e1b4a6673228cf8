/**
 * A synchronous publish/subscribe channel. Listeners are held in a copy-on-write array so one may
 * unsubscribe (itself or another) while a value is being published; a listener that throws never
 * breaks the runtime or the other listeners: its error becomes a process warning.
 */

/** Stops a subscription; calling it twice is harmless. */
export type Unsubscribe = () => void;

export class Topic<T> {
  #listeners: readonly ((value: T) => void)[] = [];
  readonly #name: string;

  constructor(name: string) {
    this.#name = name;
  }

  /** Whether anybody listens: callers skip building a value nobody will see. */
  get hasSubscribers(): boolean {
    return this.#listeners.length > 0;
  }

  subscribe(listener: (value: T) => void): Unsubscribe {
    this.#listeners = [...this.#listeners, listener];
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  publish(value: T): void {
    for (const listener of this.#listeners) {
      try {
        listener(value);
      } catch (error) {
        process.emitWarning(`A ${this.#name} listener threw: ${String(error)}`, { code: 'SLUICE_LISTENER_ERROR' });
      }
    }
  }
}
