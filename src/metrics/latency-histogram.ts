/**
 * A latency histogram for the hot path: recording is a logarithm, an index and an increment, with
 * no allocation. Buckets grow by 2^(1/4) from 1 µs (an OpenTelemetry exponential histogram of scale
 * 2), so a percentile is off by at most 19%. Percentiles cover a sliding window — the current
 * period and the one before it — so they describe recent behaviour in a process that runs for
 * weeks; `count` and `sum` cover the whole life, as Prometheus and OpenTelemetry expect of them.
 */

/** The smallest bucket's upper bound, in milliseconds (1 µs). */
const MIN_MS = 0.001;
/** Buckets per doubling. */
const PER_DOUBLING = 4;
/** 1 µs × 2^28 ≈ 268 s: anything slower lands in the last bucket. */
const BUCKETS = 1 + 28 * PER_DOUBLING;

/** What a histogram says now. Times in milliseconds. */
export interface LatencySummary {
  /** Observations since the histogram was made. */
  readonly count: number;
  /** Their sum, in milliseconds. */
  readonly sumMs: number;
  /** The median of the recent window (0 when it is empty). */
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  /** The largest observation in the recent window. */
  readonly max: number;
}

/** Options of {@link LatencyHistogram}. */
export interface LatencyHistogramOptions {
  /**
   * Milliseconds per window period: percentiles cover between one and two periods.
   * @defaultValue 60000
   */
  periodMs?: number | undefined;
  /** The clock, in milliseconds. @defaultValue performance.now */
  now?: (() => number) | undefined;
}

/** The buckets of a histogram with no observation yet. */
const EMPTY: Float64Array = new Float64Array(BUCKETS);

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  const index = 1 + Math.floor(Math.log2(ms / MIN_MS) * PER_DOUBLING);
  return index < BUCKETS ? index : BUCKETS - 1;
}

/** The upper bound of bucket `index`, in milliseconds. */
function upperBound(index: number): number {
  return MIN_MS * 2 ** (index / PER_DOUBLING);
}

/**
 * Records durations and reports percentiles of the recent ones.
 *
 * @example
 * ```ts
 * const histogram = new LatencyHistogram();
 * const started = performance.now();
 * work();
 * histogram.record(performance.now() - started);
 * histogram.summary().p99; // milliseconds
 * ```
 */
export class LatencyHistogram {
  readonly #periodMs: number;
  readonly #now: () => number;
  // Made at the first observation: a run's histograms that never record (a stage of a short run
  // that ends before its first batch is timed, one never read) cost no buckets.
  #current: Float64Array | undefined;
  #previous: Float64Array | undefined;
  #currentMax = 0;
  #previousMax = 0;
  #periodStart: number;
  #count = 0;
  #sum = 0;

  constructor(options?: LatencyHistogramOptions) {
    this.#periodMs = options?.periodMs ?? 60_000;
    this.#now = options?.now ?? (() => performance.now());
    this.#periodStart = this.#now();
  }

  /** Records one duration, in milliseconds; a negative or non-finite one is ignored. */
  record(ms: number, now: number = this.#now()): void {
    if (!(ms >= 0) || ms === Infinity) return;
    this.#rotate(now);
    const bucket = bucketOf(ms);
    const current = (this.#current ??= new Float64Array(BUCKETS));
    current[bucket] = (current[bucket] as number) + 1;
    if (ms > this.#currentMax) this.#currentMax = ms;
    this.#count++;
    this.#sum += ms;
  }

  /** The `p`-quantile (0 < p ≤ 1) of the recent window, in milliseconds; 0 when it is empty. */
  percentile(p: number, now: number = this.#now()): number {
    this.#rotate(now);
    const current = this.#current ?? EMPTY;
    const previous = this.#previous ?? EMPTY;
    let total = 0;
    for (let i = 0; i < BUCKETS; i++) total += (current[i] as number) + (previous[i] as number);
    if (total === 0) return 0;
    const rank = Math.max(1, Math.ceil(p * total));
    const max = Math.max(this.#currentMax, this.#previousMax);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += (current[i] as number) + (previous[i] as number);
      if (seen >= rank) return Math.min(upperBound(i), max);
    }
    return max;
  }

  summary(now: number = this.#now()): LatencySummary {
    return {
      count: this.#count,
      sumMs: this.#sum,
      p50: this.percentile(0.5, now),
      p90: this.percentile(0.9, now),
      p99: this.percentile(0.99, now),
      max: Math.max(this.#currentMax, this.#previousMax),
    };
  }

  #rotate(now: number): void {
    const elapsed = now - this.#periodStart;
    if (elapsed < this.#periodMs) return;
    if (elapsed >= 2 * this.#periodMs) {
      // Idle for more than a whole period: nothing recent is left.
      this.#previous?.fill(0);
      this.#previousMax = 0;
    } else {
      const spent = this.#previous;
      this.#previous = this.#current;
      this.#previousMax = this.#currentMax;
      this.#current = spent;
    }
    this.#current?.fill(0);
    this.#currentMax = 0;
    this.#periodStart = now - (elapsed % this.#periodMs);
  }
}
