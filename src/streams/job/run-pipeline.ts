/**
 * `pipeline.run()`: checks the options, plans the stages, and starts a job. Every hop is bounded:
 * the source reads only when the first stage has room, each partition sends on only when the next
 * has room, and the sink's awaited writes hold it all back.
 */
import { InvalidOptionError } from '../../errors.js';
import type { LogicalPlan } from '../internal/logical-plan.js';
import type { PipelineHandle } from '../pipeline-handle.js';
import { planPhysical } from '../plan/physical-plan.js';
import type { RunOptions } from '../run-options.js';
import { Job } from './job.js';
import { resolveRunSettings } from './run-settings.js';
import type { RunOrigin } from './upgrade-run.js';

/**
 * Runs `plan` with `options`; `again` starts the same pipeline again with them (an upgrade's way back).
 * @throws InvalidOptionError naming the first invalid option (`workers`: only a job module runs on threads), or `checkpoint` for a source that cannot be read again.
 */
export function runPipeline(plan: LogicalPlan, options: RunOptions, again: RunOrigin['again']): PipelineHandle {
  const workers = (options as { workers?: unknown } | undefined)?.workers;
  if (workers !== undefined && workers !== 1) {
    throw new InvalidOptionError(
      'workers',
      'left out of `pipeline.run()`: to run on worker threads, define the pipeline in a job module, ' +
        '`export default defineJob(import.meta.url, (args) => pipeline(...))`, and run it with `job.run({ workers, args })` (see docs/scaling.md)',
      workers,
    );
  }
  const settings = resolveRunSettings(options);
  return new Job(planPhysical(plan), settings).handle({ options, again });
}
