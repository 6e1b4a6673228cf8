/**
 * A checkpointed job for the kill tests: counts words into an exactly-once JSON-lines file,
 * takes a checkpoint every 150 words, and kills itself with SIGKILL where `KILL` says —
 * `record:K` (as it reads word K), `precommit:N` (inside the sink's N-th pre-commit, mid-checkpoint)
 * or `commit:N:before|after` (around the sink's N-th commit). Without `KILL` it runs to the end.
 *
 *   node --import tsx test/e2e/checkpointed-job.ts DIR PARTITIONS [KILL]
 */
import { join } from 'node:path';
import { fromArray, pipeline, toJsonLinesFile, type Keyed, type PipelineHandle, type Sink } from '../../src/index.js';
import { WORDS } from './checkpointed-words.js';

const [dir = '', partitions = '2', kill = ''] = process.argv.slice(2);
const [where = '', at = '0', when = 'before'] = kill.split(':');
const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

const file = toJsonLinesFile<Keyed<string, number>>(join(dir, 'out.jsonl'));
let preCommits = 0;
let commits = 0;
const sink: Sink<Keyed<string, number>> = {
  name: 'out',
  write: (batch) => file.write(batch),
  close: () => file.close?.(),
  recover: (token, completed) => file.recover?.(token, completed),
  async preCommit(checkpoint) {
    const token = await file.preCommit?.(checkpoint);
    if (where === 'precommit' && ++preCommits === Number(at)) die();
    return token;
  },
  async commit(token) {
    const nth = ++commits;
    if (where === 'commit' && nth === Number(at) && when === 'before') die();
    await file.commit?.(token);
    if (where === 'commit' && nth === Number(at) && when === 'after') die();
  },
};

let read = 0;
let handle: PipelineHandle | undefined;
handle = pipeline(fromArray(WORDS))
  .tap(() => {
    read++;
    if (where === 'record' && read === Number(at)) die();
    if (read % 150 === 0) void handle?.checkpoint();
  })
  .keyBy((word) => word, { partitions: Number(partitions) })
  .reduce(
    (n: number) => n + 1,
    () => 0,
  )
  .to(sink)
  .run({ checkpoint: { dir: join(dir, 'checkpoints'), interval: Infinity }, batchSize: 16 });
const result = await handle.done;
process.stdout.write(`${JSON.stringify({ resumedFrom: result.resumedFrom ?? null, alreadyComplete: result.alreadyComplete })}\n`);
