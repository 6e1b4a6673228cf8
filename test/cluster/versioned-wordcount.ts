/**
 * The word count as three releases of a versioned job, for the cluster's version checks: 1, then
 * 1.1 (the same plan, declared compatible with 1), then 2 (declared compatible with nothing).
 */
import { defineJob, type JobModule } from '../../src/index.js';
import wordcount, { parseWordcountArgs, type WordcountArgs } from '../../examples/wordcount.job.js';

function release(version: string, compatibleWith: readonly string[] = []): JobModule<WordcountArgs> {
  return defineJob(import.meta.url, (args: WordcountArgs) => wordcount.build(args), { parseArgs: parseWordcountArgs, version, compatibleWith });
}

export const release1 = release('1');
export const release1dot1 = release('1.1', ['1']);
export const release2 = release('2');
