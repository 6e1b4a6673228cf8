import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { codeBlocks, projectRoot, readProjectFile } from '../docs/markdown.js';

const run = promisify(execFile);

describe('examples/pipeline-check.ts', () => {
  it('passes the correct pipeline and prints the counterexample docs/testing.md shows for the buggy one', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'examples/pipeline-check.ts'], { cwd: projectRoot, timeout: 120_000 });
    const [passed, ...failure] = stdout.trimEnd().split('\n');
    expect(passed).toBe('spending matches its model in 50 cases of input, schedule, restarts and crashes');
    expect(failure[0]).toBe('leakySpending fails:');
    const shown = codeBlocks(readProjectFile('docs/testing.md')).find((block) => block.heading === 'Reading a failure' && block.lang === 'text');
    // The docs shorten the replay path.
    const printed = failure
      .slice(1)
      .join('\n')
      .replace(/path: "(\d+:\d+:\d+:\d+):[\d:]+"/, 'path: "$1:…"');
    expect(printed).toBe(shown?.code);
  });
});
