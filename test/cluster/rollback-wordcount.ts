/** The word count declared not deterministic: run by worker processes, it goes back to its last checkpoint as a whole on every change of workers. */
import { defineJob } from '../../src/index.js';
import wordcount, { parseWordcountArgs, type WordcountArgs } from '../../examples/wordcount.job.js';

export default defineJob(import.meta.url, (args: WordcountArgs) => wordcount.build(args), { parseArgs: parseWordcountArgs, deterministic: false });
