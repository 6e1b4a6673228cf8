/** The machine a run's numbers came from: without it, a table of rates means little. */
import { arch, cpus, platform, totalmem } from 'node:os';

/** What BENCHMARKS.md says about the machine. */
export interface Machine {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly platform: string;
}

/**
 * Describes this machine, from `os.cpus()`, `os.totalmem()` and `process.version`.
 *
 * @example
 * ```ts
 * describeMachine(); // { cpuModel: 'AMD EPYC 7B13', cores: 2, memoryGiB: 23.5, node: 'v20.20.2', platform: 'linux x64' }
 * ```
 */
export function describeMachine(): Machine {
  const processors = cpus();
  return {
    cpuModel: processors[0]?.model.trim() ?? 'unknown',
    cores: processors.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${platform()} ${arch()}`,
  };
}
