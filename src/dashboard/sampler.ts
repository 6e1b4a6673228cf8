/**
 * Samples every watched job once per interval into one {@link DashboardSample}, keeps the recent
 * ones (a page that connects late draws its charts from them) and hands each to the listeners (the
 * open feeds). The timer is unref'd: a dashboard never keeps a process alive by itself.
 */
import type { PipelineHandle } from '../streams/pipeline-handle.js';
import type { DashboardSample, JobView } from './dashboard-view.js';
import { isHandle } from './dashboard-options.js';
import { JobSampler } from './job-sampler.js';

/** Samples kept for a page that connects: two minutes at the default interval. */
export const HISTORY_SIZE = 120;

export interface SamplerSetup {
  /** The jobs watched now; asked at every sample. */
  readonly handles: () => Iterable<PipelineHandle>;
  readonly intervalMs: number;
  readonly title: string;
  /** The wall clock, epoch ms. */
  readonly now?: (() => number) | undefined;
}

export class DashboardSampler {
  readonly #setup: SamplerSetup;
  readonly #now: () => number;
  readonly #jobs = new Map<PipelineHandle, JobSampler>();
  readonly #history: DashboardSample[] = [];
  readonly #listeners = new Set<(sample: DashboardSample) => void>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(setup: SamplerSetup) {
    this.#setup = setup;
    this.#now = setup.now ?? Date.now;
    // A first sample at once, so the snapshot and a feed that opens now have something to show.
    this.sample();
    this.#timer = setInterval(() => this.sample(), setup.intervalMs);
    this.#timer.unref();
  }

  /** The most recent sample. */
  get latest(): DashboardSample {
    return this.#history.at(-1) as DashboardSample;
  }

  /** The recent samples, oldest first. */
  get history(): readonly DashboardSample[] {
    return [...this.#history];
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Calls `listener` with every sample from now on; returns what stops it. */
  subscribe(listener: (sample: DashboardSample) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Takes a sample now, keeps it and hands it to the listeners. */
  sample(): DashboardSample {
    if (this.#closed) return this.latest;
    const at = this.#now();
    const jobs: JobView[] = [];
    const names = new Set<string>();
    for (const job of this.#current()) {
      const view = job.sample(at);
      if (view === undefined) continue;
      const name = uniqueName(view.name, names);
      names.add(name);
      jobs.push(name === view.name ? view : { ...view, name });
    }
    const sample: DashboardSample = { at, title: this.#setup.title, jobs };
    this.#history.push(sample);
    if (this.#history.length > HISTORY_SIZE) this.#history.shift();
    for (const listener of [...this.#listeners]) {
      try {
        listener(sample);
      } catch {
        // A feed that cannot take it closes itself; the others still get it.
      }
    }
    return sample;
  }

  /** Stops the timer and the listening to the jobs' events. Idempotent. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#listeners.clear();
    for (const job of this.#jobs.values()) job.dispose();
    this.#jobs.clear();
  }

  /** The samplers of the jobs watched now: new ones made, ones that are gone dropped. */
  #current(): JobSampler[] {
    let handles: PipelineHandle[];
    try {
      handles = [...this.#setup.handles()].filter(isHandle);
    } catch {
      // The host's function failed: go on with the jobs it gave last time.
      return [...this.#jobs.values()];
    }
    const seen = new Set(handles);
    for (const [handle, job] of this.#jobs) {
      if (seen.has(handle)) continue;
      job.dispose();
      this.#jobs.delete(handle);
    }
    return [...seen].map((handle) => {
      let job = this.#jobs.get(handle);
      if (job === undefined) this.#jobs.set(handle, (job = new JobSampler(handle)));
      return job;
    });
  }
}

/** `name`, or `name (2)`, `name (3)` … when a job before it in the sample has it already. */
function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  let n = 2;
  while (taken.has(`${name} (${n})`)) n++;
  return `${name} (${n})`;
}
