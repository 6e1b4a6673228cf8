/**
 * http-fairness: an HTTP server in the same process answers a steady 200 requests/s (from a load
 * generator in another process, over 127.0.0.1) while a pipeline runs flat out; its p50/p99 against
 * the same server with no pipeline, and the pipeline's throughput beside the server against alone.
 * Targets: p99 under 20 ms while the pipeline keeps at least 80% of its solo throughput. A missed
 * target is a finding, not a failure: on a shared machine it says as much about the neighbours.
 * Full: 10 rounds of 2 s windows (about a minute); `--quick`: 3 rounds of 0.4 s windows (about 7 s, child start-up included).
 * Belongs to no throughput case: it runs in a full run and with `--case http-fairness`.
 */
import type { Scale } from '../harness/bench-case.js';
import type { Probe } from '../harness/probe.js';
import { describeFairness, fairnessValues, summarizeFairness } from '../fairness/fairness-report.js';
import { measureFairness, type FairnessOptions } from '../fairness/measure-fairness.js';

/** The rounds each scale runs. */
export const HTTP_FAIRNESS_PLANS: Readonly<Record<Scale, FairnessOptions>> = {
  full: { rate: 200, windowMs: 2000, rounds: 10, warmupMs: 500 },
  quick: { rate: 200, windowMs: 400, rounds: 3, warmupMs: 200 },
};

export const httpFairnessProbe: Probe = {
  name: 'http-fairness',
  cases: [],
  async run(scale) {
    const plan = HTTP_FAIRNESS_PLANS[scale];
    const summary = summarizeFairness(await measureFairness(plan), plan);
    return { summary: describeFairness(summary), values: fairnessValues(summary) };
  },
};
