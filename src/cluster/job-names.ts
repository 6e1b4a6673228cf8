/**
 * The NATS names of one job run across processes: its buckets and the subjects its workers talk
 * on. The job id is checked before it becomes part of any of them.
 */
import { natsName } from '../nats/nats-names.js';

export interface JobNames {
  readonly job: string;
  /** KV bucket of the job's state: its plan outline, its status, the current run. */
  readonly stateBucket: string;
  /** KV bucket of the leases (liveness of each worker, leadership): its entries expire when not renewed. */
  readonly leaseBucket: string;
  /** KV bucket of the job's checkpoints. */
  readonly checkpointBucket: string;
  /** Where worker `worker` takes its part of a run. */
  member(worker: string): string;
  /** The prefix of run `run`'s channels. */
  run(run: string): string;
  /** JetStream stream of the job's durable links (`link-stream.ts`). */
  readonly linkStream: string;
  /** The prefix of run `run`'s durable links, under which the stream stores `<links>.d.>`. */
  links(run: string): string;
}

/**
 * The names of job `job`.
 * @throws InvalidOptionError naming `option` when `job` is not 1 to 64 letters, digits, `_` or `-`.
 */
export function jobNames(job: string, option = 'job'): JobNames {
  natsName(option, job);
  return {
    job,
    stateBucket: `sluice-${job}`,
    leaseBucket: `sluice-${job}-leases`,
    checkpointBucket: `sluice-${job}-checkpoints`,
    member: (worker) => `sluice.${job}.member.${worker}`,
    run: (run) => `sluice.${job}.run.${run}`,
    linkStream: `SLUICE_LINKS_${job}`,
    links: (run) => `sluice.${job}.links.${run}`,
  };
}
