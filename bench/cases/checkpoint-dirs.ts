/**
 * Checkpoint folders for benchmark runs: a fresh, empty one under the OS temp folder for every run
 * (a run that found the last run's checkpoints would resume from them, or find the job already
 * complete and do nothing), each removed before the next is made and the last by `dispose`. Made
 * and removed in a runner's untimed `prepare` and `dispose`, so no run pays for the clean-up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Runner } from '../harness/bench-case.js';

/** Milliseconds between checkpoints in the benchmarks that take them: the "every second". */
export const CHECKPOINT_INTERVAL_MS = 1000;

/**
 * One temporary checkpoint folder at a time.
 *
 * @example
 * ```ts
 * const dirs = new CheckpointDirs('wordcount');
 * dirs.next(); // '/tmp/sluice-bench-wordcount-a1B2c3'
 * dirs.remove();
 * ```
 */
export class CheckpointDirs {
  readonly #prefix: string;
  #current: string | undefined;

  constructor(name: string) {
    this.#prefix = join(tmpdir(), `sluice-bench-${name}-`);
  }

  /** Removes the current folder, if any, and makes a new empty one. */
  next(): string {
    this.remove();
    this.#current = mkdtempSync(this.#prefix);
    return this.#current;
  }

  /**
   * The folder of the current run.
   * @throws Error before the first {@link next} or after {@link remove}.
   */
  get current(): string {
    if (this.#current === undefined) throw new Error('No checkpoint folder: call next() first (a runner does in prepare())');
    return this.#current;
  }

  /** Removes the current folder and everything in it. */
  remove(): void {
    if (this.#current !== undefined) rmSync(this.#current, { recursive: true, force: true });
    this.#current = undefined;
  }
}

/**
 * A runner whose every run gets a fresh checkpoint folder: `run(dir)` does the job with
 * checkpoints in `dir`.
 *
 * @example
 * ```ts
 * withCheckpointDirs('wordcount', (dir) => runWordcount({ checkpoint: { dir, interval: 1000 } }));
 * ```
 */
export function withCheckpointDirs(name: string, run: (dir: string) => Promise<number>): Runner {
  const dirs = new CheckpointDirs(name);
  return {
    prepare: () => void dirs.next(),
    run: () => run(dirs.current),
    dispose: () => dirs.remove(),
  };
}
